//! `#[derive(Secrets)]` for `secrets-core`; see that crate's docs.
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
mod symbol;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `Secrets`: a table of keys, `from_resolved`, inherent `load()` and `loader()`
/// functions, and a `Debug` that prints every field as `[REDACTED]`.
///
/// ```ignore
/// use secrets_core::{SecretString, Secrets};
///
/// #[derive(Secrets)]
/// #[secret(path = "/backend", prefix = "APP_")]
/// struct AppSecrets {
///     database_url: SecretString,         // key APP_DATABASE_URL
///     #[secret(name = "OPENFGA_API_TOKEN")]
///     openfga_token: SecretString,        // key OPENFGA_API_TOKEN: a `name` is not prefixed
///     #[secret(default = "8080")]
///     port: u16,
///     sentry_dsn: Option<SecretString>,   // `None` when absent
/// }
/// ```
///
/// The key of a field is its name in `SCREAMING_SNAKE_CASE` (`r#type` gives `TYPE`) after the
/// struct's `prefix`, or the field's `name` taken verbatim: the prefix applies to derived keys
/// only. A field is read from the secret store, then from its env var (the key, unless `env`
/// says otherwise), then from the file named by `<ENV>_FILE`, then from the secrets directory,
/// then from its `default`. An `Option<T>` field (`Option`, `std::option::Option` or
/// `core::option::Option` as written, not an alias) is `None` when the key is absent.
///
/// On the struct, `#[secret(...)]` takes:
/// - `path = "/folder"`: the default Infisical folder of every key;
/// - `environment = "slug"`: the default Infisical environment;
/// - `prefix = "APP_"`: put before every derived key;
/// - `crate = "path"`: the path to `secrets_core` when it is renamed or re-exported
///   (default `::secrets_core`).
///
/// On a field:
/// - `name = "KEY"`: the key, verbatim;
/// - `default = "value"`: used when no source has the key, parsed like any value;
/// - `env = "VAR"`: the env var to read when it is not the key (its file variable is
///   `VAR_FILE`);
/// - `no_env`: read neither an env var nor a `_FILE` variable, only the store, the secrets
///   directory and the default;
/// - `path = "/folder"`: the Infisical folder of this key;
/// - `allow_empty`: accept an empty value;
/// - `fallback_on_store_error`: fall back to the env var, file and default when the store
///   fails for this key's folder.
///
/// Names are checked at compile time: a key read as an env var matches
/// `[A-Za-z_][A-Za-z0-9_]*`, a key with `no_env` or its own `env` holds no `/`, `:` or
/// whitespace, no two fields share a key (in one folder), an env var or a file variable, and
/// no field reads `PATH`, `HOME`, `USER`, `SHELL`, `PWD`, `TERM`, `LANG`, `LC_*`, `XDG_*` or
/// `INFISICAL_*`. Generic structs are not supported, and the struct must not also derive
/// `Debug`.
#[proc_macro_derive(Secrets, attributes(secret))]
pub fn derive_secrets(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
