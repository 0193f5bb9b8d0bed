//! Typed secrets at startup: Infisical first, the environment second, and a refusal to start
//! that names every missing secret at once.
//!
//! ```no_run
//! use secrets_core::{ExposeSecret, SecretString, Secrets};
//!
//! #[derive(Secrets)]
//! #[secret(path = "/langgraph-agent", environment = "prod")]
//! struct AppSecrets {
//!     anthropic_api_key: SecretString,          // key ANTHROPIC_API_KEY
//!     #[secret(name = "OPENFGA_API_TOKEN")]
//!     openfga_token: SecretString,
//!     database_url: SecretString,
//!     #[secret(default = "8080")]
//!     port: u16,                                // any FromStr type, parsed and validated
//!     sentry_dsn: Option<SecretString>,         // optional: absent is fine
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), secrets_core::Error> {
//!     let secrets = AppSecrets::load().await?;
//!     println!("listening on {}", secrets.port);
//!     let _key: &str = secrets.anthropic_api_key.expose_secret();
//!     Ok(())
//! }
//! ```
//!
//! When anything is wrong, `load()` fails once, with every problem:
//!
//! ```text
//! failed to load AppSecrets: 3 problems
//!   missing ANTHROPIC_API_KEY (field anthropic_api_key): not in Infisical prod:/langgraph-agent; env ANTHROPIC_API_KEY not set; ANTHROPIC_API_KEY_FILE not set; no default
//!   forbidden OPENFGA_API_TOKEN (field openfga_token): Infisical prod:/openfga answered 403 PermissionDenied: You are not allowed to read on secrets
//!   invalid PORT (field port) from env PORT: invalid digit found in string
//! ```
//!
//! # The derive
//!
//! `#[derive(Secrets)]` on a struct with named fields generates:
//! - an impl of [`Secrets`] with a static table of [`KeySpec`]s (checked at compile time);
//! - inherent `async fn load() -> Result<Self, Error>` and `fn loader() -> Loader<Self>`, so no
//!   trait import is needed;
//! - a `Debug` that names every field and shows no secret: `[REDACTED]` for a value, `None` or
//!   `Some([REDACTED])` for an optional field, the value itself for a field marked `public`.
//!
//! Because it writes `Debug`, do not also `#[derive(Debug)]` (rustc would report "conflicting
//! implementations of trait `Debug`"). It generates no `Serialize` and no `Clone`.
//!
//! ## Container attributes: `#[secret(...)]` on the struct
//!
//! | option | meaning |
//! | --- | --- |
//! | `path = "/folder"` | default Infisical folder of every field (else `/`) |
//! | `environment = "prod"` | default Infisical environment slug (`INFISICAL_ENVIRONMENT` overrides it) |
//! | `prefix = "APP_"` | prefix of every key derived from a field name (not of explicit `name`s) |
//! | `crate = "path"` | where `secrets_core` is, for a renamed or re-exported dependency |
//!
//! ## Field attributes: `#[secret(...)]` on a field
//!
//! | option | meaning |
//! | --- | --- |
//! | `name = "KEY"` | the key, instead of the field name in `SCREAMING_SNAKE_CASE` |
//! | `env = "VAR"` | the env var to read, when it differs from the key (its file variable is `VAR_FILE`) |
//! | `no_env` | never read this key from an env var or a `_FILE` variable: only the store, the secrets directory or the default |
//! | `default = "..."` | the value when no source has the key; parsed like any value (not on `Option` fields) |
//! | `path = "/folder"` | the Infisical folder of this field |
//! | `allow_empty` | accept an empty value for a required field |
//! | `fallback_on_store_error` | fall back to env, files and default when Infisical fails for this field's folder |
//! | `public` | `Debug` shows the value: for fields that are not secrets (a port, a log level); refused on `SecretString` and `SecretBox` fields |
//! | `decode = "base64"` | the text encodes bytes: `"base64"`, `"base64url"` (padding optional) or `"hex"`; on `[u8; N]`, `Vec<u8>`, `SecretBox<[u8; N]>`, `SecretBox<Vec<u8>>` |
//! | `split = ";"` | the separator of a `Vec<T>` field's items (`,` without it) |
//! | `json` | the text is JSON, read into any `T: serde::Deserialize` (or `SecretBox<T>`) |
//! | `with = "path::to::parse"` | your own parser, a `fn(&str) -> Result<T, E>` with `E: Display`; with `split`, it parses each item |
//! | `flatten` | the field is a struct that derives `Secrets`: its keys are loaded as part of this one |
//! | `prefix = "DB_"` | with `flatten`: starts the keys the nested struct derives from field names (and their env vars) |
//!
//! Mistakes are compile errors with a span on the wrong token and the fix in the message: key
//! or env names that are not valid env var names (`[A-Za-z_][A-Za-z0-9_]*`), two fields with
//! one key or env var, a key that collides with another field's `_FILE` variable, reserved
//! names (`PATH`, `HOME`, `USER`, `SHELL`, `PWD`, `TERM`, `LANG`, `LC_*`, `XDG_*`,
//! `INFISICAL_*`), invalid folder paths or environment slugs, unknown or repeated options,
//! options that contradict each other or do not fit the field's type, and field types that
//! cannot be loaded.
//!
//! ## Field types
//!
//! | type | how the text is read | example | reason when it is wrong |
//! | --- | --- | --- | --- |
//! | [`SecretString`] | as is, moved in, never copied | `sk-ant-…` | (none) |
//! | `bool` | `true/false`, `1/0`, `yes/no`, `on/off`, any case | `yes` | `expected one of true/false, 1/0, yes/no, on/off` |
//! | any [`FromStr`](std::str::FromStr) type: `String`, integers, floats, `PathBuf`, `IpAddr`, `Url`, yours | its `from_str` | `8080` | the parser's message, the value scrubbed out |
//! | [`SecretBox<T>`](SecretBox) | as `T`, then boxed | `42` | as `T` |
//! | [`Duration`](std::time::Duration) | a human duration: `ns`, `us`, `ms`, `s`, `m`, `h`, `d`, combined | `1h30m`, `250ms` | `a duration needs a unit: …` for a bare number, `unknown unit at bytes 2..5` |
//! | `[u8; N]`, `Vec<u8>`, `SecretBox<[u8; N]>`, `SecretBox<Vec<u8>>` with `decode` | base64, base64url or hex, then the length checked for arrays | `AAEC/w` | `decoded 31 bytes, expected 32`, `the character at byte 4 is not in its alphabet` |
//! | `Vec<T>` of any type above | split on `,` (or `split`), each item trimmed and read as `T` | `a.example, b.example` | `item 2 of 3: …`, `item 2 of 3 is empty` |
//! | any `T: Deserialize` with `json` | `serde_json` | `{"client_email": …}` | ``JSON of the wrong shape: missing field `x` (line 1, column 9)``; never the input |
//! | anything, with `with = "parse"` | your function | | its message, the value scrubbed out |
//! | a `#[derive(Secrets)]` struct with `flatten` | its own fields, as part of this struct | | each field's own |
//!
//! `SecretBox<T>` needs `T: Zeroize` (secrecy wipes the value on drop): integers, arrays of
//! them, `String` and `Vec` have it; for a type of your own, derive it with the re-exported
//! [`zeroize`] crate (`use secrets_core::zeroize::Zeroize;`, and its `derive` feature) or
//! implement it by hand:
//!
//! ```
//! # #[cfg(feature = "derive")] {
//! use secrets_core::zeroize::Zeroize;
//! use secrets_core::{Env, ExposeSecret, SecretBox, Secrets};
//!
//! #[derive(Debug)]
//! struct Pin(u32);
//!
//! impl std::str::FromStr for Pin {
//!     type Err = std::num::ParseIntError;
//!     fn from_str(text: &str) -> Result<Self, Self::Err> {
//!         text.parse().map(Pin)
//!     }
//! }
//!
//! impl Zeroize for Pin {
//!     fn zeroize(&mut self) {
//!         self.0.zeroize();
//!     }
//! }
//!
//! #[derive(Secrets)]
//! struct AppSecrets {
//!     unlock_pin: SecretBox<Pin>,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let secrets = AppSecrets::loader()
//!     .env(Env::from_pairs([("UNLOCK_PIN", "4321")]))
//!     .without_store()
//!     .load()
//!     .await
//!     .unwrap();
//! assert_eq!(secrets.unlock_pin.expose_secret().0, 4321);
//! # });
//! # }
//! ```
//!
//! `Option<T>` of any of them makes the field optional. An empty value follows the rules for
//! empty values below (an empty list is one). A type that cannot be loaded is a compile error
//! on the type that names the options that fit.
//!
//! A nested group loads in the same pass as the struct around it: one report, one provenance,
//! each folder fetched once. Two fields whose keys or env vars collide (a key of a nested group
//! and a key of the struct, or of another group) are a compile error that names both fields:
//!
//! ```
//! use secrets_core::{Env, SecretString, Secrets};
//!
//! #[derive(Secrets)]
//! struct DatabaseSecrets {
//!     host: String,
//!     password: SecretString,
//! }
//!
//! #[derive(Secrets)]
//! struct AppSecrets {
//!     #[secret(flatten, prefix = "PRIMARY_")]
//!     primary: DatabaseSecrets,           // keys PRIMARY_HOST, PRIMARY_PASSWORD
//!     #[secret(flatten, prefix = "REPLICA_")]
//!     replica: DatabaseSecrets,           // keys REPLICA_HOST, REPLICA_PASSWORD
//!     request_timeout: std::time::Duration,
//!     allowed_origins: Vec<String>,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let secrets = AppSecrets::loader()
//!     .env(Env::from_pairs([
//!         ("PRIMARY_HOST", "db1"),
//!         ("PRIMARY_PASSWORD", "pw1"),
//!         ("REPLICA_HOST", "db2"),
//!         ("REPLICA_PASSWORD", "pw2"),
//!         ("REQUEST_TIMEOUT", "30s"),
//!         ("ALLOWED_ORIGINS", "https://a.example, https://b.example"),
//!     ]))
//!     .load()
//!     .await?;
//! assert_eq!(secrets.replica.host, "db2");
//! assert_eq!(secrets.request_timeout.as_secs(), 30);
//! assert_eq!(secrets.allowed_origins.len(), 2);
//! # Ok::<(), secrets_core::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Where values come from
//!
//! For each key, in order; the first source that has it wins:
//!
//! 1. **the secret store**: Infisical (or any [`SecretStore`]), one list request per folder,
//!    all folders concurrently;
//! 2. **the env var**: the key, or the field's `env` (not with `no_env`); then, only when
//!    the loader was asked to read one ([`Loader::dotenv`]), the same name in a `.env` file;
//! 3. **the file** named by `<ENV>_FILE` (the Docker and Kubernetes secrets convention), then
//!    a file named like the key in the [secrets directory](Loader::secrets_dir); a single
//!    trailing newline is dropped;
//! 4. **the `default`**;
//! 5. otherwise the key is missing: a problem, unless the field is an `Option`.
//!
//! Env vars are read through an [`Env`] lookup (the process environment by default; a map in
//! tests). The library never calls `set_var`.
//!
//! ## `.env` files
//!
//! A `.env` file is read only when asked, with [`Loader::dotenv`]: a file left in a working
//! directory (a container image, a deploy checkout) would otherwise quietly feed values to a
//! production service, ahead of the files and defaults it was meant to use. A variable of the
//! file stands in for one the process environment does not set; the provenance shows its
//! value as `.env:LINE` ([`Source::DotEnv`]). A missing file is fine, a line that does not
//! parse is a problem naming the file and the line, never the value. When keys are missing
//! and a `.env` in the working directory was not read, the report's closing line says so.
//!
//! A key falls back from the store to lower sources only when the store listed its folder and
//! the key was not there, or when no store is configured. When the store fails for a folder
//! (not found, forbidden, bad credentials, rate limited past the retry budget, server errors,
//! unreachable, past the startup deadline), every key of that folder is a problem naming the
//! cause: the loader fails closed. Opt in to falling back with
//! [`Loader::fallback_on_store_error`] or the field option `fallback_on_store_error`; the
//! [`Provenance`] then says which fallback happened and why.
//!
//! ## Empty values
//!
//! An empty value is a problem of its own (`empty`, not `missing`) for a required field, unless
//! the field has `allow_empty`. For an `Option` field an empty value means `None`. The empty
//! value stops the search: `PORT=` with a default of 8080 is reported, not silently replaced.
//!
//! ## Ambiguity and files
//!
//! Both `X` and `X_FILE` set is a problem (`ambiguous`): unset one. A `_FILE` (or a file of the
//! secrets directory) that names a missing file, something that is not a regular file once
//! symlinks are followed (a directory, a device such as `/dev/zero`, a FIFO, a socket), a file
//! over 1 MiB or a file that is not UTF-8 is a problem (`unreadable`) that names the path and
//! why. Such files are refused before they are read, a FIFO is never waited on, no more than
//! 1 MiB and a byte is ever read, and reads run off the async runtime's threads. A `_FILE`
//! holding no `/` and naming no file is most likely the value itself, pasted by mistake: it is
//! reported as such ([`ProblemKind::NotAPath`]) and never shown.
//!
//! # Errors
//!
//! [`Error::Load`] carries a [`Report`]: every [`Problem`] in field order, each with its key,
//! field, [`ProblemKind`] and the [`Lookup`]s tried. Problem kinds: missing, empty, invalid
//! (with the parser's reason), ambiguous, unreadable file, withheld (Infisical hides the value
//! from this identity), unexpanded reference, a store failure (not found, forbidden,
//! unauthorized, throttled, unavailable, deadline), and configuration problems that belong to
//! no field (half an Infisical configuration, say).
//!
//! # Provenance
//!
//! [`Loader::load_with_provenance`] also returns a [`Provenance`]: where each key came from
//! (store folder, env var, file path, default) and why lower sources were consulted, never a
//! value. [`Loader::log_provenance`] logs it at `tracing` info level, one line per key.
//!
//! # Infisical
//!
//! With no configuration in code, `load()` configures Infisical from the Infisical CLI's env
//! vars, and runs env-only (said once in the provenance and at info level) when there are none.
//! See [`InfisicalClient`] for the variables, the builder, and the HTTP behaviour (timeouts,
//! retries, startup deadline, token handling).
//!
//! # Live secrets
//!
//! [`Secrets::watch`] (or [`Loader::watch`], for the [`Watch`] builder) loads like `load()`,
//! failing fast with the full report, then refreshes in a background task that stops when the
//! [`Live`] handle is dropped (an interval under one second is taken as one second):
//!
//! - [`Live::current`] is a cheap `Arc` snapshot; [`Live::changed`] wakes when a new set is in
//!   place.
//! - Should the task ever end otherwise (a panic in a conversion, a custom store or the
//!   failure hook), [`Live::is_stopped`] says so, [`Live::last_error`] holds an
//!   [`Error::WatchStopped`], the failure hook is told and [`Live::changed`] wakes.
//! - A refresh re-reads every source (Infisical, env vars, `_FILE` files, the secrets
//!   directory) and swaps in the new set only when every key resolves. Otherwise the last good
//!   set stays, [`Live::last_error`] holds the report, and refreshes back off up to a cap,
//!   longer when the server sent `Retry-After`.
//! - [`Live::history`] says when each key last changed source or value, with a revision
//!   number and a [`Fingerprint`], never the value.
//! - Through Infisical, an unchanged folder costs a `304 Not Modified` and no parsing, and the
//!   token is renewed before it expires (or replaced by a new login when it cannot be); see
//!   [`InfisicalClient`] and [`ClientStats`].
//!
//! # Any executor, or none
//!
//! `load()` is an ordinary future: poll it from `#[tokio::main]`, from another executor
//! (`futures::executor::block_on`, pollster), or skip async altogether with
//! `AppSecrets::load_blocking()` ([`Loader::load_blocking`]) in a plain `fn main()`. What
//! runtime is used, and when:
//!
//! - Polled by a Tokio runtime with IO and time enabled (`#[tokio::main]`, `#[tokio::test]`,
//!   `enable_all()`), everything runs right there, on the caller's runtime: the Infisical
//!   requests, their deadlines and retries, and a watch's refresh task and its sleeps (so a
//!   test under `start_paused = true` controls them).
//! - Polled by anything else (another executor, no runtime, or a Tokio runtime built without
//!   `enable_io`/`enable_time`), the load runs on the library's own runtime: one background
//!   thread (`secrets-core-runtime`) with a current-thread Tokio runtime, started on first use
//!   and kept for the life of the process. The caller's future only waits for it, and a
//!   watch's refresh task lives there too. Tokio cannot be asked whether a runtime has IO and
//!   time, so the library finds out once per runtime by trying (a caught, unreported panic).
//! - `load_blocking()` runs the load on a new thread with a current-thread runtime of its
//!   own and blocks the calling thread until it is done, so it neither panics nor deadlocks
//!   when called inside a runtime (it does hold that runtime's thread meanwhile).
//!
//! Files are always read on a thread of their own, whoever polls.
//!
//! # Secrets stay secret
//!
//! Values are [`SecretString`]s from the moment they are read: `Debug` is redacted, memory is
//! zeroized on drop, nothing here implements `Serialize`. No value, token or client secret
//! appears in any error, `Debug` output, log line or panic message of this crate; parser
//! messages that echo their input are scrubbed.
//!
//! # Testing your own `load()`
//!
//! The `testing` feature adds the `testing` module: `testing::FakeInfisical`, an in-process
//! fake Infisical server on 127.0.0.1 to point `AppSecrets::loader()` at from your own
//! `#[tokio::test]`s. Its docs start with that pattern; without Infisical, give the loader an
//! [`Env::from_pairs`] map. Add it to your dev-dependencies only:
//!
//! ```toml
//! [dev-dependencies]
//! secrets-core = { version = "0.1", features = ["testing"] }
//! ```
//!
//! # Feature flags
//!
//! - `derive` (default): `#[derive(Secrets)]`.
//! - `testing`: the fake Infisical server.
#![forbid(unsafe_code)]

mod convert;
mod dotenv;
mod env;
mod error;
mod file;
mod infisical;
mod kinds;
mod live;
mod loader;
mod names;
#[cfg(test)]
mod proptests;
mod provenance;
mod report;
mod resolved;
mod runtime;
mod secrets;
mod source;
mod spec;
mod store;
mod time;

/// A fake Infisical server on 127.0.0.1, for your tests of `load()` (feature `testing`).
#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use crate::convert::FromSecret;
// At the root so that the compiler's errors about them name `FromJson`, `FromBytes` and
// `Flatten` alone, not their path in `__private`; not part of the public API.
#[doc(hidden)]
pub use crate::__private::{Flatten, FromBytes, FromJson};
pub use crate::env::Env;
pub use crate::error::{
    Error, Problem, ProblemKind, Report, StoreCall, StoreError, StoreErrorKind,
};
pub use crate::infisical::{ClientStats, InfisicalClient, InfisicalClientBuilder};
pub use crate::live::{KeyHistory, Live, Watch};
pub use crate::loader::Loader;
pub use crate::provenance::{Fingerprint, Provenance, ProvenanceEntry};
pub use crate::resolved::Resolved;
pub use crate::secrets::Secrets;
pub use crate::source::{Folder, Lookup, Source};
pub use crate::spec::{KeySpec, StructSpec};
pub use crate::store::{BoxFuture, FolderSecrets, SecretStore, StoredSecret, StoredValue};
pub use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox, SecretString};
/// The `zeroize` crate, for the `T: Zeroize` that a [`SecretBox<T>`](SecretBox) field needs.
pub use zeroize;

/// Derives [`Secrets`] for a struct with named fields: the key table, `from_resolved`, inherent
/// `load()` and `loader()`, and a `Debug` that shows no secret.
///
/// The derive writes `Debug` itself: `#[derive(Debug, Secrets)]` fails with "conflicting
/// implementations of trait `Debug`". Mark the fields that are not secrets `public` to see their
/// values in it.
///
/// ```
/// use secrets_core::{Env, SecretString, Secrets};
///
/// #[derive(Secrets)]
/// #[secret(path = "/backend", prefix = "APP_")]
/// struct AppSecrets {
///     database_url: SecretString,         // key APP_DATABASE_URL
///     #[secret(name = "OPENFGA_API_TOKEN")]
///     openfga_token: SecretString,        // key OPENFGA_API_TOKEN: a `name` is not prefixed
///     #[secret(default = "8080", public)]
///     port: u16,                          // `Debug` shows it
///     sentry_dsn: Option<SecretString>,   // `None` when absent
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let secrets = AppSecrets::loader()
///     .env(Env::from_pairs([
///         ("APP_DATABASE_URL", "postgres://app@db/app"),
///         ("OPENFGA_API_TOKEN", "fga-token"),
///     ]))
///     .load()
///     .await?;
/// assert_eq!(
///     format!("{secrets:?}"),
///     "AppSecrets { database_url: [REDACTED], openfga_token: [REDACTED], port: 8080, sentry_dsn: None }"
/// );
/// # Ok::<(), secrets_core::Error>(())
/// # }).unwrap();
/// ```
///
/// The attributes, the key names and the checks made at compile time are in the
/// [crate docs](crate#the-derive).
#[cfg(feature = "derive")]
pub use secrets_derive::Secrets;
