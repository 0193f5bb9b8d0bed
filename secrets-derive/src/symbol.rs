//! The words of `#[secret(...)]`, matched in one place (serde's `symbol.rs`).

use std::fmt::{self, Display};

use syn::{Ident, Path};

/// One attribute keyword.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Symbol(&'static str);

/// The helper attribute itself: `#[secret(...)]`.
pub(crate) const SECRET: Symbol = Symbol("secret");

// Container options.
pub(crate) const PATH: Symbol = Symbol("path");
pub(crate) const ENVIRONMENT: Symbol = Symbol("environment");
pub(crate) const PREFIX: Symbol = Symbol("prefix");
pub(crate) const CRATE: Symbol = Symbol("crate");
pub(crate) const MANIFEST: Symbol = Symbol("manifest");

// Field options (`path` and `prefix` are shared with the container).
pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const DEFAULT: Symbol = Symbol("default");
pub(crate) const ENV: Symbol = Symbol("env");
pub(crate) const NO_ENV: Symbol = Symbol("no_env");
pub(crate) const ALLOW_EMPTY: Symbol = Symbol("allow_empty");
pub(crate) const FALLBACK_ON_STORE_ERROR: Symbol = Symbol("fallback_on_store_error");
pub(crate) const PUBLIC: Symbol = Symbol("public");
pub(crate) const DECODE: Symbol = Symbol("decode");
pub(crate) const SPLIT: Symbol = Symbol("split");
pub(crate) const JSON: Symbol = Symbol("json");
pub(crate) const WITH: Symbol = Symbol("with");
pub(crate) const FLATTEN: Symbol = Symbol("flatten");

/// The options of `#[secret(...)]` on the struct, in the order the errors list them.
pub(crate) const CONTAINER_OPTIONS: &[Symbol] = &[PATH, ENVIRONMENT, PREFIX, CRATE, MANIFEST];

/// The options of `#[secret(...)]` on a field, in the order the errors list them.
pub(crate) const FIELD_OPTIONS: &[Symbol] = &[
    NAME,
    DEFAULT,
    ENV,
    NO_ENV,
    PATH,
    ALLOW_EMPTY,
    FALLBACK_ON_STORE_ERROR,
    PUBLIC,
    DECODE,
    SPLIT,
    JSON,
    WITH,
    FLATTEN,
    PREFIX,
];

impl Symbol {
    pub(crate) const fn as_str(self) -> &'static str {
        self.0
    }
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
