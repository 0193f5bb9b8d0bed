//! Property tests of what the client reads from a server: list bodies and their merge, error
//! bodies, rate-limit hints, base URLs, token lifetimes. A server (or whatever answers in its place) can send
//! anything; none of it may panic, and the merge must agree with a plain model of the rules.
//!
//! The number of cases comes from `PROPTEST_CASES` (256 when unset).

use std::collections::HashMap;
use std::time::Duration;

use proptest::prelude::*;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::api::ListResponse;
use super::auth::{Plan, token_from_login_body};
use super::config::{base_url, shown_url};
use super::text::{
    ErrorInfo, Redactions, clean, clean_redacted, parse_retry_after, parse_try_again,
};
use crate::source::Folder;
use crate::store::{FolderSecrets, StoredValue};

const DAY: Duration = Duration::from_hours(24);

/// Parses and merges a body as the client does.
fn listing(body: &[u8]) -> Option<FolderSecrets> {
    serde_json::from_slice::<ListResponse>(body)
        .ok()
        .map(|parsed| parsed.merge(&Folder::new("prod", "/")))
}

/// Text full of what must not be shown: bidi controls, separators, controls, zero-width
/// characters, among ordinary lowercase text and any other character (never an ASCII capital,
/// which the redaction property uses for its secrets).
fn tricky_text() -> impl Strategy<Value = String> {
    let dangerous = prop::sample::select(vec![
        '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
        '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{2028}', '\u{2029}',
        '\u{200B}', '\u{FEFF}', '\u{0}', '\u{1b}', '\n', '\r', '\t', '\u{7f}', '\u{85}', '\u{9b}',
    ]);
    let ordinary = any::<char>().prop_filter("no ASCII capital", |c| !c.is_ascii_uppercase());
    prop::collection::vec(
        prop_oneof![3 => dangerous, 3 => prop::char::range('a', 'z'), 1 => ordinary],
        0..400,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// What shown server text never contains.
fn is_shown_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{200B}'
                | '\u{FEFF}'
        )
}

/// JSON values whose objects use the field names of a listing, so that the parser gets past
/// its first checks and meets wrong types, nulls and odd nestings deep inside.
fn json_ish() -> impl Strategy<Value = Value> {
    let names = prop::sample::select(vec![
        "secrets",
        "imports",
        "secretKey",
        "secretValue",
        "type",
        "secretValueHidden",
        "secretPath",
        "environment",
        "folderId",
        "personal",
        "shared",
        "",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        Just(json!("<hidden-by-infisical>")),
        Just(json!("${A}")),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..6).prop_map(|pairs| Value::Object(
                pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

/// One secret of a generated listing.
#[derive(Debug, Clone)]
struct Entry {
    key: &'static str,
    value: String,
    personal: bool,
    hidden: bool,
}

fn entry() -> impl Strategy<Value = Entry> {
    (
        prop::sample::select(vec!["A", "B", "C", "D", "E"]),
        prop_oneof![
            4 => "[a-z0-9]{0,6}",
            1 => Just("x${REF}y".to_owned()),
            1 => Just("<hidden-by-infisical>".to_owned()),
            1 => Just("$${}{".to_owned()),
        ],
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(key, value, personal, hidden)| Entry {
            key,
            value,
            personal,
            hidden,
        })
}

fn entry_json(e: &Entry, with_type: bool) -> Value {
    let mut v = json!({"secretKey": e.key, "secretValue": e.value});
    if with_type {
        v["type"] = json!(if e.personal { "personal" } else { "shared" });
    }
    if e.hidden {
        v["secretValueHidden"] = json!(true);
    }
    v
}

/// What a key should resolve to, by the model: the value text (or why there is none) and the
/// import it came from.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    Value(String),
    Withheld,
    Unexpanded,
}

fn expected_of(e: &Entry) -> Expected {
    if e.hidden || e.value == "<hidden-by-infisical>" {
        Expected::Withheld
    } else if e.value.contains("${REF}") {
        Expected::Unexpanded
    } else {
        Expected::Value(e.value.clone())
    }
}

/// The rules written plainly: in the folder, the first personal entry of a key, else its first
/// entry; otherwise the last import block holding the key, its first entry there.
fn model(
    direct: &[Entry],
    imports: &[Vec<Entry>],
) -> HashMap<&'static str, (Expected, Option<usize>)> {
    let mut out = HashMap::new();
    for key in ["A", "B", "C", "D", "E"] {
        let own: Vec<&Entry> = direct.iter().filter(|e| e.key == key).collect();
        if let Some(e) = own.iter().find(|e| e.personal).or(own.first()) {
            out.insert(key, (expected_of(e), None));
            continue;
        }
        for (i, block) in imports.iter().enumerate().rev() {
            if let Some(e) = block.iter().find(|e| e.key == key) {
                out.insert(key, (expected_of(e), Some(i)));
                break;
            }
        }
    }
    out
}

fn seen(folder: &FolderSecrets, key: &str) -> Option<(Expected, Option<String>)> {
    let secret = folder.get(key)?;
    let value = match secret.stored_value() {
        StoredValue::Value(v) => Expected::Value(v.expose_secret().to_owned()),
        StoredValue::Withheld => Expected::Withheld,
        StoredValue::UnexpandedReference => Expected::Unexpanded,
    };
    Some((value, secret.import().map(ToString::to_string)))
}

/// The token plan written plainly, in nanoseconds as `u128`/`i128`, where nothing a server
/// sends can overflow: `ttl`/`max` in seconds as the login reply gave them (`0`: none).
fn plan_model(ttl: u64, max: u64, since_login: Duration, since_renewal: Duration) -> Plan {
    const NANOS: i128 = 1_000_000_000;
    let ttl = (ttl > 0).then(|| i128::from(ttl) * NANOS);
    let max = (max > 0).then(|| i128::from(max) * NANOS);
    let login = i128::try_from(since_login.as_nanos()).unwrap();
    let renewal = i128::try_from(since_renewal.as_nanos()).unwrap();
    let left = match (ttl.map(|t| t - renewal), max.map(|m| m - login)) {
        (None, None) => return Plan::Use,
        (Some(left), None) | (None, Some(left)) => left,
        (Some(a), Some(b)) => a.min(b),
    };
    let margin = (ttl.or(max).unwrap() / 4).min(10 * NANOS);
    if left <= margin {
        return Plan::Login;
    }
    let ttl = ttl.unwrap_or_default();
    if ttl == 0 || renewal < ttl / 2 {
        return Plan::Use;
    }
    if max.is_some_and(|m| login + ttl + margin > m) {
        return Plan::Login;
    }
    Plan::Renew
}

/// Any `expiresIn`/`accessTokenMaxTTL` a server may send, weighted towards the edges.
fn lifetime() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => any::<u64>(),
        1 => Just(u64::MAX),
        1 => Just(u64::MAX - 1),
        1 => Just(0_u64),
        2 => 0_u64..100_000,
    ]
}

/// Any time elapsed on the client's clock, weighted towards the edges.
fn elapsed() -> impl Strategy<Value = Duration> {
    prop_oneof![
        2 => (any::<u64>(), 0_u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
        1 => Just(Duration::MAX),
        1 => Just(Duration::ZERO),
        2 => (0_u64..200_000).prop_map(Duration::from_secs),
    ]
}

proptest! {
    #[test]
    fn the_token_plan_takes_any_lifetime_and_any_elapsed_time(
        ttl in lifetime(),
        max in lifetime(),
        since_login in elapsed(),
        renewed_after in elapsed(),
    ) {
        let body = json!({
            "accessToken": "t",
            "expiresIn": ttl,
            "accessTokenMaxTTL": max,
            "tokenType": "Bearer",
        });
        let now = Instant::now();
        let token = token_from_login_body(body.to_string().as_bytes(), now)
            .expect("a login reply with numbers in range");
        // On the real clock, right after the login and as time goes by.
        for later in [Duration::ZERO, Duration::from_secs(1), DAY] {
            let at = now + later;
            prop_assert_eq!(token.plan(at), plan_model(ttl, max, later, later));
        }
        // Any time since the login, the last renewal being at or after it.
        let since_renewal = since_login.saturating_sub(renewed_after);
        prop_assert_eq!(
            token.plan_after(since_login, since_renewal),
            plan_model(ttl, max, since_login, since_renewal)
        );
    }

    #[test]
    fn any_bytes_as_a_listing_do_not_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = listing(&body);
        let _ = ErrorInfo::parse(&body, false);
        let _ = ErrorInfo::parse(&body, true);
    }

    #[test]
    fn json_ish_listings_do_not_panic(value in json_ish()) {
        let body = value.to_string();
        let _ = listing(body.as_bytes());
        let info = ErrorInfo::parse(body.as_bytes(), false);
        for text in [&info.name, &info.message, &info.req_id].into_iter().flatten() {
            prop_assert!(!text.chars().any(char::is_control));
            prop_assert!(text.chars().count() <= 303);
        }
    }

    #[test]
    fn listings_wrapped_around_json_ish_values_do_not_panic(
        secrets in prop::collection::vec(json_ish(), 0..4),
        imports in prop::collection::vec(json_ish(), 0..3),
    ) {
        let body = json!({"secrets": secrets, "imports": imports}).to_string();
        let _ = listing(body.as_bytes());
    }

    #[test]
    fn the_merge_follows_the_rules(
        direct in prop::collection::vec(entry(), 0..8),
        imports in prop::collection::vec(prop::collection::vec(entry(), 0..5), 0..4),
        typed in any::<bool>(),
    ) {
        // Import blocks hold shared secrets only; without `type` every entry is shared.
        let direct: Vec<Entry> = direct
            .into_iter()
            .map(|e| Entry { personal: e.personal && typed, ..e })
            .collect();
        let imports: Vec<Vec<Entry>> = imports
            .into_iter()
            .map(|b| b.into_iter().map(|e| Entry { personal: false, ..e }).collect())
            .collect();
        let body = json!({
            "secrets": direct.iter().map(|e| entry_json(e, typed)).collect::<Vec<_>>(),
            "imports": imports.iter().enumerate().map(|(i, block)| json!({
                "secretPath": format!("/import{i}"),
                "environment": "common",
                "secrets": block.iter().map(|e| entry_json(e, false)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        let folder = listing(body.to_string().as_bytes()).expect("a well-formed listing");
        let expected = model(&direct, &imports);
        prop_assert_eq!(folder.len(), expected.len());
        for (key, (value, import)) in expected {
            let import = import.map(|i| format!("common:/import{i}"));
            prop_assert_eq!(seen(&folder, key), Some((value, import)), "key {}", key);
        }
    }

    #[test]
    fn retry_hints_never_panic_and_stay_within_a_day(text in ".{0,40}", prefix in ".{0,10}") {
        for wait in [
            parse_retry_after(&text),
            parse_try_again(&text),
            parse_try_again(&format!("{prefix}try again in {text}")),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(wait <= DAY);
            // What the retry loop and the live refresh do with it.
            let _ = Instant::now() + wait;
        }
    }

    #[test]
    fn retry_hints_read_any_number(n in any::<u64>(), digits in "[0-9]{1,40}", spaces in " {0,3}") {
        let capped = Duration::from_secs(n).min(DAY);
        prop_assert_eq!(parse_retry_after(&format!("{spaces}{n}{spaces}")), Some(capped));
        prop_assert_eq!(
            parse_try_again(&format!("Rate limit exceeded. Please try again in {n} seconds")),
            Some(capped)
        );
        let wait = parse_retry_after(&digits).expect("digits are a number of seconds");
        prop_assert!(wait <= DAY);
    }

    #[test]
    fn cleaned_server_text_is_printable_and_capped(text in any::<String>()) {
        let shown = clean(&text);
        prop_assert!(!shown.chars().any(char::is_control));
        prop_assert!(shown.chars().count() <= 303);
    }

    #[test]
    fn cleaned_server_text_holds_no_bidi_control_or_separator(text in tricky_text()) {
        let shown = clean(&text);
        for c in shown.chars() {
            prop_assert!(!is_shown_unsafe(c), "{:?} in {:?}", c, shown);
        }
        prop_assert!(shown.chars().count() <= 303);
        // An error body carrying the same text keeps none of them either.
        let body = json!({"message": text, "error": text, "reqId": text}).to_string();
        let info = ErrorInfo::parse(body.as_bytes(), false);
        for kept in [info.message, info.name, info.req_id].into_iter().flatten() {
            prop_assert!(!kept.chars().any(is_shown_unsafe), "{:?}", kept);
        }
    }

    #[test]
    fn redacted_server_text_holds_no_part_of_a_secret(
        before in tricky_text(),
        after in tricky_text(),
        // Capitals that `[REDACTED]` does not use.
        tail in "[BFGHIJKLMNOPQSUVWXYZ]{12,40}",
        repeats in 1_usize..4,
        escaped in any::<bool>(),
    ) {
        // The secret has a quote and a backslash, so its JSON-escaped form differs.
        let secret = format!("s3cr\"t\\{tail}");
        let echoed = if escaped {
            serde_json::to_string(&secret).unwrap().trim_matches('"').to_owned()
        } else {
            secret.clone()
        };
        let text = format!("{before}{}{after}", echoed.repeat(repeats));
        let mut redactions = Redactions::default();
        redactions.add(&secret);
        let shown = clean_redacted(&text, &redactions);
        // Neither the secret nor a piece of it that the cap cut short: the text around it has
        // no ASCII capitals, so five of them in a row can only come from the secret.
        prop_assert!(!shown.contains(&tail[..5]), "{:?}", shown);
        prop_assert!(shown.chars().count() <= 303);
        let body = json!({"message": text, "error": text, "reqId": text}).to_string();
        let info = ErrorInfo::parse_redacted(body.as_bytes(), false, &redactions);
        for kept in [info.message, info.name, info.req_id].into_iter().flatten() {
            prop_assert!(!kept.contains(&tail[..5]), "{:?}", kept);
        }
    }

    #[test]
    fn base_urls_never_panic_and_never_show_credentials(
        raw in ".{0,60}",
        user in "[a-zA-Z0-9._~-]{0,8}",
        // Its first character never occurs in a host or a path, so the password cannot be
        // read in what is shown by chance.
        password in "[!$'()*+,;][a-zA-Z0-9._~!$&'()*+,;=-]{5,15}",
        host in "[a-z0-9.-]{1,20}",
        rest in "(/[a-z0-9]{0,6}){0,2}(\\?[a-z=&]{0,8})?(#[a-z]{0,4})?",
    ) {
        let _ = base_url(&raw, false);
        let _ = shown_url(&raw);
        let with_credentials = format!("https://{user}:{password}@{host}{rest}");
        prop_assert!(!shown_url(&with_credentials).contains(&password));
        if let Err(reason) = base_url(&with_credentials, false) {
            prop_assert!(!reason.contains(&password), "{}", reason);
        }
    }

    #[test]
    fn queries_and_fragments_are_never_shown(
        userinfo in "([a-z]{1,6}:[!$'()*+,;][a-z0-9]{5,10}@)?",
        host in "[a-z0-9.-]{1,20}",
        path in "(/[a-z0-9@]{0,6}){0,2}",
        mark in "[?#]",
        // Its first character never occurs in a host or a path.
        hidden in "[!$'()*+,;][a-zA-Z0-9=&@._-]{5,15}",
    ) {
        let raw = format!("https://{userinfo}{host}{path}{mark}{hidden}");
        let shown = shown_url(&raw);
        prop_assert!(!shown.contains(&hidden), "{}", shown);
        let tail = format!("{mark}[REDACTED]");
        prop_assert!(shown.ends_with(&tail), "{}", shown);
        if let Some(password) = userinfo.split(':').nth(1) {
            prop_assert!(!shown.contains(password.trim_end_matches('@')), "{}", shown);
        }
    }
}
