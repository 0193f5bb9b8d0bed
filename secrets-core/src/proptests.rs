//! Property tests of the naming rules and of the conversions from a secret's text: the rules
//! agree with a plain model of their grammar, and no conversion panics or lets a value of four
//! bytes or more through its error message.
//!
//! The number of cases comes from `PROPTEST_CASES` (256 when unset).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;

use proptest::prelude::*;
use secrecy::{SecretBox, SecretString};

use std::time::Duration;

use base64::Engine as _;
use secrecy::ExposeSecret;

use crate::__private::{
    ConvertFromSecret, ConvertSpecial, Encoding, FromBytes, FromJson, decode, json, split, with,
};
use crate::convert::scrub;
use crate::names;
use crate::source::Folder;

/// `[A-Za-z_][A-Za-z0-9_]*`, byte by byte.
fn env_name_model(s: &str) -> bool {
    let bytes = s.as_bytes();
    !bytes.is_empty()
        && !bytes[0].is_ascii_digit()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

/// `/`, or `/` followed by segments of `[A-Za-z0-9_-]+` joined by single `/`s.
fn folder_path_model(s: &str) -> bool {
    if s == "/" {
        return true;
    }
    let mut previous = None;
    for (i, b) in s.bytes().enumerate() {
        let ok = match b {
            b'/' => previous != Some(b'/') && i + 1 < s.len(),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => i > 0,
            _ => false,
        };
        if !ok {
            return false;
        }
        previous = Some(b);
    }
    s.starts_with('/')
}

fn slug_model(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Names near the grammar's edges: mostly the allowed characters, with a few that are not.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z0-9_]{0,12}",
        "[A-Za-z0-9_/ .:-]{0,12}",
        "/[A-Za-z0-9_/-]{0,16}",
        "[a-z0-9-]{0,70}",
        any::<String>(),
    ]
}

/// A parser whose error repeats its input, plainly and as `{:?}` spells it.
struct Echo;

impl FromStr for Echo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Err(format!("unknown value '{s}' (got {s:?}, expected \"x\")"))
    }
}

/// A parser whose error repeats its input in its `Display`, like many hand-written errors.
struct Named;

#[derive(Debug)]
struct NamedError(String);

impl fmt::Display for NamedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no such name: {}; {:?}", self.0, self.0)
    }
}

impl FromStr for Named {
    type Err = NamedError;
    fn from_str(s: &str) -> Result<Self, NamedError> {
        Err(NamedError(s.to_owned()))
    }
}

/// The value as `{:?}` spells it, without the quotes.
fn escaped(value: &str) -> String {
    let debug = format!("{value:?}");
    debug[1..debug.len() - 1].to_owned()
}

/// An error message that does not let `value` through: for values of four bytes or more,
/// neither as written nor escaped.
fn assert_scrubbed(message: &str, value: &str) -> Result<(), TestCaseError> {
    if value.len() >= 4 {
        prop_assert!(!message.contains(value), "{:?} in {:?}", value, message);
        prop_assert!(
            !message.contains(&escaped(value)),
            "{:?} in {:?}",
            value,
            message
        );
    }
    Ok(())
}

/// Converts `value` to `T` as generated code does, and checks the error if there is one.
// The double borrow is the dispatch: it picks the special conversion when one exists.
#[allow(clippy::needless_borrow)]
fn convert_all(value: &str) -> Result<(), TestCaseError> {
    let secret = || SecretString::from(value.to_owned());
    macro_rules! check {
        ($($ty:ty),* $(,)?) => {$(
            if let Err(message) = crate::__private::convert!($ty, secret()) {
                assert_scrubbed(&message, value)?;
            }
        )*};
    }
    check!(
        u8,
        u16,
        u32,
        u64,
        u128,
        i8,
        i16,
        i32,
        i64,
        i128,
        usize,
        f32,
        f64,
        char,
        String,
        PathBuf,
        IpAddr,
        SocketAddr,
        url::Url,
        Echo,
        Named,
        bool,
        SecretString,
        SecretBox<u64>,
        SecretBox<i32>,
        Duration,
    );
    // The other kinds, as the derive writes them.
    macro_rules! check_result {
        ($($result:expr),* $(,)?) => {$(
            if let Err(message) = $result {
                assert_scrubbed(&message, value)?;
            }
        )*};
    }
    for encoding in [Encoding::Base64, Encoding::Base64Url, Encoding::Hex] {
        check_result!(
            decode::<[u8; 32]>(secret(), encoding, FromBytes::from_bytes),
            decode::<Vec<u8>>(secret(), encoding, FromBytes::from_bytes),
            decode::<SecretBox<[u8; 4]>>(secret(), encoding, FromBytes::from_bytes),
            decode::<SecretBox<Vec<u8>>>(secret(), encoding, FromBytes::from_bytes),
        );
    }
    check_result!(
        split(secret(), ",", |v| crate::__private::convert!(u16, v)),
        split(secret(), ";", |v| crate::__private::convert!(Named, v)),
        split(secret(), ",", |v| crate::__private::convert!(Duration, v)),
        json::<u16>(secret(), FromJson::from_json),
        json::<Account>(secret(), FromJson::from_json),
        json::<Vec<bool>>(secret(), FromJson::from_json),
        json::<SecretBox<String>>(secret(), FromJson::from_json),
        with(secret(), |text| Echo::from_str(text).map(drop)),
    );
    Ok(())
}

/// `bytes` as hex digits.
fn hex_of(bytes: &[u8], upper: bool) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = if upper {
            write!(out, "{b:02X}")
        } else {
            write!(out, "{b:02x}")
        };
        out
    })
}

/// A JSON credential, as `#[secret(json)]` reads one.
#[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
struct Account {
    client_email: String,
    key_id: u32,
    scopes: Vec<String>,
}

proptest! {
    #[test]
    fn env_names_follow_the_grammar(name in name_like()) {
        prop_assert_eq!(names::is_env_name(&name), env_name_model(&name));
    }

    #[test]
    fn valid_env_names_are_accepted(name in "[A-Za-z_][A-Za-z0-9_]{0,30}") {
        prop_assert!(names::is_env_name(&name));
    }

    #[test]
    fn folder_paths_follow_the_grammar(path in name_like()) {
        prop_assert_eq!(names::is_folder_path(&path), folder_path_model(&path));
    }

    #[test]
    fn valid_folder_paths_are_accepted(path in "(/[A-Za-z0-9_-]{1,8}){0,5}") {
        let path = if path.is_empty() { "/".to_owned() } else { path };
        prop_assert!(names::is_folder_path(&path));
    }

    #[test]
    fn folders_normalise_once_and_for_all(path in any::<String>()) {
        let folder = Folder::new("prod", &path);
        let normalised = folder.path();
        prop_assert!(normalised.starts_with('/'));
        prop_assert!(normalised == "/" || !normalised.ends_with('/'));
        let again = Folder::new("prod", normalised);
        prop_assert_eq!(again.path(), normalised);
    }

    #[test]
    fn environment_slugs_follow_the_grammar(slug in name_like()) {
        prop_assert_eq!(names::is_environment_slug(&slug), slug_model(&slug));
    }

    #[test]
    fn file_names_never_leave_the_directory(key in name_like()) {
        if names::is_file_name(&key) {
            let path = std::path::Path::new("/run/secrets").join(&key);
            prop_assert_eq!(path.parent(), Some(std::path::Path::new("/run/secrets")));
        }
    }

    #[test]
    fn reserved_names_are_reserved_whatever_follows(
        family in prop::sample::select(vec!["LC_", "XDG_", "INFISICAL_"]),
        rest in "[A-Z0-9_]{0,12}",
    ) {
        let name = format!("{family}{rest}");
        prop_assert!(names::is_reserved(&name));
    }

    #[test]
    fn conversions_never_panic_or_echo_the_value(value in any::<String>()) {
        convert_all(&value)?;
    }

    #[test]
    fn conversions_of_value_like_text_never_echo_it(
        value in prop_oneof![
            "[0-9.:-]{0,24}",
            "[a-z]{1,8}://[a-z.]{1,12}(:[0-9]{1,5})?/[ -~]{0,16}",
            "[ -~]{0,32}",
            "[\"\\\\\n\t]{0,4}[a-z]{2,6}[\"\\\\\n\t ]{0,4}",
            // Pieces of the parsers' own messages.
            "(true|false|yes|no|on|off|1|0|/|, | |of|one|string|digit|invalid){1,5}",
        ],
    ) {
        convert_all(&value)?;
    }

    #[test]
    fn scrubbed_messages_never_hold_the_value(
        value in prop_oneof!["[ -~]{4,12}", any::<String>()],
        before in ".{0,16}",
        after in ".{0,16}",
        debug in any::<bool>(),
    ) {
        let shown_value = if debug { format!("{value:?}") } else { value.clone() };
        let message = format!("{before}{shown_value}{after}{shown_value}");
        assert_scrubbed(&scrub(&message, &value), &value)?;
    }

    #[test]
    fn messages_without_the_value_are_kept(message in ".{0,40}", value in "[ -~]{4,12}") {
        prop_assume!(!message.contains(&value) && !message.contains(&escaped(&value)));
        prop_assert_eq!(scrub(&message, &value), message);
    }

    #[test]
    fn durations_round_trip(secs in 0u64..10_000_000, nanos in 0u32..1_000_000_000) {
        let duration = Duration::new(secs, nanos);
        let text = humantime::format_duration(duration).to_string();
        prop_assume!(duration > Duration::ZERO);
        let parsed = crate::__private::convert!(Duration, SecretString::from(text.clone()));
        prop_assert_eq!(parsed, Ok(duration), "{}", text);
    }

    #[test]
    fn bytes_round_trip_in_every_encoding(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let texts = [
            (Encoding::Base64, base64::engine::general_purpose::STANDARD.encode(&bytes)),
            (Encoding::Base64, base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes)),
            (Encoding::Base64Url, base64::engine::general_purpose::URL_SAFE.encode(&bytes)),
            (Encoding::Base64Url, base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)),
            (Encoding::Hex, hex_of(&bytes, false)),
            (Encoding::Hex, hex_of(&bytes, true)),
        ];
        for (encoding, text) in texts {
            let decoded: Vec<u8> =
                decode(SecretString::from(text.clone()), encoding, FromBytes::from_bytes).unwrap();
            prop_assert_eq!(&decoded, &bytes, "{}", text);
            let boxed: SecretBox<Vec<u8>> =
                decode(SecretString::from(text.clone()), encoding, FromBytes::from_bytes).unwrap();
            prop_assert_eq!(boxed.expose_secret(), &bytes);
            let array =
                decode::<[u8; 32]>(SecretString::from(text.clone()), encoding, FromBytes::from_bytes);
            if bytes.len() == 32 {
                prop_assert_eq!(&array.unwrap()[..], &bytes[..]);
            } else {
                // Scrubbed like any reason: the text `32` (the byte 0x32 in hex) is not shown.
                let reason = format!("decoded {} bytes, expected 32", bytes.len());
                prop_assert_eq!(array.unwrap_err(), scrub(&reason, &text));
            }
        }
    }

    #[test]
    fn lists_round_trip(
        ports in prop::collection::vec(any::<u16>(), 1..12),
        words in prop::collection::vec("[a-zA-Z0-9:/.]{1,12}", 1..8),
        spaced in any::<bool>(),
    ) {
        let joiner = if spaced { " , " } else { "," };
        let text = ports.iter().map(u16::to_string).collect::<Vec<_>>().join(joiner);
        let parsed = split(SecretString::from(text), ",", |v| crate::__private::convert!(u16, v));
        prop_assert_eq!(parsed, Ok(ports));
        let text = words.join(";");
        let parsed = split(SecretString::from(text), ";", |v| crate::__private::convert!(String, v));
        prop_assert_eq!(parsed, Ok(words));
    }

    #[test]
    fn json_round_trips(
        client_email in ".{0,20}",
        key_id in any::<u32>(),
        scopes in prop::collection::vec(".{0,8}", 0..4),
    ) {
        let account = Account { client_email, key_id, scopes };
        let text = serde_json::to_string(&account).unwrap();
        let parsed = json::<Account>(SecretString::from(text), FromJson::from_json);
        prop_assert_eq!(parsed, Ok(account));
    }

    #[test]
    fn json_reasons_never_quote_the_input(
        inner in "[ -~]{4,16}",
        shape in 0usize..5,
    ) {
        // The value is valid JSON of the wrong shape, or broken JSON, holding `inner`.
        let quoted = serde_json::to_string(&inner).unwrap();
        let text = match shape {
            0 => quoted.clone(),
            1 => format!("{{\"client_email\": {quoted}, \"key_id\": {quoted}}}"),
            2 => format!("{{{quoted}: 1}}"),
            3 => format!("[{quoted}, {inner}"),
            _ => format!("{{\"client_email\": {quoted}, \"key_id\": 1, \"scopes\": [], {quoted}: 0}}"),
        };
        for reason in [
            json::<Account>(SecretString::from(text.clone()), FromJson::from_json).err(),
            json::<u16>(SecretString::from(text.clone()), FromJson::from_json).err(),
        ]
        .into_iter()
        .flatten()
        {
            prop_assert!(!reason.contains(&inner), "{:?} in {:?}", inner, reason);
            let escaped_inner = escaped(&inner);
            prop_assert!(!reason.contains(&escaped_inner), "{:?} in {:?}", inner, reason);
        }
    }
}
