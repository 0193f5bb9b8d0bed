//! The trait `#[derive(Secrets)]` implements.

use std::future::Future;
use std::time::Duration;

use crate::error::Error;
use crate::live::Live;
use crate::loader::Loader;
use crate::resolved::Resolved;
use crate::spec::StructSpec;

/// A struct whose fields are loaded from secret sources.
///
/// Derive it: `#[derive(Secrets)]` writes the spec table, `from_resolved`, an inherent
/// `load()`/`loader()` and a redacting `Debug`. A hand-written impl is possible; the loader
/// re-checks every key name at run time.
///
/// Since the derive writes `Debug`, adding `#[derive(Debug)]` as well is an error:
///
/// ```text
/// error[E0119]: conflicting implementations of trait `Debug` for type `AppSecrets`
///  --> src/main.rs:3:17
///   |
/// 3 | #[derive(Debug, Secrets)]
///   |          -----  ^^^^^^^ conflicting implementation for `AppSecrets`
///   |          |
///   |          first implementation here
/// ```
///
/// Remove `Debug` from the list; the derived one names every field and shows no secret.
///
/// ```
/// use secrets_core::{Env, Error, ExposeSecret, Loader, SecretString, Secrets, spec::{KeySpec, Resolved, StructSpec}};
///
/// struct Token {
///     token: SecretString,
/// }
///
/// impl Secrets for Token {
///     const SPEC: StructSpec = StructSpec::new("Token", &[KeySpec::new("TOKEN", "token").with_env_var("TOKEN")]);
///
///     fn from_resolved(mut resolved: Resolved) -> Result<Self, Error> {
///         let token = resolved.take(0, Ok);
///         match token {
///             Some(token) if resolved.is_ok() => Ok(Self { token }),
///             _ => Err(resolved.into_error()),
///         }
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let loaded = Loader::<Token>::new()
///     .env(Env::from_pairs([("TOKEN", "t0ken")]))
///     .load()
///     .await
///     .unwrap();
/// assert_eq!(loaded.token.expose_secret(), "t0ken");
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a secrets struct",
    label = "does not implement `Secrets`",
    note = "derive it: `#[derive(Secrets)]` on a struct with named fields"
)]
pub trait Secrets: Sized {
    /// The keys, their sources and the struct's default folder.
    const SPEC: StructSpec;

    /// Builds the struct from resolved values, converting each to its field type and adding
    /// every conversion failure to the problems already found.
    ///
    /// # Errors
    /// The full report when any key is missing or invalid.
    fn from_resolved(resolved: Resolved) -> Result<Self, Error>;

    /// Loads now, failing with the full report like `load()`, then refreshes every `interval`
    /// in the background, swapping in only fully valid sets. See [`Live`]. An `interval` under
    /// one second is taken as one second (clamped rather than refused, so `watch` cannot fail).
    ///
    /// # Errors
    /// The report of the first load.
    #[must_use = "the future does nothing until awaited"]
    fn watch(interval: Duration) -> impl Future<Output = Result<Live<Self>, Error>> + Send
    where
        Self: Send + Sync + 'static,
    {
        Loader::<Self>::new().watch(interval).start()
    }
}
