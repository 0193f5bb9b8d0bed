//! Response bodies of the Infisical API, parsed defensively, and the folder merge.
//!
//! Every type here is `pub(crate)`: the wire format is Infisical's, not ours. Unknown fields
//! are ignored and every field a loader does not need is optional, because the server's
//! schemas drift between versions (see the 2024-10 recordings in the tests).

use std::collections::HashMap;

use secrecy::{ExposeSecret, SecretString};
use serde::de::{IgnoredAny, Visitor};
use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use crate::source::Folder;
use crate::store::{FolderSecrets, StoredSecret};

/// What Infisical puts in place of a value the identity may not see.
const HIDDEN_VALUE: &str = "<hidden-by-infisical>";

/// Longest server message kept in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// The longest wait a server's `Retry-After` or "try again in N seconds" is taken at; a longer
/// one is cut to it. A day is past any startup deadline and refresh interval, and keeps
/// `Instant::now() + wait` far from overflowing (which panics) whatever the server sends.
const MAX_RETRY_WAIT_SECS: u64 = 86_400;

/// A deserializer that reads a struct from a JSON object only.
///
/// serde's derived visitors also accept a struct written as an array of its fields in order
/// (`[[["KEY","value"]]]` would be a listing): no Infisical body is ever an array, and a
/// proxy's or a broken server's array must be an unusable response, not secrets. Each wire
/// struct below derives its visitor with `#[serde(remote = "Self")]` and its `Deserialize`
/// hands it this wrapper, which asks for a map where the derive asks for a struct; nested
/// structs go through their own `Deserialize`, so every level is checked, without a detour
/// through `serde_json::Value`.
struct MapOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for MapOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// `Deserialize` for a wire struct whose derived visitor is its inherent `deserialize`
/// (`#[serde(remote = "Self")]`): from a JSON object only (see [`MapOnly`]).
macro_rules! from_object_only {
    ($($ty:ty),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$ty>::deserialize(MapOnly(deserializer))
            }
        }
    )*};
}

from_object_only!(
    ListResponse,
    RawSecret,
    ImportBlock,
    LoginResponse,
    ErrorBody,
    ZodIssue,
    GetResponse
);

/// `GET /api/v4/secrets` and `GET /api/v3/secrets/raw`.
#[derive(Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct ListResponse {
    // Core: a body without `secrets` is not a listing (an HTML page, a proxy's JSON).
    secrets: Vec<RawSecret>,
    // 2024-10 omits `imports` unless asked; current servers send `[]`.
    #[serde(default)]
    imports: Option<Vec<ImportBlock>>,
}

/// One secret of a listing or an import block.
#[derive(Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub(crate) struct RawSecret {
    secret_key: String,
    // Straight into a `SecretString`: no `String` copy of the value outlives the parse.
    secret_value: SecretString,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    secret_value_hidden: Option<bool>,
}

/// `imports[]`: the secrets of a folder imported into the listed one.
#[derive(Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
struct ImportBlock {
    #[serde(default)]
    secret_path: Option<String>,
    #[serde(default)]
    environment: Option<String>,
    // `folderId` is absent when the imported folder no longer exists: not read at all.
    #[serde(default)]
    secrets: Vec<RawSecret>,
}

/// `GET /api/v3/secrets/raw/{name}` and `GET /api/v4/secrets/{name}`: used only for folders
/// the identity may not list with values (one list per folder beats one request per key).
#[derive(Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct GetResponse {
    pub(crate) secret: RawSecret,
}

/// A successful single-secret body as a load sees it.
pub(crate) fn parse_single(body: &[u8]) -> Result<StoredSecret, serde_json::Error> {
    serde_json::from_slice::<GetResponse>(body).map(|parsed| parsed.secret.into_stored())
}

/// A login (`/api/v1/auth/*/login`) or renew response.
#[derive(Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub(crate) struct LoginResponse {
    pub(crate) access_token: SecretString,
    /// Seconds the token lives; `0` means no expiry.
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
    /// Seconds from login after which the token cannot be renewed; `0` means none.
    #[serde(rename = "accessTokenMaxTTL", default)]
    pub(crate) access_token_max_ttl: Option<u64>,
}

/// Infisical's error body: `{reqId?, statusCode, error, message, details?}`.
#[derive(Deserialize, Default)]
#[serde(remote = "Self", rename_all = "camelCase")]
struct ErrorBody {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    message: Option<ErrorMessage>,
    #[serde(default)]
    req_id: Option<String>,
}

/// `message` is a string, except for validation failures: an array of zod issues.
#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorMessage {
    Text(String),
    Issues(Vec<ZodIssue>),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
#[serde(remote = "Self")]
struct ZodIssue {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    path: Vec<serde_json::Value>,
}

/// What an error response said, cleaned for display: capped, control characters removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ErrorInfo {
    /// Infisical's `error` name, e.g. `PermissionDenied`.
    pub(crate) name: Option<String>,
    /// The message; zod issues joined as `path: message; ...`.
    pub(crate) message: Option<String>,
    pub(crate) req_id: Option<String>,
    /// The server has no such route (Fastify's JSON 404 or an HTML page), as opposed to a
    /// missing folder.
    pub(crate) route_missing: bool,
}

impl ErrorInfo {
    /// [`parse_redacted`](Self::parse_redacted) with nothing to redact.
    #[cfg(test)]
    pub(crate) fn parse(body: &[u8], is_html: bool) -> Self {
        Self::parse_redacted(body, is_html, &Redactions::default())
    }

    /// Parses an error body; a body that is not Infisical's JSON yields what can be said
    /// about it (an HTML page is a missing route). Every string kept is cleaned, with what
    /// `redactions` lists replaced by `[REDACTED]`.
    pub(crate) fn parse_redacted(body: &[u8], is_html: bool, redactions: &Redactions<'_>) -> Self {
        let trimmed = body.trim_ascii_start();
        if is_html || trimmed.starts_with(b"<") {
            return Self {
                route_missing: true,
                ..Self::default()
            };
        }
        let Ok(parsed) = serde_json::from_slice::<ErrorBody>(body) else {
            return Self::default();
        };
        let message = match parsed.message {
            Some(ErrorMessage::Text(text)) => Some(text),
            Some(ErrorMessage::Issues(issues)) => Some(join_issues(&issues)),
            Some(ErrorMessage::Other(_)) | None => None,
        };
        // Fastify's own 404 for an unknown route: `{"message":"Route GET:/api/v4/... not
        // found","error":"Not Found","statusCode":404}` (recording v50).
        let route_missing = parsed.error.as_deref() == Some("Not Found")
            && message.as_deref().is_some_and(|m| m.starts_with("Route "));
        let needles = redactions.needles();
        Self {
            name: parsed.error.and_then(|s| shown(&s, &needles)),
            message: message.and_then(|s| shown(&s, &needles)),
            req_id: parsed.req_id.and_then(|s| shown(&s, &needles)),
            route_missing,
        }
    }

    pub(crate) fn is_named(&self, name: &str) -> bool {
        self.name.as_deref() == Some(name)
    }

    /// The wait a rate-limit message asks for: "Please try again in 42 seconds".
    pub(crate) fn retry_hint(&self) -> Option<std::time::Duration> {
        self.message.as_deref().and_then(parse_try_again)
    }
}

fn join_issues(issues: &[ZodIssue]) -> String {
    let parts: Vec<String> = issues
        .iter()
        .map(|issue| {
            let path: Vec<String> = issue
                .path
                .iter()
                .map(|p| match p {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            let message = issue.message.as_deref().unwrap_or("invalid");
            if path.is_empty() {
                message.to_owned()
            } else {
                format!("{}: {message}", path.join("."))
            }
        })
        .collect();
    if parts.is_empty() {
        "validation failed".to_owned()
    } else {
        parts.join("; ")
    }
}

/// A server string as kept: redacted, cleaned, and `None` when nothing is left.
fn shown(text: &str, needles: &Needles<'_>) -> Option<String> {
    Some(clean_needles(text, needles)).filter(|s| !s.is_empty())
}

/// What stands in for a redacted string.
const REDACTED: &str = "[REDACTED]";

/// Secrets shorter than this are redacted only where they stand as a whole word: a value such
/// as `1` or `info` would otherwise cut up every message ("Inv[REDACTED]lid").
const MIN_SUBSTRING_REDACTION: usize = 4;

/// What the client sent or holds, which server text must not repeat: the client secret, the
/// access token, the Kubernetes JWT, the secret values it has listed. A server that echoes a
/// request (the login body in a 401, the `Authorization` header in a 403) would otherwise put
/// them in an error and a log line.
///
/// Gathering is cheap (references only); the strings to look for are worked out when an error
/// body is parsed.
#[derive(Default, Clone)]
pub(crate) struct Redactions<'a> {
    secrets: Vec<&'a str>,
    folders: Vec<&'a FolderSecrets>,
}

impl<'a> Redactions<'a> {
    /// Adds a secret.
    pub(crate) fn add(&mut self, secret: &'a str) {
        self.secrets.push(secret);
    }

    /// Adds every value of a listing.
    pub(crate) fn add_folder(&mut self, folder: &'a FolderSecrets) {
        self.folders.push(folder);
    }

    /// The strings to replace: each secret as it is and, where it differs, JSON-escaped (a
    /// request body echoed inside a JSON string keeps the escapes of the request).
    fn needles(&self) -> Needles<'a> {
        let mut needles = Needles::default();
        let all = self
            .secrets
            .iter()
            .copied()
            .chain(self.folders.iter().flat_map(|f| f.values()));
        let needs_escape = |c: char| c == '"' || c == '\\' || c.is_control();
        for secret in all.filter(|s| !s.is_empty()) {
            needles.plain.push(secret);
            if !secret.contains(needs_escape) {
                continue;
            }
            if let Ok(json) = serde_json::to_string(secret).map(Zeroizing::new) {
                needles
                    .escaped
                    .push(Zeroizing::new(json[1..json.len() - 1].to_owned()));
            }
        }
        needles
    }
}

/// The strings [`Redactions`] stands for, ready to be looked for.
#[derive(Default)]
struct Needles<'a> {
    plain: Vec<&'a str>,
    escaped: Vec<Zeroizing<String>>,
}

impl Needles<'_> {
    /// The length of the longest secret `rest` starts with; `before` is the character before
    /// `rest`, for the whole-word rule of short secrets.
    fn match_at(&self, before: Option<char>, rest: &str) -> Option<usize> {
        let is_word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        self.plain
            .iter()
            .copied()
            .chain(self.escaped.iter().map(|s| s.as_str()))
            .filter(|secret| rest.starts_with(secret))
            .filter(|secret| {
                secret.chars().count() >= MIN_SUBSTRING_REDACTION
                    || !(is_word(before) || is_word(rest[secret.len()..].chars().next()))
            })
            .map(str::len)
            .max()
    }
}

/// Characters never shown from server text, which could reorder, hide or break up what an
/// operator reads: controls (C0, DEL, C1), bidi marks, embeddings, overrides and isolates
/// (U+200E/F, U+061C, U+202A..U+202E, U+2066..U+2069), line and paragraph separators
/// (U+2028/9), zero-width and other invisible format characters (U+200B..U+200D,
/// U+2060..U+2064, U+206A..U+206F, U+FEFF).
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
        )
}

/// A server string made safe to print: hidden characters (see [`is_hidden`]) become spaces,
/// at most [`MAX_MESSAGE_CHARS`] characters are kept.
pub(crate) fn clean(text: &str) -> String {
    clean_redacted(text, &Redactions::default())
}

/// [`clean`], with every secret of `redactions` replaced by `[REDACTED]` first: matched in the
/// text as the server sent it, over its whole length, so that neither a hidden character nor
/// the cap can leave part of a secret behind.
pub(crate) fn clean_redacted(text: &str, redactions: &Redactions<'_>) -> String {
    clean_needles(text, &redactions.needles())
}

fn clean_needles(text: &str, needles: &Needles<'_>) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_MESSAGE_CHARS + 3));
    let mut count = 0;
    let mut before = None;
    let mut rest = text.trim();
    while let Some(c) = rest.chars().next() {
        let (piece, len) = match needles.match_at(before, rest) {
            Some(len) => (REDACTED, len),
            None => ("", c.len_utf8()),
        };
        let width = if piece.is_empty() { 1 } else { piece.len() };
        if count + width > MAX_MESSAGE_CHARS {
            out.push_str("...");
            break;
        }
        if piece.is_empty() {
            out.push(if is_hidden(c) { ' ' } else { c });
        } else {
            out.push_str(piece);
        }
        count += width;
        before = rest[..len].chars().next_back();
        rest = &rest[len..];
    }
    out
}

/// Reads `N` out of "... try again in N seconds" (any case), as the 429 body of current
/// servers words it.
pub(crate) fn parse_try_again(message: &str) -> Option<std::time::Duration> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find("try again in ")? + "try again in ".len();
    let rest = &lower[start..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = rest[digits.len()..].trim_start();
    if digits.is_empty() || !after.starts_with("second") {
        return None;
    }
    seconds(&digits)
}

/// The `Retry-After` header in its seconds form; the HTTP-date form is not used by
/// Infisical's rate limiter and is ignored.
pub(crate) fn parse_retry_after(value: &str) -> Option<std::time::Duration> {
    seconds(value.trim())
}

/// A number of seconds as a wait, at most [`MAX_RETRY_WAIT_SECS`]; a number too large for a
/// `u64` is as long as the longest wait, not unreadable.
fn seconds(text: &str) -> Option<std::time::Duration> {
    let secs = match text.parse::<u64>() {
        Ok(secs) => secs,
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => u64::MAX,
        Err(_) => return None,
    };
    Some(std::time::Duration::from_secs(
        secs.min(MAX_RETRY_WAIT_SECS),
    ))
}

/// Whether a value still holds a `${...}` reference after the server expanded what it could.
fn has_unexpanded_reference(value: &str) -> bool {
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(0) => rest = &after[1..],
            Some(_) => return true,
            None => return false,
        }
    }
    false
}

impl RawSecret {
    fn is_personal(&self) -> bool {
        self.kind.as_deref() == Some("personal")
    }

    /// The secret as the loader sees it; a hidden or unexpanded value is dropped (and wiped).
    fn into_stored(self) -> StoredSecret {
        let value = self.secret_value;
        let text = value.expose_secret();
        if self.secret_value_hidden == Some(true) || text == HIDDEN_VALUE {
            StoredSecret::withheld()
        } else if has_unexpanded_reference(text) {
            StoredSecret::unexpanded()
        } else {
            StoredSecret::value(value)
        }
    }

    #[cfg(test)]
    pub(crate) fn key(&self) -> &str {
        &self.secret_key
    }

    #[cfg(test)]
    pub(crate) fn value(&self) -> &str {
        self.secret_value.expose_secret()
    }
}

/// A successful list body as a load sees it: parsed, then merged as [`ListResponse::merge`]
/// says.
pub(crate) fn parse_listing(
    body: &[u8],
    listed: &Folder,
) -> Result<FolderSecrets, serde_json::Error> {
    serde_json::from_slice::<ListResponse>(body).map(|parsed| parsed.merge(listed))
}

impl ListResponse {
    /// The folder as the server and the CLI resolve it: the folder's own secrets first (a
    /// personal override beats the shared secret; otherwise the first of a duplicated key
    /// wins), then imports with the last import block winning.
    pub(crate) fn merge(self, listed: &Folder) -> FolderSecrets {
        let mut folder = FolderSecrets::new();
        let mut personal: HashMap<String, bool> = HashMap::new();
        for secret in self.secrets {
            let is_personal = secret.is_personal();
            match personal.get(&secret.secret_key) {
                Some(false) if is_personal => {}
                Some(_) => continue,
                None => {}
            }
            personal.insert(secret.secret_key.clone(), is_personal);
            let key = secret.secret_key.clone();
            folder.insert(key, secret.into_stored());
        }
        for block in self.imports.unwrap_or_default().into_iter().rev() {
            // The import's folder is shown (provenance, "imported from"): server text, cleaned.
            let environment = block
                .environment
                .map(|e| clean(&e))
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| listed.environment().to_owned());
            let path = block
                .secret_path
                .map_or_else(|| "/".to_owned(), |p| clean(&p));
            let from = Folder::new(environment, &path);
            for secret in block.secrets {
                if folder.get(&secret.secret_key).is_none() {
                    let key = secret.secret_key.clone();
                    folder.insert(key, secret.into_stored().imported_from(from.clone()));
                }
            }
        }
        folder
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::StoredValue;

    /// A recorded `.http` file: status, headers (lowercased names) and body.
    pub(crate) struct Recording {
        pub(crate) status: u16,
        pub(crate) headers: Vec<(String, String)>,
        pub(crate) body: String,
    }

    impl Recording {
        pub(crate) fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }

        pub(crate) fn error(&self) -> ErrorInfo {
            let html = self
                .header("content-type")
                .is_some_and(|v| v.contains("html"));
            ErrorInfo::parse(self.body.as_bytes(), html)
        }
    }

    pub(crate) fn raw_recording(name: &str) -> String {
        raw_recording_in("infisical-2024-10", name)
    }

    fn raw_recording_in(dir: &str, name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/{dir}/{name}.http",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub(crate) fn recording(name: &str) -> Recording {
        parse_recording(&raw_recording(name))
    }

    /// A recording of the June 2025 server (`tests/fixtures/infisical-2025-06`).
    pub(crate) fn recording_2025(name: &str) -> Recording {
        parse_recording(&raw_recording_in("infisical-2025-06", name))
    }

    fn parse_recording(raw: &str) -> Recording {
        let (head, body) = raw
            .split_once("\r\n\r\n")
            .or_else(|| raw.split_once("\n\n"))
            .unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Recording {
            status,
            headers,
            body: body.to_owned(),
        }
    }

    pub(crate) fn example(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/infisical-api-examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn list(body: &str, folder: &Folder) -> FolderSecrets {
        serde_json::from_str::<ListResponse>(body)
            .unwrap()
            .merge(folder)
    }

    fn value<'a>(folder: &'a FolderSecrets, key: &str) -> &'a str {
        match folder.get(key).map(StoredSecret::stored_value) {
            Some(StoredValue::Value(v)) => v.expose_secret(),
            other => panic!("{key}: {other:?}"),
        }
    }

    fn import_of(folder: &FolderSecrets, key: &str) -> Option<String> {
        folder.get(key).unwrap().import().map(ToString::to_string)
    }

    fn prod(path: &str) -> Folder {
        Folder::new("prod", path)
    }

    #[test]
    fn v10_plain_listing_parses_every_secret() {
        let r = recording("v10-list-raw-prod-root");
        assert_eq!(r.status, 200);
        let f = list(&r.body, &prod("/"));
        assert_eq!(f.len(), 6);
        assert_eq!(value(&f, "APP_ENV"), "production");
        assert_eq!(value(&f, "DB_PASSWORD"), "dummy-db-password");
        // Not expanded in this call: the reference is reported, its text dropped.
        assert!(matches!(
            f.get("READONLY_DATABASE_URL").unwrap().stored_value(),
            StoredValue::UnexpandedReference
        ));
    }

    #[test]
    fn v11_expanded_reference_is_a_value() {
        let f = list(&recording("v11-list-raw-prod-root-expand").body, &prod("/"));
        assert_eq!(
            value(&f, "READONLY_DATABASE_URL"),
            "postgres://readonly:dummy-db-password@db-replica.internal:5432/app"
        );
    }

    #[test]
    fn v12_folder_shadows_its_import() {
        let f = list(
            &recording("v12-list-raw-prod-root-include-imports").body,
            &prod("/"),
        );
        assert_eq!(value(&f, "APP_ENV"), "production");
        assert_eq!(import_of(&f, "APP_ENV"), None);
        assert_eq!(value(&f, "SENTRY_DSN"), "https://dummy@sentry.invalid/1");
        assert_eq!(import_of(&f, "SENTRY_DSN").as_deref(), Some("prod:/shared"));
        assert_eq!(value(&f, "LOG_LEVEL"), "info");
        assert_eq!(import_of(&f, "LOG_LEVEL").as_deref(), Some("prod:/shared"));
        assert_eq!(f.len(), 8);
    }

    #[test]
    fn v13_recursive_duplicates_keep_the_first() {
        let r = recording("v13-list-raw-prod-root-recursive");
        let parsed: ListResponse = serde_json::from_str(&r.body).unwrap();
        let first_app_env = parsed
            .secrets
            .iter()
            .find(|s| s.key() == "APP_ENV")
            .unwrap()
            .value()
            .to_owned();
        let f = parsed.merge(&prod("/"));
        assert_eq!(value(&f, "APP_ENV"), first_app_env);
        assert!(f.get("LANGSMITH_API_KEY").is_some());
    }

    #[test]
    fn v14_references_expanded_across_folders() {
        let f = list(
            &recording("v14-list-raw-prod-root-recursive-expand-imports").body,
            &prod("/"),
        );
        assert_eq!(
            value(&f, "AGENT_DB_URL"),
            "postgres://app:dummy-db-password@db.internal:5432/app?application_name=claude-3-5-sonnet-20241022"
        );
        assert_eq!(
            value(&f, "AGENT_ANTHROPIC_API_KEY"),
            "sk-ant-dummy-0000000000000000000000000000"
        );
    }

    #[test]
    fn v15_v17_unexpanded_cross_path_references_are_flagged() {
        for name in [
            "v15-list-raw-prod-langgraph-agent",
            "v17-list-raw-prod-langgraph-agent-trailing-slash",
        ] {
            let f = list(&recording(name).body, &prod("/langgraph-agent"));
            assert!(
                matches!(
                    f.get("AGENT_ANTHROPIC_API_KEY").unwrap().stored_value(),
                    StoredValue::UnexpandedReference
                ),
                "{name}"
            );
            assert_eq!(value(&f, "AGENT_MODEL"), "claude-3-5-sonnet-20241022");
        }
    }

    #[test]
    fn v16_cross_path_reference_expanded_and_multiline_kept() {
        let f = list(
            &recording("v16-list-raw-prod-langgraph-agent-expand").body,
            &prod("/langgraph-agent"),
        );
        assert_eq!(
            value(&f, "AGENT_ANTHROPIC_API_KEY"),
            "sk-ant-dummy-0000000000000000000000000000"
        );
        assert_eq!(
            value(&f, "AGENT_DB_URL"),
            "postgres://app:dummy-db-password@db.internal:5432/app?application_name=claude-3-5-sonnet-20241022"
        );
        assert!(value(&f, "TLS_CA_PEM").contains("\nMIIBdummydummydummy\n"));
    }

    #[test]
    fn v18_v19_v49_v82_listings() {
        let dev = list(
            &recording("v18-list-raw-dev-root").body,
            &Folder::new("dev", "/"),
        );
        assert_eq!(value(&dev, "APP_ENV"), "development");
        assert_eq!(dev.len(), 4);
        for name in [
            "v19-list-raw-prod-root-by-workspace-slug",
            "v49-list-raw-admin-user-jwt",
            "v70-ratelimit-last-allowed-remaining-0",
            "v82-list-raw-prod-root-viewer-role",
        ] {
            let f = list(&recording(name).body, &prod("/"));
            assert_eq!(
                value(&f, "DATABASE_URL"),
                "postgres://app:dummy-db-password@db.internal:5432/app",
                "{name}"
            );
            assert_eq!(f.len(), 6, "{name}");
        }
    }

    #[test]
    fn v20_v43_v45_empty_listings() {
        for name in [
            "v20-list-raw-staging-empty",
            "v43-list-raw-bad-environment",
            "v45-list-raw-missing-folder",
            "v52-v3-encrypted-list",
        ] {
            let r = recording(name);
            assert_eq!(r.status, 200);
            assert!(
                list(&r.body, &Folder::new("staging", "/")).is_empty(),
                "{name}"
            );
        }
    }

    #[test]
    fn v30_v38_single_gets_parse() {
        let cases = [
            ("v30-get-raw-prod-DATABASE_URL", "DATABASE_URL"),
            (
                "v31-get-raw-prod-READONLY_DATABASE_URL",
                "READONLY_DATABASE_URL",
            ),
            (
                "v32-get-raw-prod-READONLY_DATABASE_URL-expand",
                "READONLY_DATABASE_URL",
            ),
            (
                "v33-get-raw-prod-langgraph-agent-AGENT_DB_URL-expand",
                "AGENT_DB_URL",
            ),
            ("v34-get-raw-prod-root-SENTRY_DSN-imported", "SENTRY_DSN"),
            ("v37-get-raw-prod-langgraph-agent-TLS_CA_PEM", "TLS_CA_PEM"),
            ("v38-get-raw-prod-DATABASE_URL-version-1", "DATABASE_URL"),
        ];
        for (name, key) in cases {
            let r = recording(name);
            let got: GetResponse = serde_json::from_str(&r.body).unwrap();
            assert_eq!(got.secret.key(), key, "{name}");
        }
        let v32: GetResponse =
            serde_json::from_str(&recording("v32-get-raw-prod-READONLY_DATABASE_URL-expand").body)
                .unwrap();
        assert!(!has_unexpanded_reference(v32.secret.value()));
        let v31: GetResponse =
            serde_json::from_str(&recording("v31-get-raw-prod-READONLY_DATABASE_URL").body)
                .unwrap();
        assert!(has_unexpanded_reference(v31.secret.value()));
        let current: GetResponse = serde_json::from_str(&example("get-secret-v4.json")).unwrap();
        assert_eq!(current.secret.key(), "DATABASE_URL");
    }

    #[test]
    fn current_listing_with_two_imports() {
        let f = list(
            &example("list-secrets-v4-with-imports.json"),
            &prod("/backend"),
        );
        assert_eq!(
            value(&f, "DATABASE_URL"),
            "postgres://app:dummy-password@db.internal:5432/app"
        );
        assert_eq!(value(&f, "LOG_LEVEL"), "info");
        assert_eq!(import_of(&f, "LOG_LEVEL"), None);
        assert!(matches!(
            f.get("FEATURE_FLAGS_URL").unwrap().stored_value(),
            StoredValue::UnexpandedReference
        ));
        // The later import block wins.
        assert_eq!(
            value(&f, "SENTRY_DSN"),
            "https://otherdummy@o0.ingest.example.invalid/2"
        );
        assert_eq!(import_of(&f, "SENTRY_DSN").as_deref(), Some("common:/"));
        assert_eq!(f.len(), 4);
    }

    #[test]
    fn hidden_values_are_withheld() {
        let body = r#"{"secrets":[
            {"secretKey":"A","secretValue":"<hidden-by-infisical>","type":"shared"},
            {"secretKey":"B","secretValue":"whatever","secretValueHidden":true},
            {"secretKey":"C","secretValue":"shown","secretValueHidden":false}
        ],"imports":[{"secretPath":"/x","environment":"prod","secrets":[
            {"secretKey":"D","secretValue":"<hidden-by-infisical>","secretValueHidden":true}
        ]}]}"#;
        let f = list(body, &prod("/"));
        for key in ["A", "B", "D"] {
            assert!(
                matches!(f.get(key).unwrap().stored_value(), StoredValue::Withheld),
                "{key}"
            );
        }
        assert_eq!(value(&f, "C"), "shown");
        assert_eq!(import_of(&f, "D").as_deref(), Some("prod:/x"));
    }

    #[test]
    fn personal_beats_shared_and_duplicates_do_not_panic() {
        let body = r#"{"secrets":[
            {"secretKey":"K","secretValue":"shared","type":"shared"},
            {"secretKey":"K","secretValue":"mine","type":"personal"},
            {"secretKey":"K","secretValue":"shared-again","type":"shared"},
            {"secretKey":"P","secretValue":"mine-first","type":"personal"},
            {"secretKey":"P","secretValue":"shared-later","type":"shared"},
            {"secretKey":"D","secretValue":"first"},
            {"secretKey":"D","secretValue":"second"}
        ]}"#;
        let f = list(body, &prod("/"));
        assert_eq!(value(&f, "K"), "mine");
        assert_eq!(value(&f, "P"), "mine-first");
        assert_eq!(value(&f, "D"), "first");
    }

    #[test]
    fn defensive_shapes() {
        // No folderId, null imports, extra fields, import without environment.
        let body = r#"{"secrets":[],"imports":[{"secretPath":"/gone","secrets":[
            {"secretKey":"X","secretValue":"1","extra":{"a":[1,2]}}]}],"more":true}"#;
        let f = list(body, &prod("/"));
        assert_eq!(import_of(&f, "X").as_deref(), Some("prod:/gone"));
        assert!(list(r#"{"secrets":[],"imports":null}"#, &prod("/")).is_empty());
        // Wrong shapes are errors, not empty listings.
        assert!(serde_json::from_str::<ListResponse>("{}").is_err());
        assert!(serde_json::from_str::<ListResponse>(r#"{"secrets":{}}"#).is_err());
        assert!(
            serde_json::from_str::<ListResponse>(r#"{"secrets":[{"secretKey":"A"}]}"#).is_err()
        );
    }

    #[test]
    fn arrays_are_not_objects_at_any_level() {
        // serde's derive reads a struct from an array of its fields too; none of these is a
        // listing, however well the fields line up.
        for body in [
            "[[]]",
            r#"[[["DATABASE_URL","V"]]]"#,
            r#"[[["DATABASE_URL","V"]],[]]"#,
            r#"{"secrets":[["DATABASE_URL","V"]]}"#,
            r#"{"secrets":[],"imports":[["/x","prod",[]]]}"#,
            r#"{"secrets":[],"imports":[{"secretPath":"/x","secrets":[["DATABASE_URL","V"]]}]}"#,
        ] {
            assert!(
                serde_json::from_str::<ListResponse>(body).is_err(),
                "{body}"
            );
        }
        for body in [r#"["eyJ.a.b"]"#, r#"["eyJ.a.b",7200,86400]"#] {
            assert!(
                serde_json::from_str::<LoginResponse>(body).is_err(),
                "{body}"
            );
        }
        assert!(serde_json::from_str::<GetResponse>(r#"[["K","V"]]"#).is_err());
        // The objects themselves still parse.
        let f = list(
            r#"{"secrets":[{"secretKey":"A","secretValue":"1"}],"imports":[]}"#,
            &prod("/"),
        );
        assert_eq!(value(&f, "A"), "1");
    }

    #[test]
    fn unexpanded_reference_detection() {
        assert!(has_unexpanded_reference("a${B}c"));
        assert!(has_unexpanded_reference("${env.folder.KEY}"));
        assert!(!has_unexpanded_reference("plain $HOME ${"));
        assert!(!has_unexpanded_reference("${}"));
        assert!(!has_unexpanded_reference("$ {X}"));
    }

    #[test]
    fn login_responses_parse() {
        for name in [
            "v02-ua-login",
            "v06-ua-login-form-encoded",
            "v61-ua-login-for-revoke",
        ] {
            let login: LoginResponse = serde_json::from_str(&recording(name).body).unwrap();
            assert!(login.access_token.expose_secret().starts_with("eyJ"));
            assert_eq!(login.expires_in, Some(2_592_000));
        }
        let short: LoginResponse =
            serde_json::from_str(&recording("v80-ua-login-short-ttl").body).unwrap();
        assert_eq!(
            (short.expires_in, short.access_token_max_ttl),
            (Some(5), Some(3600))
        );
        let renew: LoginResponse =
            serde_json::from_str(&recording("v81-token-renew-ok").body).unwrap();
        assert_eq!(renew.expires_in, Some(5));
        let current: LoginResponse =
            serde_json::from_str(&example("universal-auth-login.json")).unwrap();
        assert_eq!(
            (current.expires_in, current.access_token_max_ttl),
            (Some(7200), Some(86400))
        );
    }

    #[test]
    #[allow(clippy::too_many_lines, reason = "one row per recording")]
    fn error_bodies_of_every_recording() {
        let cases: &[(&str, u16, Option<&str>, &str)] = &[
            (
                "v03-ua-login-wrong-client-secret",
                401,
                Some("UnauthorizedError"),
                "Invalid credentials",
            ),
            (
                "v04-ua-login-unknown-client-id",
                404,
                Some("NotFound"),
                "No identity with specified client ID was found",
            ),
            (
                "v05-ua-login-missing-client-secret",
                401,
                Some("ValidationFailure"),
                "clientSecret: Required",
            ),
            (
                "v35-get-raw-prod-root-SENTRY_DSN-no-imports",
                404,
                Some("NotFound"),
                "Secret not found",
            ),
            (
                "v40-list-raw-garbage-token",
                403,
                Some("TokenError"),
                "The provided access token is malformed",
            ),
            (
                "v41-list-raw-no-auth",
                401,
                Some("UnauthorizedError"),
                "Token missing",
            ),
            (
                "v42-list-raw-forged-jwt",
                403,
                Some("TokenError"),
                "invalid signature",
            ),
            (
                "v44-list-raw-missing-environment",
                400,
                Some("BadRequest"),
                "Missing workspace id or environment",
            ),
            (
                "v46-list-raw-unknown-workspace",
                404,
                Some("NotFound"),
                "Project not found during bot lookup",
            ),
            (
                "v47-list-raw-bad-bool-param",
                401,
                Some("ValidationFailure"),
                "expandSecretReferences: Invalid enum value",
            ),
            (
                "v48-get-raw-bad-environment",
                404,
                Some("Create secret"),
                "Folder not found",
            ),
            (
                "v50-v4-secrets-list",
                404,
                Some("Not Found"),
                "Route GET:/api/v4/secrets",
            ),
            (
                "v51-v4-secret-get",
                404,
                Some("Not Found"),
                "Route GET:/api/v4/secrets/DATABASE_URL",
            ),
            (
                "v60-token-renew",
                401,
                Some("UnauthorizedError"),
                "past its Max TTL",
            ),
            (
                "v63-list-raw-revoked-token",
                401,
                Some("UnauthorizedError"),
                "No identity access token found",
            ),
            (
                "v64-list-raw-after-failed-renew",
                401,
                Some("UnauthorizedError"),
                "No identity access token found",
            ),
            (
                "v70-ratelimit-exceeded-returns-500",
                500,
                Some("InternalServerError"),
                "Something went wrong",
            ),
            (
                "v71-ratelimit-500-with-other-identity-same-ip",
                500,
                Some("InternalServerError"),
                "Something went wrong",
            ),
            (
                "v83-list-raw-expired-token",
                401,
                Some("UnauthorizedError"),
                "TTL expiration",
            ),
            (
                "v84-list-raw-expired-token-again",
                401,
                Some("UnauthorizedError"),
                "No identity access token found",
            ),
            (
                "v85-token-renew-expired",
                401,
                Some("UnauthorizedError"),
                "No identity access token found",
            ),
            (
                "v86-create-secret-viewer-forbidden",
                403,
                Some("PermissionDenied"),
                "not allowed to create",
            ),
            (
                "v87-list-raw-no-bearer-prefix",
                403,
                Some("TokenError"),
                "invalid token",
            ),
        ];
        for (name, status, error, message) in cases {
            let r = recording(name);
            assert_eq!(r.status, *status, "{name}");
            let info = r.error();
            assert_eq!(info.name.as_deref(), *error, "{name}");
            let got = info.message.clone().unwrap_or_default();
            assert!(got.contains(message), "{name}: {got}");
            assert_eq!(info.req_id, None, "{name}: 2024-10 sends no reqId");
            assert_eq!(info.route_missing, name.starts_with("v5"), "{name}");
        }
        let expired = ErrorInfo::parse(example("error-403-token-expired.json").as_bytes(), false);
        assert!(expired.is_named("TokenError"));
        assert_eq!(expired.req_id.as_deref(), Some("req-9QpT2vLx7mWcR4aZ"));
        let missing = ErrorInfo::parse(
            example("error-404-secret-path-not-found.json").as_bytes(),
            false,
        );
        assert!(missing.is_named("SecretPathNotFound"));
        assert!(!missing.route_missing);
        let limited = ErrorInfo::parse(example("error-429-rate-limited.json").as_bytes(), false);
        assert!(limited.is_named("RateLimitExceeded"));
        assert_eq!(
            limited.retry_hint(),
            Some(std::time::Duration::from_secs(42))
        );
    }

    #[test]
    fn html_and_garbage_error_bodies() {
        let html = ErrorInfo::parse(b"<!DOCTYPE html><html><body>404</body></html>", false);
        assert!(html.route_missing);
        assert!(ErrorInfo::parse(b"{}", true).route_missing);
        assert_eq!(ErrorInfo::parse(b"not json", false), ErrorInfo::default());
        // Not an error body either: an array in its place, or in place of a zod issue.
        let array = ErrorInfo::parse(br#"["PermissionDenied","denied","req-1"]"#, false);
        assert_eq!(array, ErrorInfo::default());
        let issues = ErrorInfo::parse(br#"{"message":[["invalid",["a"]]],"error":"X"}"#, false);
        assert_eq!(issues.message, None);
        let odd = ErrorInfo::parse(br#"{"message":{"nested":1},"error":"X"}"#, false);
        assert_eq!((odd.name.as_deref(), odd.message), (Some("X"), None));
    }

    #[test]
    fn bidi_controls_and_separators_are_not_shown() {
        let tricks =
            "a\u{202E}b\u{2066}c\u{2069}d\u{200F}e\u{061C}f\u{2028}g\u{2029}h\u{200B}i\u{FEFF}j";
        assert_eq!(clean(tricks), "a b c d e f g h i j");
        let body =
            serde_json::json!({"message": tricks, "error": "E\u{202E}F", "reqId": "r\u{2028}1"})
                .to_string();
        let info = ErrorInfo::parse(body.as_bytes(), false);
        assert_eq!(info.message.as_deref(), Some("a b c d e f g h i j"));
        assert_eq!(info.name.as_deref(), Some("E F"));
        assert_eq!(info.req_id.as_deref(), Some("r 1"));
    }

    #[test]
    fn import_folders_are_cleaned_before_they_are_shown() {
        let body = r#"{"secrets":[],"imports":[{"secretPath":"/x\u2028y\u202e","environment":"co\u2066mmon","secrets":[
            {"secretKey":"K","secretValue":"v"}]}]}"#;
        let f = list(body, &prod("/"));
        assert_eq!(import_of(&f, "K").as_deref(), Some("co mmon:/x y"));
    }

    #[test]
    fn what_the_client_sent_is_redacted_from_server_text() {
        let secret = "cl!ent-\"secret\"\\x";
        let token = "eyJhbGciOiJIUzI1NiJ9.e30.sig";
        let mut folder = FolderSecrets::new();
        folder.insert(
            "DB",
            StoredSecret::value(SecretString::from("pg-password-1")),
        );
        folder.insert("N", StoredSecret::value(SecretString::from("42")));
        let mut redactions = Redactions::default();
        redactions.add(secret);
        redactions.add(token);
        redactions.add_folder(&folder);
        // The login body echoed as JSON inside the message: the escaped form is caught too.
        let echoed = serde_json::json!({"clientId": "id", "clientSecret": secret}).to_string();
        let body = serde_json::json!({
            "message": format!("bad body {echoed} with Bearer {token}, value pg-password-1"),
            "error": format!("E{token}"),
            "reqId": "req-42x",
        })
        .to_string();
        let info = ErrorInfo::parse_redacted(body.as_bytes(), false, &redactions);
        let message = info.message.unwrap();
        assert_eq!(
            message,
            r#"bad body {"clientId":"id","clientSecret":"[REDACTED]"} with Bearer [REDACTED], value [REDACTED]"#
        );
        assert_eq!(info.name.as_deref(), Some("E[REDACTED]"));
        // A short value is redacted as a word only.
        assert_eq!(info.req_id.as_deref(), Some("req-42x"));
        assert_eq!(
            clean_redacted("try again in 42 seconds", &redactions),
            "try again in [REDACTED] seconds"
        );
        // Matched before controls become spaces and before the cap: no piece of it is left.
        let split = format!("{}{token}", "x".repeat(295));
        let shown = clean_redacted(&split, &redactions);
        assert_eq!(shown, format!("{}...", "x".repeat(295)));
        let with_newline = "line1\nline2-of-a-pem";
        let mut pem = Redactions::default();
        pem.add(with_newline);
        assert_eq!(
            clean_redacted(&format!("<{with_newline}>"), &pem),
            "<[REDACTED]>"
        );
    }

    #[test]
    fn messages_are_capped_and_stripped() {
        let long = format!("a\u{1b}[31mb\r\nc{}", "x".repeat(1000));
        let body = serde_json::json!({"message": long, "error": "E\nF"}).to_string();
        let info = ErrorInfo::parse(body.as_bytes(), false);
        let message = info.message.unwrap();
        assert!(!message.chars().any(char::is_control));
        assert_eq!(message.chars().count(), 303);
        assert_eq!(info.name.as_deref(), Some("E F"));
    }

    #[test]
    fn retry_hints() {
        use std::time::Duration;
        assert_eq!(
            parse_try_again("Rate limit exceeded. Please try again in 42 seconds"),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            parse_try_again("Try again in 1 second"),
            Some(Duration::from_secs(1))
        );
        assert_eq!(parse_try_again("try again in a minute"), None);
        assert_eq!(parse_try_again("try again in 5 minutes"), None);
        assert_eq!(parse_retry_after(" 60 "), Some(Duration::from_mins(1)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        // However large the number, the wait is at most a day.
        assert_eq!(
            parse_retry_after("18446744073709551616"),
            Some(Duration::from_hours(24))
        );
        assert_eq!(
            parse_try_again("try again in 99999999999999999999999 seconds"),
            Some(Duration::from_hours(24))
        );
        let v70 = recording("v70-ratelimit-exceeded-returns-500");
        assert_eq!(
            v70.header("retry-after").and_then(parse_retry_after),
            Some(Duration::from_mins(1))
        );
    }
}

#[cfg(test)]
pub(crate) mod recordings_2025 {
    //! Every response of the June 2025 server that the client can receive, through the
    //! client's own parsers (recordings in `tests/fixtures/infisical-2025-06`).

    use super::tests::{Recording, recording_2025};
    use super::*;
    use crate::store::StoredValue;

    fn prod(path: &str) -> Folder {
        Folder::new("prod", path)
    }

    fn listing(name: &str, folder: &Folder) -> FolderSecrets {
        let r = recording_2025(name);
        assert_eq!(r.status, 200, "{name}");
        parse_listing(r.body.as_bytes(), folder).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn value<'a>(name: &str, folder: &'a FolderSecrets, key: &str) -> &'a str {
        match folder.get(key).map(StoredSecret::stored_value) {
            Some(StoredValue::Value(v)) => v.expose_secret(),
            other => panic!("{name}: {key}: {other:?}"),
        }
    }

    fn is_unexpanded(folder: &FolderSecrets, key: &str) -> bool {
        matches!(
            folder.get(key).map(StoredSecret::stored_value),
            Some(StoredValue::UnexpandedReference)
        )
    }

    fn sorted_keys(folder: &FolderSecrets) -> Vec<&str> {
        let mut keys: Vec<&str> = folder.keys().collect();
        keys.sort_unstable();
        keys
    }

    const ROOT_KEYS: [&str; 7] = [
        "ANTHROPIC_API_KEY",
        "APP_ENV",
        "BROKEN_REF",
        "DATABASE_URL",
        "DB_PASSWORD",
        "JWT_SIGNING_SECRET",
        "READONLY_DATABASE_URL",
    ];
    const READONLY_URL: &str = "postgres://readonly:prod-db-pass-1@db-replica.internal:5432/app";

    /// prod `/` as the library's query lists it: expanded, `/shared` merged under it.
    fn assert_library_root(name: &str) {
        let f = listing(name, &prod("/"));
        let mut keys = ROOT_KEYS.to_vec();
        keys.extend(["LOG_LEVEL", "SENTRY_DSN"]);
        keys.sort_unstable();
        assert_eq!(sorted_keys(&f), keys, "{name}");
        // The folder's own APP_ENV beats the imported one.
        assert_eq!(value(name, &f, "APP_ENV"), "production", "{name}");
        assert_eq!(f.get("APP_ENV").unwrap().import(), None, "{name}");
        assert_eq!(
            value(name, &f, "SENTRY_DSN"),
            "https://dummy@sentry.example/1"
        );
        assert_eq!(
            f.get("SENTRY_DSN").unwrap().import(),
            Some(&prod("/shared")),
            "{name}"
        );
        assert_eq!(
            value(name, &f, "READONLY_DATABASE_URL"),
            READONLY_URL,
            "{name}"
        );
        // A dangling reference comes back literally: reported, never used.
        assert!(is_unexpanded(&f, "BROKEN_REF"), "{name}");
    }

    #[test]
    fn listings_2025() {
        for name in [
            "v16-v4-list-prod-root-library-query",
            "v18-v4-list-prod-root-if-none-match-stale",
            "v41-v3-raw-list-prod-root-library-query",
            "v77-v4-list-root-describe-mostly-library-query",
            "v82-v4-list-prod-root-viewer-role",
            "v91-cloudmode-ratelimit-last-allowed",
            "v95-selfhosted-list-after-399-lists-no-ratelimit",
        ] {
            assert_library_root(name);
        }
        // Defaults, and camelCase `includeImports` ignored: no expansion, no imports.
        for name in [
            "v10-v4-list-prod-root-defaults",
            "v13-v4-list-prod-root-includeImports-camelcase",
            "v40-v3-raw-list-prod-root",
            "v47-v3-raw-list-by-workspace-slug",
        ] {
            let f = listing(name, &prod("/"));
            assert_eq!(sorted_keys(&f), ROOT_KEYS, "{name}");
            assert!(is_unexpanded(&f, "READONLY_DATABASE_URL"), "{name}");
            assert_eq!(value(name, &f, "DB_PASSWORD"), "prod-db-pass-1", "{name}");
        }
        for name in [
            "v11-v4-list-prod-root-expand",
            "v29-v4-list-broken-reference-is-in-root",
        ] {
            let f = listing(name, &prod("/"));
            assert_eq!(sorted_keys(&f), ROOT_KEYS, "{name}");
            assert_eq!(value(name, &f, "READONLY_DATABASE_URL"), READONLY_URL);
            assert!(is_unexpanded(&f, "BROKEN_REF"), "{name}");
        }
        let imports = listing("v12-v4-list-prod-root-include-imports", &prod("/"));
        assert_eq!(imports.len(), 9);
        assert_eq!(value("v12", &imports, "APP_ENV"), "production");
        assert_eq!(value("v12", &imports, "LOG_LEVEL"), "info");
        assert!(is_unexpanded(&imports, "READONLY_DATABASE_URL"));

        // Recursive: one flat list; of the key in two folders the first listed is kept.
        for name in [
            "v14-v4-list-prod-root-recursive",
            "v15-v4-list-prod-root-recursive-expand-imports",
            "v43-v3-raw-list-prod-root-recursive-expand-imports",
        ] {
            let f = listing(name, &prod("/"));
            assert_eq!(f.len(), 16, "{name}");
            assert_eq!(value(name, &f, "APP_ENV"), "production", "{name}");
            assert_eq!(value(name, &f, "VISIBLE_KEY"), "visible-value", "{name}");
        }

        for name in [
            "v19-v4-list-prod-langgraph-agent-library-query",
            "v20-v4-list-prod-langgraph-agent-trailing-slash",
        ] {
            let f = listing(name, &prod("/langgraph-agent"));
            assert_eq!(f.len(), 5, "{name}");
            assert_eq!(
                value(name, &f, "AGENT_ANTHROPIC_API_KEY"),
                "sk-ant-dummy-prod-0001"
            );
            assert_eq!(
                value(name, &f, "AGENT_DB_URL"),
                "postgres://app:prod-db-pass-1@db.internal:5432/app?application_name=claude-sonnet"
            );
            assert_eq!(
                value(name, &f, "TLS_CA_PEM"),
                "-----BEGIN CERTIFICATE-----\nMIIBdummy\nline2\n-----END CERTIFICATE-----"
            );
        }
        let dev = listing("v21-v4-list-dev-root", &Folder::new("dev", "/"));
        assert_eq!(dev.len(), 4);
        assert_eq!(value("v21", &dev, "APP_ENV"), "development");

        // Empty folder, unknown environment, missing folder: all an empty listing.
        for name in [
            "v22-v4-list-staging-empty",
            "v23-v4-list-unknown-environment",
            "v24-v4-list-missing-folder",
            "v44-v3-raw-list-unknown-environment",
            "v45-v3-raw-list-missing-folder",
        ] {
            assert!(listing(name, &prod("/")).is_empty(), "{name}");
        }

        // Listed without values: every value withheld, the readable one too.
        let hidden = listing(
            "v72-v4-list-restricted-describe-mostly-viewSecretValue-false",
            &prod("/restricted"),
        );
        assert_eq!(sorted_keys(&hidden), ["HIDDEN_KEY", "VISIBLE_KEY"]);
        for key in ["HIDDEN_KEY", "VISIBLE_KEY"] {
            assert!(matches!(
                hidden.get(key).unwrap().stored_value(),
                StoredValue::Withheld
            ));
        }

        // A 304 has no body to parse; the listing is reused.
        for name in [
            "v17-v4-list-prod-root-if-none-match-304",
            "v42-v3-raw-list-if-none-match-304",
        ] {
            let r = recording_2025(name);
            assert_eq!((r.status, r.body.as_str()), (304, ""), "{name}");
            assert!(r.header("etag").is_some(), "{name}");
        }
    }

    #[test]
    fn single_gets_2025() {
        let cases = [
            (
                "v30-v4-get-DATABASE_URL",
                "postgres://app:prod-db-pass-1@db.internal:5432/app",
            ),
            ("v31-v4-get-READONLY_DATABASE_URL-expand", READONLY_URL),
            (
                "v32-v4-get-AGENT_DB_URL-expand",
                "postgres://app:prod-db-pass-1@db.internal:5432/app?application_name=claude-sonnet",
            ),
            (
                "v33-v4-get-SENTRY_DSN-imported",
                "https://dummy@sentry.example/1",
            ),
            (
                "v46-v3-raw-get-DATABASE_URL",
                "postgres://app:prod-db-pass-1@db.internal:5432/app",
            ),
            ("v75-v4-get-VISIBLE_KEY-describe-mostly", "visible-value"),
        ];
        for (name, expected) in cases {
            let r = recording_2025(name);
            assert_eq!(r.status, 200, "{name}");
            match parse_single(r.body.as_bytes()).unwrap().stored_value() {
                StoredValue::Value(v) => assert_eq!(v.expose_secret(), expected, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        let broken = recording_2025("v37-v4-get-BROKEN_REF-expand");
        assert!(matches!(
            parse_single(broken.body.as_bytes()).unwrap().stored_value(),
            StoredValue::UnexpandedReference
        ));
        let hidden = recording_2025("v74-v4-get-HIDDEN_KEY-describe-mostly-viewSecretValue-false");
        assert!(matches!(
            parse_single(hidden.body.as_bytes()).unwrap().stored_value(),
            StoredValue::Withheld
        ));
    }

    #[test]
    fn logins_and_renewals_2025() {
        let login: LoginResponse =
            serde_json::from_str(&recording_2025("v02-ua-login").body).unwrap();
        assert_eq!(
            (login.expires_in, login.access_token_max_ttl),
            (Some(2_592_000), Some(2_592_000))
        );
        let short: LoginResponse =
            serde_json::from_str(&recording_2025("v80-ua-login-short-ttl").body).unwrap();
        let renewed: LoginResponse =
            serde_json::from_str(&recording_2025("v81-token-renew-ok").body).unwrap();
        assert_eq!(
            (renewed.expires_in, renewed.access_token_max_ttl),
            (Some(5), Some(3600))
        );
        // 2025 renews to a new JWT.
        assert_ne!(
            renewed.access_token.expose_secret(),
            short.access_token.expose_secret()
        );
    }

    #[test]
    #[allow(clippy::too_many_lines, reason = "one row per recording")]
    fn error_bodies_2025() {
        let cases: &[(&str, u16, &str, &str)] = &[
            (
                "v03-ua-login-wrong-client-secret",
                401,
                "UnauthorizedError",
                "Invalid credentials",
            ),
            (
                "v04-ua-login-unknown-client-id",
                404,
                "NotFound",
                "No identity with specified client ID was found",
            ),
            (
                "v05-ua-login-missing-client-secret",
                422,
                "ValidationFailure",
                "clientSecret: Required",
            ),
            (
                "v25-v4-list-unknown-project",
                404,
                "NotFound",
                "not found during bot lookup",
            ),
            (
                "v26-v4-list-missing-project-id",
                400,
                "BadRequest",
                "Missing project id or environment",
            ),
            (
                "v27-v4-list-bad-bool-param",
                422,
                "ValidationFailure",
                "expandSecretReferences: Invalid enum value",
            ),
            (
                "v28-v4-list-workspaceId-instead-of-projectId",
                400,
                "BadRequest",
                "Missing project id or environment",
            ),
            (
                "v34-v4-get-SENTRY_DSN-no-imports",
                404,
                "NotFound",
                "Secret with name 'SENTRY_DSN' not found",
            ),
            (
                "v35-v4-get-MISSING_KEY",
                404,
                "NotFound",
                "Secret with name 'MISSING_KEY' not found",
            ),
            (
                "v36-v4-get-unknown-environment",
                404,
                "GetSecretByName",
                "environment with slug 'nosuchenv'",
            ),
            (
                "v48-v3-raw-get-unknown-environment",
                404,
                "GetSecretByName",
                "environment with slug 'nosuchenv'",
            ),
            (
                "v50-list-garbage-token",
                403,
                "TokenError",
                "The provided access token is malformed",
            ),
            (
                "v51-list-no-auth",
                401,
                "UnauthorizedError",
                "Token missing",
            ),
            (
                "v52-list-forged-jwt",
                403,
                "TokenError",
                "invalid signature",
            ),
            (
                "v53-list-no-bearer-prefix",
                403,
                "TokenError",
                "invalid token",
            ),
            (
                "v60-token-renew-ttl-equals-max",
                401,
                "UnauthorizedError",
                "past its Max TTL expiration",
            ),
            (
                "v61-list-after-failed-renew",
                401,
                "UnauthorizedError",
                "No identity access token found",
            ),
            (
                "v64-list-revoked-token",
                401,
                "UnauthorizedError",
                "No identity access token found",
            ),
            (
                "v71-v4-list-restricted-describe-mostly-library-query",
                403,
                "PermissionDenied",
                "You are not allowed to readValue on secrets",
            ),
            (
                "v73-v4-get-HIDDEN_KEY-describe-mostly",
                403,
                "ForbiddenReadSecretError",
                "view secret value on secret with name 'HIDDEN_KEY'",
            ),
            (
                "v76-v3-raw-list-restricted-describe-mostly",
                403,
                "PermissionDenied",
                "You are not allowed to readValue on secrets",
            ),
            (
                "v83-list-expired-token",
                403,
                "TokenError",
                "Your token has expired",
            ),
            (
                "v84-list-expired-token-again",
                403,
                "TokenError",
                "Your token has expired",
            ),
            (
                "v85-token-renew-expired",
                403,
                "TokenError",
                "Your token has expired",
            ),
            (
                "v92-cloudmode-ratelimit-exceeded",
                429,
                "RateLimitExceeded",
                "try again in 58 seconds",
            ),
            (
                "v93-cloudmode-ratelimit-other-identity-same-ip",
                429,
                "RateLimitExceeded",
                "try again in 58 seconds",
            ),
        ];
        let mut req_ids = Vec::new();
        for (name, status, error, message) in cases {
            let r: Recording = recording_2025(name);
            assert_eq!(r.status, *status, "{name}");
            let info = r.error();
            assert_eq!(info.name.as_deref(), Some(*error), "{name}");
            let got = info.message.clone().unwrap_or_default();
            assert!(got.contains(message), "{name}: {got}");
            let req_id = info.req_id.clone().unwrap_or_default();
            assert!(
                req_id.starts_with("req-"),
                "{name}: every error has a reqId"
            );
            assert!(!info.route_missing, "{name}");
            req_ids.push(req_id);
        }
        // A fresh one each time: never a way to compare errors.
        req_ids.sort();
        req_ids.dedup();
        assert_eq!(req_ids.len(), cases.len());

        for name in [
            "v92-cloudmode-ratelimit-exceeded",
            "v93-cloudmode-ratelimit-other-identity-same-ip",
        ] {
            let r = recording_2025(name);
            let wait = Some(std::time::Duration::from_secs(58));
            assert_eq!(r.header("retry-after").and_then(parse_retry_after), wait);
            assert_eq!(r.error().retry_hint(), wait, "{name}");
        }
    }

    /// The recording as the transport hands it to the client.
    pub(crate) fn reply_2025(name: &str) -> crate::infisical::http::Reply {
        let r = recording_2025(name);
        crate::infisical::http::Reply {
            status: r.status,
            retry_after: r.header("retry-after").and_then(parse_retry_after),
            location_host: None,
            is_html: r.header("content-type").is_some_and(|v| v.contains("html")),
            etag: r.header("etag").map(str::to_owned),
            body: Zeroizing::new(r.body.into_bytes()),
        }
    }

    #[test]
    fn listing_errors_2025_are_classified() {
        use crate::error::StoreErrorKind as Kind;
        use crate::infisical::{InfisicalClient, Listing};

        // (recording, what the client makes of it, kind, status)
        let cases: &[(&str, &str, Kind, u16)] = &[
            ("v25-v4-list-unknown-project", "failed", Kind::NotFound, 404),
            (
                "v26-v4-list-missing-project-id",
                "failed",
                Kind::BadRequest,
                400,
            ),
            (
                "v27-v4-list-bad-bool-param",
                "failed",
                Kind::BadRequest,
                422,
            ),
            (
                "v28-v4-list-workspaceId-instead-of-projectId",
                "failed",
                Kind::BadRequest,
                400,
            ),
            ("v50-list-garbage-token", "token", Kind::Unauthorized, 403),
            ("v51-list-no-auth", "token", Kind::Unauthorized, 401),
            ("v52-list-forged-jwt", "token", Kind::Unauthorized, 403),
            (
                "v53-list-no-bearer-prefix",
                "token",
                Kind::Unauthorized,
                403,
            ),
            (
                "v61-list-after-failed-renew",
                "token",
                Kind::Unauthorized,
                401,
            ),
            ("v64-list-revoked-token", "token", Kind::Unauthorized, 401),
            ("v83-list-expired-token", "token", Kind::Unauthorized, 403),
            (
                "v84-list-expired-token-again",
                "token",
                Kind::Unauthorized,
                403,
            ),
            (
                "v71-v4-list-restricted-describe-mostly-library-query",
                "values",
                Kind::Forbidden,
                403,
            ),
            (
                "v76-v3-raw-list-restricted-describe-mostly",
                "values",
                Kind::Forbidden,
                403,
            ),
            // Not about values: no key-by-key reads for it.
            (
                "v86-create-secret-viewer-forbidden",
                "failed",
                Kind::Forbidden,
                403,
            ),
            (
                "v92-cloudmode-ratelimit-exceeded",
                "failed",
                Kind::Throttled,
                429,
            ),
            (
                "v93-cloudmode-ratelimit-other-identity-same-ip",
                "failed",
                Kind::Throttled,
                429,
            ),
        ];
        for (name, outcome, kind, status) in cases {
            let reply = reply_2025(name);
            let (got, error) = match InfisicalClient::failure(&reply, &Redactions::default()) {
                Listing::Failed(e) => ("failed", e),
                Listing::TokenRejected(e) => ("token", e),
                Listing::ValuesForbidden(e) => ("values", e),
                Listing::RouteMissing => panic!("{name}: not a missing route"),
            };
            assert_eq!(got, *outcome, "{name}: {error}");
            assert_eq!(error.kind(), *kind, "{name}: {error}");
            assert_eq!(error.status(), Some(*status), "{name}");
            assert_eq!(
                error.name(),
                reply.error_info(&Redactions::default()).name.as_deref(),
                "{name}"
            );
            assert!(
                error.req_id().is_some_and(|id| id.starts_with("req-")),
                "{name}"
            );
        }
    }
}
