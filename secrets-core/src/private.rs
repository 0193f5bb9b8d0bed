//! Everything generated code touches, and nothing else. Not part of the public API.

use std::marker::PhantomData;

use std::fmt::Display;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretBox, SecretString};
use zeroize::{Zeroize, Zeroizing};

use crate::convert::{parse_bool, scrub};

pub use crate::kinds::{Encoding, FromBytes};

pub use crate::describe::Description;
pub use crate::error::Error;
pub use crate::loader::Loader;
pub use crate::resolved::Resolved;
pub use crate::secrets::Secrets;
pub use crate::spec::{KeySpec, KeyTable, StructSpec, clashes, prefixed_len, prefixed_names};
pub use secrecy::SecretString as __SecretString;

/// How the derived `Debug` shows an optional field: `None`, or `Some([REDACTED])`, so that a
/// reader can tell a missing optional secret from a loaded one without seeing it.
pub struct RedactedOption<'a, T>(&'a Option<T>);

impl<'a, T> RedactedOption<'a, T> {
    #[must_use]
    pub const fn new(value: &'a Option<T>) -> Self {
        Self(value)
    }
}

impl<T> std::fmt::Debug for RedactedOption<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("None"),
            Some(_) => f.write_str("Some([REDACTED])"),
        }
    }
}

/// Picks the conversion of a field type at compile time: `SecretString`, `SecretBox<T>`, `bool`
/// and `Duration` have their own (no copy; the wider boolean grammar; human units); every other
/// type goes through [`FromSecret`](crate::FromSecret). Generated code calls
/// `(&&Convert::<T>::new()).convert(value, |text| FromSecret::from_secret(text).map_err(reason))`;
/// method resolution tries the `&Convert<T>` impls (the special ones) before the `Convert<T>`
/// one.
///
/// The `FromSecret` call is in the closure the derive writes, so that an unsupported type fails
/// there, on the field's type, with `FromSecret`'s message and no bound of this module in it.
/// Each conversion says what the closure must produce (`Parsed`): the field type itself, the
/// `T` of `SecretBox<T>`, or [`Skip`] when it needs no parser.
pub struct Convert<T>(PhantomData<fn() -> T>);

impl<T> Convert<T> {
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Convert<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// What the parser closure of a conversion that needs none parses into: never called.
pub struct Skip;

impl std::str::FromStr for Skip {
    type Err = &'static str;

    fn from_str(_: &str) -> Result<Self, Self::Err> {
        Err("not parsed")
    }
}

/// A parser's error as the reason, before scrubbing.
pub fn reason<E: Display>(error: E) -> String {
    error.to_string()
}

/// The conversions of the few types that need their own.
pub trait ConvertSpecial<T> {
    /// What the parser closure produces.
    type Parsed;

    /// Converts, or says why not without the value.
    ///
    /// # Errors
    /// The scrubbed reason.
    fn convert<F>(&self, value: SecretString, parse: F) -> Result<T, String>
    where
        F: FnOnce(&str) -> Result<Self::Parsed, String>;
}

impl ConvertSpecial<SecretString> for &Convert<SecretString> {
    type Parsed = Skip;

    fn convert<F>(&self, value: SecretString, _: F) -> Result<SecretString, String> {
        Ok(value)
    }
}

impl ConvertSpecial<bool> for &Convert<bool> {
    type Parsed = Skip;

    fn convert<F>(&self, value: SecretString, _: F) -> Result<bool, String> {
        // Scrubbed like every parser's message: a value such as `yes/no` is part of the text.
        let value = value.expose_secret();
        parse_bool(value).map_err(|message| scrub(&message, value))
    }
}

impl ConvertSpecial<Duration> for &Convert<Duration> {
    type Parsed = Skip;

    fn convert<F>(&self, value: SecretString, _: F) -> Result<Duration, String> {
        let value = value.expose_secret();
        crate::kinds::parse_duration(value).map_err(|message| scrub(&message, value))
    }
}

impl<T: Zeroize> ConvertSpecial<SecretBox<T>> for &Convert<SecretBox<T>> {
    type Parsed = T;

    fn convert<F>(&self, value: SecretString, parse: F) -> Result<SecretBox<T>, String>
    where
        F: FnOnce(&str) -> Result<T, String>,
    {
        parsed(&value, parse).map(|v| SecretBox::new(Box::new(v)))
    }
}

/// The conversion of every other type, through the [`FromSecret`](crate::FromSecret) call in `parse`.
pub trait ConvertFromSecret<T> {
    /// Converts, or says why not without the value.
    ///
    /// # Errors
    /// The parser's message, scrubbed of the value.
    fn convert<F>(&self, value: SecretString, parse: F) -> Result<T, String>
    where
        F: FnOnce(&str) -> Result<T, String>;
}

impl<T> ConvertFromSecret<T> for Convert<T> {
    fn convert<F>(&self, value: SecretString, parse: F) -> Result<T, String>
    where
        F: FnOnce(&str) -> Result<T, String>,
    {
        parsed(&value, parse)
    }
}

/// Runs a parser on the text, scrubbing the value out of its message.
fn parsed<T>(
    value: &SecretString,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, String> {
    let value = value.expose_secret();
    parse(value).map_err(|mut message| {
        let scrubbed = scrub(&message, value);
        message.zeroize();
        scrubbed
    })
}

/// `#[secret(decode = "...")]`: the bytes the text encodes, into the field's byte type.
///
/// # Errors
/// The decoder's reason (a position or a length), or the wrong number of bytes.
// Taken by value like every conversion's: the text is wiped when it drops here.
#[allow(clippy::needless_pass_by_value)]
pub fn decode<T>(
    value: SecretString,
    encoding: Encoding,
    fill: fn(Zeroizing<Vec<u8>>) -> Result<T, String>,
) -> Result<T, String> {
    let text = value.expose_secret();
    let reason = match encoding.decode(text) {
        Ok(bytes) => match fill(bytes) {
            Ok(v) => return Ok(v),
            Err(reason) => reason,
        },
        Err(reason) => reason,
    };
    Err(scrub(&reason, text))
}

/// A `Vec<T>` field: the text split on `separator`, each trimmed item converted by `convert`.
///
/// # Errors
/// The first item that fails, by position.
// Taken by value like every conversion's: the text is wiped when it drops here.
#[allow(clippy::needless_pass_by_value)]
pub fn split<T>(
    value: SecretString,
    separator: &str,
    mut convert: impl FnMut(SecretString) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let text = value.expose_secret();
    crate::kinds::split(text, separator, |item| {
        convert(SecretString::from(item.to_owned()))
    })
    .map_err(|reason| scrub(&reason, text))
}

/// `#[secret(json)]`: the text parsed by `parse` ([`FromJson::from_json`], named by the derive
/// so that a type that is not `Deserialize` fails there, on the field's type).
///
/// # Errors
/// Where the JSON is wrong and what the type expected, never the text.
// Taken by value like every conversion's: the text is wiped when it drops here.
#[allow(clippy::needless_pass_by_value)]
pub fn json<T>(
    value: SecretString,
    parse: fn(&str) -> Result<T, serde_json::Error>,
) -> Result<T, String> {
    let text = value.expose_secret();
    parse(text).map_err(|e| scrub(&crate::kinds::json_reason(&e), text))
}

/// `#[secret(with = "path")]`: the user's parser, its message scrubbed like any parser's.
///
/// # Errors
/// The parser's message, scrubbed of the value.
// Taken by value like every conversion's: the text is wiped when it drops here.
#[allow(clippy::needless_pass_by_value)]
pub fn with<T>(
    value: SecretString,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, String> {
    parsed(&value, parse)
}

/// What `#[secret(flatten)]` needs of a nested struct: to take its fields from the outer
/// struct's values, starting at `offset`. The derive implements it next to [`Secrets`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be flattened into a secrets struct",
    label = "not a `#[derive(Secrets)]` struct",
    note = "`#[secret(flatten)]` takes a struct that derives `Secrets`"
)]
pub trait Flatten: Secrets + std::fmt::Debug {
    /// `Self::SPEC`, reached through this trait so that the derive names one trait only.
    const NESTED: StructSpec;

    /// Takes the nested fields; `None` when one of them failed (recorded in `resolved`).
    fn take_flattened(resolved: &mut Resolved, offset: usize) -> Option<Self>;

    /// The derived, redacting `Debug`.
    ///
    /// # Errors
    /// The formatter's.
    fn fmt_flattened(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// Shows a value with the given function.
pub struct DebugWith<'a, T>(
    pub &'a T,
    pub fn(&T, &mut std::fmt::Formatter<'_>) -> std::fmt::Result,
);

impl<T> std::fmt::Debug for DebugWith<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (self.1)(self.0, f)
    }
}

/// A type `#[secret(json)]` reads: every `serde::Deserialize` type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from JSON",
    label = "not `serde::Deserialize`",
    note = "`#[secret(json)]` reads a type that implements `serde::Deserialize`: add `#[derive(serde::Deserialize)]` to it"
)]
pub trait FromJson: Sized {
    /// Parses the JSON text.
    ///
    /// # Errors
    /// `serde_json`'s, made value-free by the caller.
    fn from_json(text: &str) -> Result<Self, serde_json::Error>;
}

// Not recommended in errors: the error names `FromJson`'s message, not every `Deserialize` type.
#[diagnostic::do_not_recommend]
impl<T: serde::de::DeserializeOwned> FromJson for T {
    fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// The conversion of a `$ty` field as generated code writes it, for the tests.
#[cfg(test)]
macro_rules! convert {
    ($ty:ty, $value:expr) => {
        (&&$crate::__private::Convert::<$ty>::new()).convert($value, |text| {
            $crate::FromSecret::from_secret(text).map_err($crate::__private::reason)
        })
    };
}
#[cfg(test)]
pub(crate) use convert;

#[cfg(test)]
// The double borrow is the dispatch under test: it picks the special conversion when one exists.
#[allow(clippy::needless_borrow)]
mod tests {
    use super::*;

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn special_types_take_their_own_conversion() {
        let s: SecretString = convert!(SecretString, secret("abc")).unwrap();
        assert_eq!(s.expose_secret(), "abc");
        assert!(convert!(bool, secret("On")).unwrap());
        let boxed: SecretBox<u64> = convert!(SecretBox<u64>, secret("7")).unwrap();
        assert_eq!(*boxed.expose_secret(), 7);
    }

    #[test]
    fn other_types_parse_with_from_str_and_scrub_the_value() {
        let port: u16 = convert!(u16, secret("8080")).unwrap();
        assert_eq!(port, 8080);
        let err = convert!(std::net::IpAddr, secret("not-an-ip-sentinel")).unwrap_err();
        assert!(!err.contains("not-an-ip-sentinel"), "{err}");
    }

    #[test]
    fn bool_messages_are_scrubbed_too() {
        // Found by `proptests::conversions_of_value_like_text_never_echo_it`.
        let err = convert!(bool, secret("yes/no")).unwrap_err();
        assert!(!err.contains("yes/no"), "{err}");
    }
}
