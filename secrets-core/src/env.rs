//! The environment, read through a lookup that tests and callers can replace.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::sync::Arc;

/// Where env vars are read from: the process environment by default, or a map or function you
/// give. The library only ever reads; it never calls `set_var`.
///
/// ```
/// use secrets_core::Env;
///
/// let env = Env::from_pairs([("PORT", "8080")]);
/// assert_eq!(env.get("PORT").as_deref(), Some("8080".as_ref()));
/// assert_eq!(env.get("HOME"), None);
/// ```
#[derive(Clone)]
pub struct Env {
    lookup: Arc<LookupFn>,
}

type LookupFn = dyn Fn(&str) -> Option<OsString> + Send + Sync;

impl Env {
    /// The process environment (`std::env::var_os`).
    #[must_use]
    pub fn process() -> Self {
        Self::from_fn(|name| std::env::var_os(name))
    }

    /// A fixed set of variables; nothing else is set.
    #[must_use]
    pub fn from_pairs<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<OsString>,
    {
        let map: HashMap<String, OsString> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::from_fn(move |name| map.get(name).cloned())
    }

    /// Any lookup function.
    #[must_use]
    pub fn from_fn(lookup: impl Fn(&str) -> Option<OsString> + Send + Sync + 'static) -> Self {
        Self {
            lookup: Arc::new(lookup),
        }
    }

    /// The raw value of `name`, which may not be UTF-8.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<OsString> {
        (self.lookup)(name)
    }

    /// The value of `name` if it is set, non-empty and UTF-8 (for configuration variables, not
    /// secrets: configuration values are not secret-wrapped).
    pub(crate) fn get_str(&self, name: &str) -> Result<Option<String>, NotUnicode> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => match value.into_string() {
                Ok(s) if s.trim().is_empty() => Ok(None),
                Ok(s) => Ok(Some(s.trim().to_owned())),
                Err(_) => Err(NotUnicode),
            },
        }
    }
}

impl Default for Env {
    fn default() -> Self {
        Self::process()
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The lookup may hold secret values: show nothing of it.
        f.write_str("Env(..)")
    }
}

/// An env var held bytes that are not UTF-8.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NotUnicode;
