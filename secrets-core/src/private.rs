//! Everything generated code touches, and nothing else. Not part of the public API.

use std::marker::PhantomData;

use secrecy::{ExposeSecret, SecretBox, SecretString};
use zeroize::Zeroize;

use crate::convert::{FromSecret, parse_bool, scrub};

pub use crate::error::Error;
pub use crate::loader::Loader;
pub use crate::resolved::Resolved;
pub use crate::secrets::Secrets;
pub use crate::spec::{KeySpec, StructSpec};
pub use secrecy::SecretString as __SecretString;

/// Parses and merges one Infisical list body exactly as a load does: the entry point of the
/// CPU benchmark in `benches/startup`, which compares it with a bare `serde_json` parse.
/// Generated code never calls it; it exists only with the `testing` feature.
///
/// # Errors
/// The position where the body stopped being a listing.
#[cfg(feature = "testing")]
pub fn parse_infisical_listing(
    body: &[u8],
    folder: &crate::Folder,
) -> Result<crate::FolderSecrets, String> {
    crate::infisical::parse_listing(body, folder)
        .map_err(|e| format!("not a listing (line {}, column {})", e.line(), e.column()))
}

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

/// Picks the conversion of a field type at compile time: `SecretString`, `SecretBox<T>` and
/// `bool` have their own (no copy; the wider boolean grammar); every other type goes through
/// [`FromSecret`]. Generated code calls `(&&Convert::<T>::new()).convert(value)`; method
/// resolution tries the `&Convert<T>` impls (the special ones) before the `Convert<T>` one.
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

/// The conversions of the few types that need their own.
pub trait ConvertSpecial<T> {
    /// Converts, or says why not without the value.
    ///
    /// # Errors
    /// The scrubbed reason.
    fn convert(&self, value: SecretString) -> Result<T, String>;
}

impl ConvertSpecial<SecretString> for &Convert<SecretString> {
    fn convert(&self, value: SecretString) -> Result<SecretString, String> {
        Ok(value)
    }
}

impl ConvertSpecial<bool> for &Convert<bool> {
    fn convert(&self, value: SecretString) -> Result<bool, String> {
        // Scrubbed like every parser's message: a value such as `yes/no` is part of the text.
        let value = value.expose_secret();
        parse_bool(value).map_err(|message| scrub(&message, value))
    }
}

impl<T: FromSecret + Zeroize> ConvertSpecial<SecretBox<T>> for &Convert<SecretBox<T>> {
    fn convert(&self, value: SecretString) -> Result<SecretBox<T>, String> {
        from_secret::<T>(&value).map(|v| SecretBox::new(Box::new(v)))
    }
}

/// The conversion of every other type, through [`FromSecret`]. The bound sits on the method so
/// that an unsupported type fails here, with `FromSecret`'s message, on the field's type.
pub trait ConvertFromSecret<T> {
    /// Converts, or says why not without the value.
    ///
    /// # Errors
    /// The parser's message, scrubbed of the value.
    fn convert(&self, value: SecretString) -> Result<T, String>
    where
        T: FromSecret;
}

impl<T> ConvertFromSecret<T> for Convert<T> {
    fn convert(&self, value: SecretString) -> Result<T, String>
    where
        T: FromSecret,
    {
        from_secret::<T>(&value)
    }
}

fn from_secret<T: FromSecret>(value: &SecretString) -> Result<T, String> {
    let value = value.expose_secret();
    T::from_secret(value).map_err(|e| {
        let mut message = e.to_string();
        let scrubbed = scrub(&message, value);
        message.zeroize();
        scrubbed
    })
}

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
        let s: SecretString = (&&Convert::<SecretString>::new())
            .convert(secret("abc"))
            .unwrap();
        assert_eq!(s.expose_secret(), "abc");
        assert!((&&Convert::<bool>::new()).convert(secret("On")).unwrap());
        let boxed: SecretBox<u64> = (&&Convert::<SecretBox<u64>>::new())
            .convert(secret("7"))
            .unwrap();
        assert_eq!(*boxed.expose_secret(), 7);
    }

    #[test]
    fn other_types_parse_with_from_str_and_scrub_the_value() {
        let port: u16 = (&&Convert::<u16>::new()).convert(secret("8080")).unwrap();
        assert_eq!(port, 8080);
        let err = (&&Convert::<std::net::IpAddr>::new())
            .convert(secret("not-an-ip-sentinel"))
            .unwrap_err();
        assert!(!err.contains("not-an-ip-sentinel"), "{err}");
    }

    #[test]
    fn bool_messages_are_scrubbed_too() {
        // Found by `proptests::conversions_of_value_like_text_never_echo_it`.
        let err = (&&Convert::<bool>::new())
            .convert(secret("yes/no"))
            .unwrap_err();
        assert!(!err.contains("yes/no"), "{err}");
    }
}
