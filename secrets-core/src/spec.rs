//! The static description of a secrets struct: what the derive generates and the loader reads.

use std::fmt;

/// How one field of a [`Secrets`](crate::Secrets) struct is looked up.
///
/// The derive builds one `KeySpec` per field in a `const` table; a hand-written
/// [`Secrets`](crate::Secrets) impl builds them with the same `const` builder methods.
/// The loader re-checks every name at run time, so a hand-written table cannot smuggle in an
/// invalid key.
///
/// ```
/// use secrets_core::KeySpec;
///
/// const PORT: KeySpec = KeySpec::new("PORT", "port")
///     .env("PORT")
///     .file_env("PORT_FILE")
///     .default_value("8080");
/// assert_eq!(PORT.key(), "PORT");
/// assert_eq!(PORT.env_var(), Some("PORT"));
/// assert_eq!(PORT.file_var(), Some("PORT_FILE"));
/// ```
///
/// `Debug` shows whether a key has a default, never the default itself: a default is a source
/// of the value like any other (a development database URL, say).
///
/// ```
/// # use secrets_core::KeySpec;
/// let spec = KeySpec::new("DATABASE_URL", "database_url").default_value("postgres://dev");
/// assert!(!format!("{spec:?}").contains("postgres"));
/// ```
// One flag per option of the derive, each set by its own builder method.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    key: &'static str,
    field: &'static str,
    env: Option<&'static str>,
    file_env: Option<&'static str>,
    default: Option<&'static str>,
    path: Option<&'static str>,
    optional: bool,
    allow_empty: bool,
    fallback_on_store_error: bool,
    named_by_field: bool,
    doc: Option<&'static str>,
}

impl fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySpec")
            .field("key", &self.key)
            .field("field", &self.field)
            .field("env", &self.env)
            .field("file_env", &self.file_env)
            .field("default", &self.default.map(|_| Redacted))
            .field("path", &self.path)
            .field("optional", &self.optional)
            .field("allow_empty", &self.allow_empty)
            .field("fallback_on_store_error", &self.fallback_on_store_error)
            .field("named_by_field", &self.named_by_field)
            .field("doc", &self.doc)
            .finish()
    }
}

/// Stands in for a protected value in `Debug` output.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl KeySpec {
    /// A required key with no env var, no file variable, no default and the struct's folder.
    #[must_use]
    pub const fn new(key: &'static str, field: &'static str) -> Self {
        Self {
            key,
            field,
            env: None,
            file_env: None,
            default: None,
            path: None,
            optional: false,
            allow_empty: false,
            fallback_on_store_error: false,
            named_by_field: false,
            doc: None,
        }
    }

    /// The field's documentation (its `///` comment, which the derive captures), shown by
    /// [`describe`](crate::Description).
    #[must_use]
    pub const fn doc(mut self, doc: &'static str) -> Self {
        self.doc = Some(doc);
        self
    }

    /// The field's documentation, if any (see [`doc`](Self::doc)).
    #[must_use]
    pub const fn doc_comment(&self) -> Option<&'static str> {
        self.doc
    }

    /// Reads the env var `var` as the second source. The file variable is set apart with
    /// [`file_env`](Self::file_env); the derive passes both names, computed at compile time.
    #[must_use]
    pub const fn env(mut self, var: &'static str) -> Self {
        self.env = Some(var);
        self
    }

    /// Sets the name of the variable that holds a file path (`<ENV>_FILE` by convention).
    #[must_use]
    pub const fn file_env(mut self, var: &'static str) -> Self {
        self.file_env = Some(var);
        self
    }

    /// The value to use when no source has the key; parsed like any other value.
    #[must_use]
    pub const fn default_value(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }

    /// The Infisical folder of this key, when it differs from the struct's.
    #[must_use]
    pub const fn path(mut self, path: &'static str) -> Self {
        self.path = Some(path);
        self
    }

    /// Marks the key optional (an `Option<T>` field): absent or empty becomes `None`.
    #[must_use]
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Accepts an empty value for a required key instead of reporting it.
    #[must_use]
    pub const fn allow_empty(mut self) -> Self {
        self.allow_empty = true;
        self
    }

    /// Falls back to the env var, file and default when the secret store fails for this key's
    /// folder (outage, forbidden, auth failure) instead of failing closed.
    #[must_use]
    pub const fn fallback_on_store_error(mut self) -> Self {
        self.fallback_on_store_error = true;
        self
    }

    /// Marks the key as derived from the field's name (and the struct's prefix), not written in
    /// `name = "..."`: a `prefix` on a `#[secret(flatten)]` field starts it, and the env var
    /// and file variable too when they are the key's.
    #[must_use]
    pub const fn named_by_field(mut self) -> Self {
        self.named_by_field = true;
        self
    }

    /// The key in the secret store, e.g. `DATABASE_URL`.
    #[must_use]
    pub const fn key(&self) -> &'static str {
        self.key
    }

    /// The Rust field this key fills.
    #[must_use]
    pub const fn field(&self) -> &'static str {
        self.field
    }

    /// The env var read as a fallback, or `None` when the key must never come from one.
    #[must_use]
    pub const fn env_var(&self) -> Option<&'static str> {
        self.env
    }

    /// The variable naming a file that holds the value (`DATABASE_URL_FILE`), if any.
    #[must_use]
    pub const fn file_var(&self) -> Option<&'static str> {
        self.file_env
    }

    /// The default value, if any.
    #[must_use]
    pub const fn default(&self) -> Option<&'static str> {
        self.default
    }

    /// The folder given on the field, if any.
    #[must_use]
    pub const fn folder(&self) -> Option<&'static str> {
        self.path
    }

    /// Whether an absent key is fine (`Option<T>` field).
    #[must_use]
    pub const fn is_optional(&self) -> bool {
        self.optional
    }

    /// Whether an empty value is accepted for a required key.
    #[must_use]
    pub const fn is_empty_allowed(&self) -> bool {
        self.allow_empty
    }

    /// Whether this key falls back to lower sources when the store fails.
    #[must_use]
    pub const fn is_fallback_on_store_error(&self) -> bool {
        self.fallback_on_store_error
    }

    /// Whether the key was derived from the field's name (see
    /// [`named_by_field`](Self::named_by_field)).
    #[must_use]
    pub const fn is_named_by_field(&self) -> bool {
        self.named_by_field
    }

    /// Whether the env var, when there is one, is the key itself (and so takes a prefix with
    /// it).
    const fn env_is_key(&self) -> bool {
        match self.env {
            Some(env) => str_eq(env, self.key),
            None => false,
        }
    }
}

// `#[secret(flatten, prefix = "DB_")]`: the nested struct's keys become part of the outer
// table, a `const` built by `KeyTable`. A prefixed key is a new string, and `key()` is a
// `&'static str` that the loader, the report and the provenance read everywhere; rather than
// keep the prefix apart in `KeySpec` and make every reader compose it (and allocate), the
// derive writes every prefixed name into one `const` byte array (`prefixed_names`, sized by
// `prefixed_len`), and `KeyTable::flatten` slices the names out of it: `&'static str`s made
// at compile time, so nothing changes for the readers.

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn opt_eq(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => str_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Whether `key` takes `prefix`, and then whether its file variable does too.
const fn takes_prefix(key: &KeySpec, prefix: &str) -> (bool, bool) {
    let key_too = !prefix.is_empty() && key.named_by_field;
    (
        key_too,
        key_too && key.env_is_key() && key.file_env.is_some(),
    )
}

/// The number of bytes of every name `prefix` makes out of `nested`'s keys.
#[doc(hidden)]
#[must_use]
pub const fn prefixed_len(nested: StructSpec, prefix: &str) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < nested.keys.len() {
        let key = &nested.keys[i];
        let (key_too, file_too) = takes_prefix(key, prefix);
        if key_too {
            len += prefix.len() + key.key.len();
        }
        if file_too && let Some(file) = key.file_env {
            len += prefix.len() + file.len();
        }
        i += 1;
    }
    len
}

/// Every name `prefix` makes out of `nested`'s keys, one after the other, in the order
/// [`KeyTable::flatten`] reads them.
///
/// # Panics
/// When `LEN` is not [`prefixed_len`] (at compile time).
#[doc(hidden)]
#[must_use]
pub const fn prefixed_names<const LEN: usize>(nested: StructSpec, prefix: &str) -> [u8; LEN] {
    const fn put(out: &mut [u8], at: usize, s: &str) -> usize {
        let s = s.as_bytes();
        let mut i = 0;
        while i < s.len() {
            out[at + i] = s[i];
            i += 1;
        }
        at + s.len()
    }
    let mut out = [0u8; LEN];
    let mut at = 0;
    let mut i = 0;
    while i < nested.keys.len() {
        let key = &nested.keys[i];
        let (key_too, file_too) = takes_prefix(key, prefix);
        if key_too {
            at = put(&mut out, at, prefix);
            at = put(&mut out, at, key.key);
        }
        if file_too && let Some(file) = key.file_env {
            at = put(&mut out, at, prefix);
            at = put(&mut out, at, file);
        }
        i += 1;
    }
    assert!(at == LEN, "prefixed names of the wrong length");
    out
}

/// The next `len` bytes of `names` as a string, and the rest.
const fn cut(names: &'static [u8], len: usize) -> (&'static str, &'static [u8]) {
    let (name, rest) = names.split_at(len);
    match std::str::from_utf8(name) {
        Ok(name) => (name, rest),
        Err(_) => panic!("a prefixed name is not UTF-8"),
    }
}

/// The key table of a struct with `#[secret(flatten)]` fields, built in a `const`: the
/// struct's own keys and every nested struct's, in field order.
#[doc(hidden)]
pub struct KeyTable<const N: usize> {
    keys: [KeySpec; N],
    len: usize,
}

impl<const N: usize> KeyTable<N> {
    #[must_use]
    pub const fn new() -> Self {
        Self {
            keys: [KeySpec::new("", ""); N],
            len: 0,
        }
    }

    /// Adds one key of the struct itself.
    ///
    /// # Panics
    /// When the table is full (a bug of the derive; at compile time, in a `const`).
    #[must_use]
    pub const fn key(mut self, key: KeySpec) -> Self {
        assert!(self.len < N, "more keys than the table holds");
        self.keys[self.len] = key;
        self.len += 1;
        self
    }

    /// Adds the keys of a flattened struct: `prefix` starts the keys it derived from field
    /// names (the names are in `names`, from [`prefixed_names`]), and a key without its own
    /// folder takes the nested struct's.
    ///
    /// # Panics
    /// When the nested struct sets `environment`, or the table is full (at compile time).
    #[must_use]
    pub const fn flatten(mut self, nested: StructSpec, prefix: &str, names: &'static [u8]) -> Self {
        assert!(
            nested.environment.is_none(),
            "a struct flattened into another cannot set `environment`: set it on the outer struct"
        );
        let mut names = names;
        let mut i = 0;
        while i < nested.keys.len() {
            let mut key = nested.keys[i];
            let (key_too, file_too) = takes_prefix(&key, prefix);
            if key_too {
                let env_is_key = key.env_is_key();
                let (name, rest) = cut(names, prefix.len() + key.key.len());
                names = rest;
                key.key = name;
                if env_is_key {
                    key.env = Some(name);
                }
            }
            if file_too && let Some(file) = key.file_env {
                let (name, rest) = cut(names, prefix.len() + file.len());
                names = rest;
                key.file_env = Some(name);
            }
            if key.path.is_none() {
                key.path = nested.path;
            }
            self = self.key(key);
            i += 1;
        }
        self
    }

    /// The table, once every key is in.
    ///
    /// # Panics
    /// When a key is missing (a bug of the derive; at compile time).
    #[must_use]
    pub const fn finish(self) -> [KeySpec; N] {
        assert!(self.len == N, "fewer keys than the table holds");
        self.keys
    }
}

impl<const N: usize> Default for KeyTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a key of `keys[first..first + first_len]` and one of
/// `keys[second..second + second_len]` are the same secret
/// (same key in the same folder, `None` being the struct's) or read the same variable.
#[doc(hidden)]
#[must_use]
pub const fn clashes(
    keys: &[KeySpec],
    first: usize,
    first_len: usize,
    second: usize,
    second_len: usize,
) -> bool {
    let mut at = first;
    while at < first + first_len {
        let mut other = second;
        while other < second + second_len {
            let (left, right) = (&keys[at], &keys[other]);
            let same_key = str_eq(left.key, right.key) && opt_eq(left.path, right.path);
            let same_env = match (left.env, right.env) {
                (Some(l), Some(r)) => str_eq(l, r),
                _ => false,
            };
            let same_file = match (left.file_env, right.file_env) {
                (Some(l), Some(r)) => str_eq(l, r),
                _ => false,
            };
            if same_key || same_env || same_file {
                return true;
            }
            other += 1;
        }
        at += 1;
    }
    false
}

/// The static description of a whole secrets struct.
///
/// ```
/// use secrets_core::{KeySpec, StructSpec};
///
/// const SPEC: StructSpec = StructSpec::new("AppSecrets", &[KeySpec::new("TOKEN", "token")])
///     .path("/backend")
///     .environment("prod");
/// assert_eq!(SPEC.keys().len(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StructSpec {
    name: &'static str,
    keys: &'static [KeySpec],
    path: Option<&'static str>,
    environment: Option<&'static str>,
}

impl StructSpec {
    /// A struct named `name` (used in the error report) with one key per field, in field order.
    #[must_use]
    pub const fn new(name: &'static str, keys: &'static [KeySpec]) -> Self {
        Self {
            name,
            keys,
            path: None,
            environment: None,
        }
    }

    /// The default Infisical folder of every key.
    #[must_use]
    pub const fn path(mut self, path: &'static str) -> Self {
        self.path = Some(path);
        self
    }

    /// The default Infisical environment slug.
    #[must_use]
    pub const fn environment(mut self, slug: &'static str) -> Self {
        self.environment = Some(slug);
        self
    }

    /// The struct's name.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// One spec per field, in field order.
    #[must_use]
    pub const fn keys(&self) -> &'static [KeySpec] {
        self.keys
    }

    /// The struct's default folder, if given.
    #[must_use]
    pub const fn folder(&self) -> Option<&'static str> {
        self.path
    }

    /// The struct's default environment slug, if given.
    #[must_use]
    pub const fn default_environment(&self) -> Option<&'static str> {
        self.environment
    }
}
