//! The static description of a secrets struct, for a hand-written [`Secrets`](crate::Secrets)
//! impl: [`StructSpec`] and its [`KeySpec`]s, which the derive generates and the loader reads,
//! and [`Resolved`], what the loader hands to `from_resolved`.

use std::fmt;

use self::table::str_eq;
pub use crate::resolved::Resolved;
// What generated code calls (through `__private`); not part of the public API.
#[doc(hidden)]
pub use self::table::{KeyTable, clashes, prefixed_len, prefixed_names};

mod table;

/// How one field of a [`Secrets`](crate::Secrets) struct is looked up.
///
/// The derive builds one `KeySpec` per field in a `const` table; a hand-written
/// [`Secrets`](crate::Secrets) impl builds them with the same `const` builder methods.
/// The loader re-checks every name at run time, so a hand-written table cannot smuggle in an
/// invalid key.
///
/// ```
/// use secrets_core::spec::KeySpec;
///
/// const PORT: KeySpec = KeySpec::new("PORT", "port")
///     .with_env_var("PORT")
///     .with_file_var("PORT_FILE")
///     .with_default("8080");
/// assert_eq!(PORT.key(), "PORT");
/// assert_eq!(PORT.env_var(), Some("PORT"));
/// assert_eq!(PORT.file_var(), Some("PORT_FILE"));
/// assert_eq!(PORT.default(), Some("8080"));
/// ```
///
/// Each setting has one name: `with_<name>` sets it, `<name>()` reads it (`with_folder` and
/// `folder`); a flag is set by its name and read by `is_<name>` (`optional`, `is_optional`).
///
/// `Debug` shows whether a key has a default, never the default itself: a default is a source
/// of the value like any other (a development database URL, say).
///
/// ```
/// # use secrets_core::spec::KeySpec;
/// let spec = KeySpec::new("DATABASE_URL", "database_url").with_default("postgres://dev");
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
    /// [`describe`](crate::describe::Description).
    #[must_use]
    pub const fn with_doc_comment(mut self, doc: &'static str) -> Self {
        self.doc = Some(doc);
        self
    }

    /// Reads the env var `var` as the second source. The file variable is set apart with
    /// [`with_file_var`](Self::with_file_var); the derive passes both names, computed at
    /// compile time.
    #[must_use]
    pub const fn with_env_var(mut self, var: &'static str) -> Self {
        self.env = Some(var);
        self
    }

    /// Sets the name of the variable that holds a file path (`<ENV>_FILE` by convention).
    #[must_use]
    pub const fn with_file_var(mut self, var: &'static str) -> Self {
        self.file_env = Some(var);
        self
    }

    /// The value to use when no source has the key; parsed like any other value.
    #[must_use]
    pub const fn with_default(mut self, value: &'static str) -> Self {
        self.default = Some(value);
        self
    }

    /// The folder (path) of this key in the secret store, when it differs from the struct's.
    #[must_use]
    pub const fn with_folder(mut self, path: &'static str) -> Self {
        self.path = Some(path);
        self
    }

    /// The old name of [`with_doc_comment`](Self::with_doc_comment).
    #[deprecated(note = "renamed to `with_doc_comment`, the builder of `doc_comment()`")]
    #[must_use]
    pub const fn doc(self, doc: &'static str) -> Self {
        self.with_doc_comment(doc)
    }

    /// The old name of [`with_env_var`](Self::with_env_var).
    #[deprecated(note = "renamed to `with_env_var`, the builder of `env_var()`")]
    #[must_use]
    pub const fn env(self, var: &'static str) -> Self {
        self.with_env_var(var)
    }

    /// The old name of [`with_file_var`](Self::with_file_var).
    #[deprecated(note = "renamed to `with_file_var`, the builder of `file_var()`")]
    #[must_use]
    pub const fn file_env(self, var: &'static str) -> Self {
        self.with_file_var(var)
    }

    /// The old name of [`with_default`](Self::with_default).
    #[deprecated(note = "renamed to `with_default`, the builder of `default()`")]
    #[must_use]
    pub const fn default_value(self, value: &'static str) -> Self {
        self.with_default(value)
    }

    /// The old name of [`with_folder`](Self::with_folder).
    #[deprecated(note = "renamed to `with_folder`, the builder of `folder()`")]
    #[must_use]
    pub const fn path(self, path: &'static str) -> Self {
        self.with_folder(path)
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

    /// The field's documentation, if any (see [`with_doc_comment`](Self::with_doc_comment)).
    #[must_use]
    pub const fn doc_comment(&self) -> Option<&'static str> {
        self.doc
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

/// The static description of a whole secrets struct.
///
/// ```
/// use secrets_core::spec::{KeySpec, StructSpec};
///
/// const SPEC: StructSpec = StructSpec::new("AppSecrets", &[KeySpec::new("TOKEN", "token")])
///     .with_folder("/backend")
///     .with_default_environment("prod");
/// assert_eq!(SPEC.keys().len(), 1);
/// assert_eq!(SPEC.folder(), Some("/backend"));
/// assert_eq!(SPEC.default_environment(), Some("prod"));
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

    /// The folder (path) of every key that gives none, unless the store configures one.
    #[must_use]
    pub const fn with_folder(mut self, path: &'static str) -> Self {
        self.path = Some(path);
        self
    }

    /// The environment slug of every key, unless the store configures one.
    #[must_use]
    pub const fn with_default_environment(mut self, slug: &'static str) -> Self {
        self.environment = Some(slug);
        self
    }

    /// The old name of [`with_folder`](Self::with_folder).
    #[deprecated(note = "renamed to `with_folder`, the builder of `folder()`")]
    #[must_use]
    pub const fn path(self, path: &'static str) -> Self {
        self.with_folder(path)
    }

    /// The old name of [`with_default_environment`](Self::with_default_environment).
    #[deprecated(
        note = "renamed to `with_default_environment`, the builder of `default_environment()`"
    )]
    #[must_use]
    pub const fn environment(self, slug: &'static str) -> Self {
        self.with_default_environment(slug)
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
