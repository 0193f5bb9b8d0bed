//! Turning a secret's text into a field's type.

use std::fmt::Display;
use std::str::FromStr;

use zeroize::Zeroizing;

/// A type a secret's text can be parsed into.
///
/// Every type that implements [`FromStr`] with a displayable error is a `FromSecret` already:
/// integers, floats, `char`, `String`, `PathBuf`, `IpAddr`, `SocketAddr`, and your own types.
/// `bool`, `Duration`, `SecretString`, `SecretBox<T>` and `Vec<T>` fields get special handling
/// from the derive (see the crate docs), so they need nothing either; bytes, JSON and parsers of
/// your own are field options (`decode`, `json`, `with`).
///
/// The parser's error message becomes the reason in the report, with the value scrubbed out of
/// it.
///
/// ```
/// use secrets_core::FromSecret;
///
/// assert_eq!(u16::from_secret("8080").unwrap(), 8080);
/// assert!(u16::from_secret("eighty").is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be loaded as a secret",
    label = "unsupported secret field type",
    note = "a field is read by `FromStr`, or by an option: `#[secret(decode = \"base64\")]` (or `\"base64url\"`, `\"hex\"`) for bytes, `#[secret(json)]` for a `serde::Deserialize` type, `#[secret(with = \"path::to::parse\")]` for your own parser",
    note = "`SecretString`, `SecretBox<T>`, `bool`, `Duration`, `Vec<T>` and `Option<T>` of these are read without one"
)]
pub trait FromSecret: Sized {
    /// The parser's error.
    type Error: Display;

    /// Parses the secret's text.
    ///
    /// # Errors
    /// When the text is not a valid value of the type.
    fn from_secret(value: &str) -> Result<Self, Self::Error>;
}

// Not recommended in errors: an unsupported type is reported as not `FromSecret`, with the
// options above, rather than as not `FromStr`, with the list of every `FromStr` type.
#[diagnostic::do_not_recommend]
impl<T> FromSecret for T
where
    T: FromStr,
    T::Err: Display,
{
    type Error = T::Err;

    fn from_secret(value: &str) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// Parses the boolean spellings people put in env files: `true/false`, `1/0`, `yes/no`,
/// `on/off`, in any case.
pub(crate) fn parse_bool(value: &str) -> Result<bool, String> {
    const TRUE: [&str; 4] = ["true", "1", "yes", "on"];
    const FALSE: [&str; 4] = ["false", "0", "no", "off"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(value)) {
        Ok(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(value)) {
        Ok(false)
    } else {
        Err("expected one of true/false, 1/0, yes/no, on/off".to_owned())
    }
}

/// Removes every occurrence of `value` from a parser's message, so that a message such as
/// `invalid port "hunter2"` cannot carry the secret into a log.
///
/// Values shorter than four bytes are replaced only where they stand alone (between
/// non-alphanumeric characters): the `a` inside "invalid" is the parser's word, not the value.
/// The value as `{:?}` spells it (quotes, backslashes and control characters escaped) is
/// replaced too, since parsers often quote their input that way. When a value of four bytes or
/// more can still be read in what is left, the parser's message is dropped whole.
#[must_use]
pub(crate) fn scrub(message: &str, value: &str) -> String {
    if value.is_empty() {
        return message.to_owned();
    }
    let standalone_only = value.len() < 4;
    let debug = Zeroizing::new(format!("{value:?}"));
    let escaped = &debug[1..debug.len() - 1];
    let mut out = Zeroizing::new(redact(message, value, standalone_only));
    if escaped != value {
        out = Zeroizing::new(redact(&out, escaped, standalone_only));
    }
    // Replacing can leave the value spelled across a marker's edge (`D]D]` out of `D]D]D]`).
    if !standalone_only && (out.contains(value) || out.contains(escaped)) {
        return "the parser's message repeated the value and is not shown".to_owned();
    }
    std::mem::take(&mut *out)
}

/// `message` with every occurrence of `needle` replaced by a marker (only the standalone
/// ones if `standalone_only`).
fn redact(message: &str, needle: &str, standalone_only: bool) -> String {
    const REDACTED: &str = "[REDACTED]";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(needle) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + needle.len()..].chars().next();
        let alone =
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..at]);
        if standalone_only && !alone {
            out.push_str(needle);
        } else {
            out.push_str(REDACTED);
        }
        rest = &rest[at + needle.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_accepts_common_spellings_in_any_case() {
        for t in ["true", "TRUE", "1", "yes", "Yes", "on", "ON"] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["false", "False", "0", "no", "NO", "off", "Off"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        assert!(parse_bool("maybe").is_err());
        assert!(parse_bool("").is_err());
    }

    #[test]
    fn scrub_removes_long_values_everywhere() {
        assert_eq!(
            scrub("bad value 'hunter22', hunter22!", "hunter22"),
            "bad value '[REDACTED]', [REDACTED]!"
        );
    }

    #[test]
    fn scrub_removes_the_debug_spelling_of_the_value() {
        let value = "hunter\"22\\x\n";
        let message = format!("bad value {value:?}");
        assert_eq!(scrub(&message, value), "bad value \"[REDACTED]\"");
    }

    #[test]
    fn scrub_drops_a_message_that_still_spells_the_value() {
        let shown = scrub("D]D]D]", "D]D]");
        assert!(!shown.contains("D]D]"), "{shown}");
    }

    #[test]
    fn scrub_keeps_parser_words_that_contain_a_short_value() {
        assert_eq!(
            scrub("invalid digit found in string", "a"),
            "invalid digit found in string"
        );
        assert_eq!(scrub("bad value 'a'", "a"), "bad value '[REDACTED]'");
    }
}
