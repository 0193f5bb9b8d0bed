//! What the server says, made safe to show: cleaned of characters that could reorder or hide
//! text, capped, with what the client sent or holds redacted; and the waits a server asks for.

use std::time::Duration;

use zeroize::Zeroizing;

use super::api::{ErrorBody, ErrorMessage, ZodIssue};
use crate::store::FolderSecrets;

/// Longest server message kept in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// The longest wait a server's `Retry-After` or "try again in N seconds" is taken at; a longer
/// one is cut to it. A day is past any startup deadline and refresh interval, and keeps
/// `Instant::now() + wait` far from overflowing (which panics) whatever the server sends.
const MAX_RETRY_WAIT_SECS: u64 = 86_400;

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
    pub(crate) fn retry_hint(&self) -> Option<Duration> {
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
pub(crate) fn parse_try_again(message: &str) -> Option<Duration> {
    let lower = message.to_ascii_lowercase();
    let start = lower.find("try again in ")? + "try again in ".len();
    let rest = &lower[start..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = rest[digits.len()..].trim_start();
    if digits.is_empty() || !after.starts_with("second") {
        return None;
    }
    wait_seconds(&digits)
}

/// The `Retry-After` header in its seconds form; the HTTP-date form is not used by
/// Infisical's rate limiter and is ignored.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    wait_seconds(value.trim())
}

/// A number of seconds as a wait, at most [`MAX_RETRY_WAIT_SECS`]; a number too large for a
/// `u64` is as long as the longest wait, not unreadable.
fn wait_seconds(text: &str) -> Option<Duration> {
    let secs = match text.parse::<u64>() {
        Ok(secs) => secs,
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => u64::MAX,
        Err(_) => return None,
    };
    Some(Duration::from_secs(secs.min(MAX_RETRY_WAIT_SECS)))
}
