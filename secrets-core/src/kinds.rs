//! The field types that need more than `FromStr`: human durations, encoded bytes, lists and
//! JSON. Every reason here is built from positions, lengths and the type's own words, never
//! from the text, so none of them can carry the value.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use secrecy::SecretBox;
use zeroize::Zeroizing;

/// Parses a human duration: `30s`, `5m`, `1h30m`, `250ms`, `2 days` (humantime's grammar).
/// A bare number is refused: seconds or milliseconds is a guess the reader cannot check.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err("a duration needs a unit: `30s`, `5m`, `1h30m` or `250ms`".to_owned());
    }
    humantime::parse_duration(text).map_err(|e| match e {
        humantime::DurationError::InvalidCharacter(at) => {
            format!("not a duration: unexpected character at byte {at} (expected e.g. `30s`, `1h30m`)")
        }
        humantime::DurationError::NumberExpected(at) => {
            format!("not a duration: expected a number at byte {at} (e.g. `30s`, `1h30m`)")
        }
        // The unit is part of the text: say where it is, not what it is.
        humantime::DurationError::UnknownUnit { start, end, .. } => format!(
            "not a duration: unknown unit at bytes {start}..{end} (units: ns, us, ms, s, m, h, d, w, M, y)"
        ),
        humantime::DurationError::NumberOverflow => "the duration is too large".to_owned(),
        humantime::DurationError::Empty => "empty duration".to_owned(),
    })
}

/// How `#[secret(decode = "...")]` reads bytes from text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Standard base64 (`+`, `/`), padding optional.
    Base64,
    /// URL-safe base64 (`-`, `_`), padding optional.
    Base64Url,
    /// Hex digits, either case.
    Hex,
}

const INDIFFERENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const BASE64: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, INDIFFERENT);
const BASE64_URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, INDIFFERENT);

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Self::Base64 => "base64",
            Self::Base64Url => "base64url",
            Self::Hex => "hex",
        }
    }

    /// The bytes `text` encodes, in a buffer that is wiped when dropped. Surrounding whitespace
    /// (a file's final newline) is ignored.
    pub(crate) fn decode(self, text: &str) -> Result<Zeroizing<Vec<u8>>, String> {
        let text = text.trim();
        match self {
            Self::Base64 | Self::Base64Url => {
                let engine = if self == Self::Base64 {
                    &BASE64
                } else {
                    &BASE64_URL
                };
                // Reserved up front so that decoding never reallocates and leaves a copy behind.
                let mut out =
                    Zeroizing::new(Vec::with_capacity(base64::decoded_len_estimate(text.len())));
                engine
                    .decode_vec(text, &mut out)
                    .map_err(|e| self.reason(&e, text.len()))?;
                Ok(out)
            }
            Self::Hex => {
                if !text.len().is_multiple_of(2) {
                    return Err(format!(
                        "not hex: {} characters, an odd number (two hex digits per byte)",
                        text.chars().count()
                    ));
                }
                let mut out = Zeroizing::new(vec![0u8; text.len() / 2]);
                hex::decode_to_slice(text, &mut out).map_err(|e| match e {
                    hex::FromHexError::InvalidHexCharacter { index, .. } => {
                        format!("not hex: the character at byte {index} is not a hex digit")
                    }
                    hex::FromHexError::OddLength | hex::FromHexError::InvalidStringLength => {
                        "not hex: the length is not two digits per byte".to_owned()
                    }
                })?;
                Ok(out)
            }
        }
    }

    /// base64's `Display` shows the offending byte: keep only where it is.
    fn reason(self, error: &base64::DecodeError, len: usize) -> String {
        let name = self.name();
        match error {
            base64::DecodeError::InvalidByte(at, _) => {
                let other = if self == Self::Base64 {
                    " (URL-safe text needs `decode = \"base64url\"`)"
                } else {
                    " (text with `+` and `/` needs `decode = \"base64\"`)"
                };
                format!("not {name}: the character at byte {at} is not in its alphabet{other}")
            }
            base64::DecodeError::InvalidLength(_) => {
                format!("not {name}: {len} characters cannot encode whole bytes")
            }
            base64::DecodeError::InvalidLastSymbol(at, _) => {
                format!(
                    "not {name}: the last character, at byte {at}, has bits that encode nothing"
                )
            }
            base64::DecodeError::InvalidPadding => format!("not {name}: misplaced `=` padding"),
        }
    }
}

/// A field type `#[secret(decode = "...")]` fills with the decoded bytes.
#[diagnostic::on_unimplemented(
    message = "`decode` cannot fill a `{Self}` field",
    label = "not a byte type",
    note = "`decode` fills `[u8; N]`, `Vec<u8>`, `SecretBox<[u8; N]>` or `SecretBox<Vec<u8>>`"
)]
pub trait FromBytes: Sized {
    /// Takes the decoded bytes, or says why they do not fit (their number, never their value).
    ///
    /// # Errors
    /// When the number of bytes does not fit the type.
    fn from_bytes(bytes: Zeroizing<Vec<u8>>) -> Result<Self, String>;
}

fn length(bytes: &[u8], expected: usize) -> Result<(), String> {
    if bytes.len() == expected {
        Ok(())
    } else {
        Err(format!(
            "decoded {} bytes, expected {expected}",
            bytes.len()
        ))
    }
}

impl<const N: usize> FromBytes for [u8; N] {
    fn from_bytes(bytes: Zeroizing<Vec<u8>>) -> Result<Self, String> {
        length(&bytes, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&bytes);
        Ok(out)
    }
}

impl FromBytes for Vec<u8> {
    fn from_bytes(mut bytes: Zeroizing<Vec<u8>>) -> Result<Self, String> {
        Ok(std::mem::take(&mut *bytes))
    }
}

impl<const N: usize> FromBytes for SecretBox<[u8; N]> {
    fn from_bytes(bytes: Zeroizing<Vec<u8>>) -> Result<Self, String> {
        length(&bytes, N)?;
        // Filled in place: no copy of the key on the stack.
        let mut out = SecretBox::new(Box::new([0u8; N]));
        secrecy::ExposeSecretMut::expose_secret_mut(&mut out).copy_from_slice(&bytes);
        Ok(out)
    }
}

impl FromBytes for SecretBox<Vec<u8>> {
    fn from_bytes(mut bytes: Zeroizing<Vec<u8>>) -> Result<Self, String> {
        // Moved, not copied: the box owns the buffer the decoder wrote.
        Ok(SecretBox::new(Box::new(std::mem::take(&mut *bytes))))
    }
}

/// Splits a list on `separator`, trims each item and converts it; a failure names the item's
/// position (from 1) and the number of items. Empty text is the empty list.
pub(crate) fn split<T>(
    text: &str,
    separator: &str,
    mut convert: impl FnMut(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let count = text.split(separator).count();
    text.split(separator)
        .enumerate()
        .map(|(i, item)| {
            let item = item.trim();
            if item.is_empty() {
                return Err(format!("item {} of {count} is empty", i + 1));
            }
            convert(item).map_err(|reason| format!("item {} of {count}: {reason}", i + 1))
        })
        .collect()
}

/// The reason of a failed JSON parse without the parts of serde's message that quote the
/// input (`invalid type: string "..."`, ``unknown field `...` ``): the kind of mistake, what the
/// type expected, and where.
pub(crate) fn json_reason(error: &serde_json::Error) -> String {
    let at = format!("line {}, column {}", error.line(), error.column());
    let full = error.to_string();
    // `Display` is the message then ` at line L column C`.
    let message = full
        .rfind(" at line ")
        .map_or(full.as_str(), |cut| &full[..cut]);
    match error.classify() {
        // Syntax messages are serde_json's fixed words ("expected `,` or `}`", "EOF while
        // parsing a string"), never the input.
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not valid JSON: {message} ({at})")
        }
        serde_json::error::Category::Data => {
            let shape = if message.starts_with("missing field `") {
                // The field is the type's, not the input's.
                message.to_owned()
            } else if let Some(expected) = message.rfind(", expected ").map(|i| &message[i + 2..]) {
                expected.to_owned()
            } else {
                "a value of the wrong type".to_owned()
            };
            format!("JSON of the wrong shape: {shape} ({at})")
        }
        serde_json::error::Category::Io => format!("not valid JSON ({at})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_human_units_and_refuse_bare_numbers() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_mins(90)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration(" 5m "), Ok(Duration::from_mins(5)));
        let bare = parse_duration("30").unwrap_err();
        assert!(bare.contains("needs a unit"), "{bare}");
        let unit = parse_duration("30 fortnightsxsentinel").unwrap_err();
        assert!(!unit.contains("fortnights"), "{unit}");
        assert!(unit.contains("unknown unit at bytes 3..22"), "{unit}");
    }

    #[test]
    fn bytes_decode_with_or_without_padding_and_arrays_check_the_length() {
        for text in ["AAEC/w==", "AAEC/w"] {
            assert_eq!(*Encoding::Base64.decode(text).unwrap(), [0, 1, 2, 255]);
        }
        assert_eq!(
            *Encoding::Base64Url.decode("AAEC_w").unwrap(),
            [0, 1, 2, 255]
        );
        assert_eq!(*Encoding::Hex.decode("000102fF\n").unwrap(), [0, 1, 2, 255]);
        let bytes = Encoding::Hex.decode(&"ab".repeat(31)).unwrap();
        assert_eq!(
            <[u8; 32]>::from_bytes(bytes).unwrap_err(),
            "decoded 31 bytes, expected 32"
        );
        let bad = Encoding::Base64.decode("AAEC_w").unwrap_err();
        assert_eq!(
            bad,
            "not base64: the character at byte 4 is not in its alphabet (URL-safe text needs `decode = \"base64url\"`)"
        );
        let bad = Encoding::Hex.decode("zz").unwrap_err();
        assert_eq!(bad, "not hex: the character at byte 0 is not a hex digit");
    }

    #[test]
    fn lists_are_split_trimmed_and_name_the_failing_item() {
        let parse = |s: &str| s.parse::<u16>().map_err(|e| e.to_string());
        assert_eq!(split(" 1, 2 ,3", ",", parse), Ok(vec![1, 2, 3]));
        assert_eq!(split("1;2", ";", parse), Ok(vec![1, 2]));
        assert_eq!(split("", ",", parse), Ok(vec![]));
        assert_eq!(
            split("1,x,3", ",", parse).unwrap_err(),
            "item 2 of 3: invalid digit found in string"
        );
        assert_eq!(
            split("1,,3", ",", parse).unwrap_err(),
            "item 2 of 3 is empty"
        );
    }

    #[test]
    fn json_reasons_keep_the_shape_and_drop_the_input() {
        let err = serde_json::from_str::<u16>("\"sentinel-text\"").unwrap_err();
        assert_eq!(
            json_reason(&err),
            "JSON of the wrong shape: expected u16 (line 1, column 15)"
        );
        let err = serde_json::from_str::<serde_json::Value>("{\"a\": ").unwrap_err();
        assert!(
            json_reason(&err).starts_with("not valid JSON: "),
            "{}",
            json_reason(&err)
        );
    }
}
