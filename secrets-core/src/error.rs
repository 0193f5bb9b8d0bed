//! The one error `load()` returns, listing every problem at once, and never a secret value.
//!
//! Over 500 lines because it is the whole error model a user matches on, in one place:
//! [`Error`], its [`Report`] of [`Problem`]s and their [`ProblemKind`]s, and the
//! [`StoreError`] a store returns, with the crate's own constructors of it at the bottom.

use std::error::Error as StdError;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::source::{Folder, Lookup, Source};

/// Why loading failed.
///
/// `Debug` prints the same report as `Display`, because `fn main() -> Result<(), Error>`
/// shows an error with `Debug`: a service that refuses to start prints the readable report.
/// The structure is there through [`report`](Self::report) and [`problems`](Self::problems).
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use secrets_core::{Env, Error, ProblemKind, SecretString, Secrets};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
///     port: u16,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let error = AppSecrets::loader()
///     .env(Env::from_pairs([("PORT", "eighty")]))
///     .without_store()
///     .load()
///     .await
///     .unwrap_err();
/// assert!(matches!(error, Error::Load(_)));
/// // Every problem, not only the first, and never the value.
/// let report = error.report().unwrap();
/// assert_eq!(report.problems().len(), 2);
/// assert!(!error.to_string().contains("eighty"));
/// # });
/// # }
/// ```
#[derive(Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// One or more keys could not be loaded. The report lists every problem, each with its
    /// key, field and every place that was looked in.
    #[error(transparent)]
    Load(Report),
    /// A configuration problem in words. Not returned by this crate any more: a configuration
    /// problem (an invalid URL, plain HTTP to a remote host, an unreadable CA bundle, half an
    /// `INFISICAL_*` configuration) is a [`ProblemKind::Config`] in the report of
    /// [`Error::Load`], whichever call found it. Kept for code that matches on it.
    #[error("invalid secrets configuration: {0}")]
    Config(String),
    /// The background refresh of a [`Live`](crate::Live) stopped for good (a refresh
    /// panicked): the last good set stays in place and is no longer refreshed. Reported
    /// through [`Live::last_error`](crate::Live::last_error) and the failure hook.
    #[error("the secrets watch stopped: {0}")]
    WatchStopped(String),
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Error {
    /// Configuration problems found before any load (by `InfisicalClient::from_env` or the
    /// client's builder): the same report a load gives, with one problem per message.
    pub(crate) fn configuration(messages: impl IntoIterator<Item = String>) -> Self {
        let problems = messages.into_iter().map(Problem::config).collect();
        Self::Load(Report::new("the Infisical configuration", problems))
    }

    /// The report of a failed load, if this is one.
    #[must_use]
    pub fn report(&self) -> Option<&Report> {
        match self {
            Self::Load(report) => Some(report),
            Self::Config(_) | Self::WatchStopped(_) => None,
        }
    }

    /// Every problem of a failed load (empty for a configuration error).
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        self.report().map_or(&[], Report::problems)
    }
}

/// Every problem of one failed load, in field order, then problems that belong to no field.
///
/// A failure that is not about one key (a rejected login, an unreachable server, a folder not
/// found) is one problem however many keys it kept from loading; it names what failed, how to
/// fix it and the keys. `Display` is the multi-line report an operator reads:
///
/// ```text
/// failed to load AppSecrets: 2 problems, 3 keys not loaded
///   Infisical Universal Auth login failed: 401 UnauthorizedError: Invalid credentials (reqId req-1)
///     check INFISICAL_UNIVERSAL_AUTH_CLIENT_ID and INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET
///     not loaded: DATABASE_URL (field database_url), API_KEY (field api_key)
///   invalid PORT (field port) from env PORT: invalid digit found in string
/// ```
#[derive(Debug, Clone)]
pub struct Report {
    target: &'static str,
    problems: Vec<Problem>,
    notes: Vec<String>,
}

impl Report {
    pub(crate) fn new(target: &'static str, problems: Vec<Problem>) -> Self {
        Self {
            target,
            problems,
            notes: Vec::new(),
        }
    }

    pub(crate) fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes = notes;
        self
    }

    /// Lines that close the report: what may explain the problems without being one (no
    /// secret store configured, a `.env` file that was not read).
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// How many distinct keys the problems kept from loading.
    #[must_use]
    pub fn keys_not_loaded(&self) -> usize {
        let mut keys: Vec<&str> = self
            .problems
            .iter()
            .flat_map(|p| p.keys().map(|(key, _)| key))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    }

    /// The name of the struct that failed to load.
    #[must_use]
    pub fn target(&self) -> &'static str {
        self.target
    }

    /// Every problem found.
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "failed to load {}: {n} problem{}",
            self.target,
            if n == 1 { "" } else { "s" }
        )?;
        match self.keys_not_loaded() {
            0 => {}
            1 => f.write_str(", 1 key not loaded")?,
            keys => write!(f, ", {keys} keys not loaded")?,
        }
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        for note in &self.notes {
            write!(f, "\n  {note}")?;
        }
        Ok(())
    }
}

impl StdError for Report {}

/// One thing wrong: with one key, with the secret store for many keys at once
/// ([`ProblemKind::Store`]: one problem per cause, listing every key it kept from loading), or
/// with the loader's setup ([`ProblemKind::Config`]).
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use secrets_core::{Env, Error, ProblemKind, SecretString, Secrets};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
///     port: u16,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let error = AppSecrets::loader()
///     .env(Env::from_pairs([("PORT", "eighty")]))
///     .without_store()
///     .load()
///     .await
///     .unwrap_err();
/// for problem in error.problems() {
///     match problem.kind() {
///         // `tried` is every place looked in, in order.
///         ProblemKind::Missing => assert_eq!(problem.key(), Some("DATABASE_URL")),
///         ProblemKind::Invalid { source, .. } => assert_eq!(source.to_string(), "env PORT"),
///         other => panic!("unexpected {other:?}"),
///     }
/// }
/// # });
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Problem {
    key: Option<String>,
    field: Option<&'static str>,
    kind: ProblemKind,
    tried: Vec<Lookup>,
    /// For a store failure: every key (and field) it kept from loading, in field order.
    affected: Vec<(String, &'static str)>,
    /// For a store failure: the folders whose listing it failed (empty for a login).
    folders: Vec<Folder>,
    /// How to fix it, one line each.
    fixes: Vec<String>,
}

impl Problem {
    pub(crate) fn for_key(
        key: &str,
        field: &'static str,
        kind: ProblemKind,
        tried: Vec<Lookup>,
    ) -> Self {
        Self {
            key: Some(key.to_owned()),
            field: Some(field),
            kind,
            tried,
            affected: Vec::new(),
            folders: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self {
            key: None,
            field: None,
            kind: ProblemKind::Config(message.into()),
            tried: Vec::new(),
            affected: Vec::new(),
            folders: Vec::new(),
            fixes: Vec::new(),
        }
    }

    /// One problem for a store failure that kept `affected` keys from loading.
    pub(crate) fn store_failure(
        error: StoreError,
        affected: Vec<(String, &'static str)>,
        folders: Vec<Folder>,
        fixes: Vec<String>,
    ) -> Self {
        Self {
            key: None,
            field: None,
            kind: ProblemKind::Store(error),
            tried: Vec::new(),
            affected,
            folders,
            fixes,
        }
    }

    /// The key, e.g. `DATABASE_URL`, of a problem about one key; `None` for a store failure
    /// (see [`keys`](Self::keys)) and for a configuration problem.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The struct field of a problem about one key; `None` otherwise.
    #[must_use]
    pub fn field(&self) -> Option<&'static str> {
        self.field
    }

    /// Every key the problem kept from loading, with its field: the one key of a problem about
    /// a key, each key of the folders a store failure hit, none for a configuration problem.
    pub fn keys(&self) -> impl Iterator<Item = (&str, &'static str)> + '_ {
        let own = self.key.as_deref().zip(self.field);
        own.into_iter().chain(
            self.affected
                .iter()
                .map(|(key, field)| (key.as_str(), *field)),
        )
    }

    /// The folders a store failure kept from being listed (for a rejected login, every folder
    /// of the load); empty for problems about one key.
    #[must_use]
    pub fn folders(&self) -> &[Folder] {
        &self.folders
    }

    /// How to fix it: the settings to check, the loader call that would help.
    #[must_use]
    pub fn fixes(&self) -> &[String] {
        &self.fixes
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> &ProblemKind {
        &self.kind
    }

    /// Every place that was looked in, in order, with what it held.
    #[must_use]
    pub fn tried(&self) -> &[Lookup] {
        &self.tried
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let ProblemKind::Store(error) = &self.kind
            && self.key.is_none()
        {
            return crate::report::write_store_failure(f, error, self);
        }
        let (Some(key), Some(field)) = (&self.key, self.field) else {
            return write!(f, "{}", self.kind);
        };
        write!(f, "{} {key} (field {field})", self.kind.word())?;
        if let Some(source) = self.kind.source() {
            write!(f, " from {source}")?;
        }
        let detail = self.kind.detail();
        let mut sep = ": ";
        if !detail.is_empty() {
            write!(f, "{sep}{detail}")?;
            sep = "; ";
        }
        // The trail explains a missing key; for every other kind the kind names its source.
        // "Infisical not configured" is said once, at the end of the report.
        if matches!(self.kind, ProblemKind::Missing) {
            for lookup in self
                .tried
                .iter()
                .filter(|l| !matches!(l, Lookup::StoreNotConfigured))
            {
                write!(f, "{sep}{lookup}")?;
                sep = "; ";
            }
        }
        Ok(())
    }
}

/// What is wrong with a key.
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use secrets_core::{Env, Error, ProblemKind, SecretString, Secrets};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
///     port: u16,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let error = AppSecrets::loader()
///     .env(Env::from_pairs([("PORT", "eighty")]))
///     .without_store()
///     .load()
///     .await
///     .unwrap_err();
/// let kinds: Vec<_> = error.problems().iter().map(|problem| problem.kind()).collect();
/// assert!(matches!(kinds[0], ProblemKind::Missing));
/// assert!(matches!(kinds[1], ProblemKind::Invalid { .. }));
/// # });
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ProblemKind {
    /// No source had the key and it has no default.
    Missing,
    /// A source had the key with an empty value, and the field does not allow that.
    Empty(Source),
    /// The value did not parse; the reason is the parser's message with the value scrubbed.
    Invalid {
        /// Where the value came from.
        source: Source,
        /// Why it did not parse.
        reason: String,
    },
    /// The value was not valid UTF-8.
    NotUnicode(Source),
    /// Both the env var and its `_FILE` variable are set; which one is meant is unclear.
    Ambiguous {
        /// The env var.
        env: String,
        /// The file variable.
        file_var: String,
    },
    /// A file named for the key could not be read.
    UnreadableFile {
        /// The file.
        path: PathBuf,
        /// Why, e.g. "is a directory".
        reason: String,
    },
    /// A `_FILE` variable holds no `/` and names no file: most likely a value pasted in place
    /// of a path. Its content is not kept, so it is never shown.
    NotAPath {
        /// The file variable, e.g. `DATABASE_URL_FILE`.
        file_var: String,
    },
    /// The store has the key but would not show its value (`secretValueHidden`).
    Withheld(Folder),
    /// The store's value still contains a `${...}` reference it could not expand.
    UnexpandedReference(Folder),
    /// The store failed for the key's folder, and the key does not fall back.
    Store(StoreError),
    /// The loader's setup is wrong (half an Infisical configuration, say); no field of its own.
    Config(String),
}

impl ProblemKind {
    /// The one word that leads the line in the report.
    pub(crate) fn word(&self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Empty(_) => "empty",
            Self::Invalid { .. } | Self::NotUnicode(_) => "invalid",
            Self::Ambiguous { .. } => "ambiguous",
            Self::UnreadableFile { .. } | Self::NotAPath { .. } => "unreadable",
            Self::Withheld(_) => "withheld",
            Self::UnexpandedReference(_) => "unexpanded",
            Self::Store(e) => e.kind().word(),
            Self::Config(_) => "config",
        }
    }

    fn source(&self) -> Option<&Source> {
        match self {
            Self::Empty(source) | Self::NotUnicode(source) | Self::Invalid { source, .. } => {
                Some(source)
            }
            _ => None,
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Missing | Self::Empty(_) => String::new(),
            Self::Invalid { reason, .. } => reason.clone(),
            Self::NotUnicode(_) => "not valid UTF-8".to_owned(),
            Self::Ambiguous { env, file_var } => {
                format!("both {env} and {file_var} are set; unset one")
            }
            Self::UnreadableFile { path, reason } => {
                format!("cannot read {}: {reason}", path.display())
            }
            Self::NotAPath { file_var } => crate::file::not_a_path(file_var),
            Self::Withheld(folder) => format!(
                "the store withholds the value in {folder}: grant the identity read access to secret values"
            ),
            Self::UnexpandedReference(folder) => format!(
                "the store returned a value from {folder} with an unexpanded ${{...}} reference: check that the referenced secret exists and is readable"
            ),
            Self::Store(e) => e.to_string(),
            Self::Config(message) => message.clone(),
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(message) => write!(f, "config: {message}"),
            other => {
                f.write_str(other.word())?;
                let detail = other.detail();
                if !detail.is_empty() {
                    write!(f, ": {detail}")?;
                }
                Ok(())
            }
        }
    }
}

/// Why a secret store could not list a folder. Carries the HTTP status, Infisical's `error`
/// name, `message` and `reqId` where there were any; never a token or a value.
///
/// `Display` names the request that failed: the folder's listing (`Infisical prod:/api
/// answered 403 ...`), or the login or token renewal it needed first (`Infisical Universal
/// Auth login failed: 401 ...`); see [`call`](Self::call).
///
/// A custom [`SecretStore`](crate::store::SecretStore) returns one when a listing fails:
///
/// ```
/// use std::time::Duration;
/// use secrets_core::store::{StoreError, StoreErrorKind};
///
/// let error = StoreError::new(StoreErrorKind::Server, "the vault is sealed")
///     .with_status(503)
///     .with_retry_after(Duration::from_secs(5));
/// assert_eq!(error.kind(), StoreErrorKind::Server);
/// assert_eq!(error.status(), Some(503));
/// ```
#[derive(Clone)]
pub struct StoreError {
    // Boxed so that `Result<_, StoreError>` stays two words: every `SecretStore` returns it,
    // and an unboxed error would meet `clippy::result_large_err` in every crate that
    // implements one.
    inner: Box<StoreErrorInner>,
}

#[derive(Debug, Clone)]
struct StoreErrorInner {
    kind: StoreErrorKind,
    store: Option<&'static str>,
    fix: Option<String>,
    call: StoreCall,
    folder: Option<Folder>,
    status: Option<u16>,
    name: Option<String>,
    message: Option<String>,
    req_id: Option<String>,
    retry_after: Option<Duration>,
}

// The point of the box: a pointer, whatever the fields become.
const _: () = assert!(size_of::<StoreError>() == size_of::<usize>());

impl fmt::Debug for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The fields as the unboxed struct showed them: the box is not part of what it says.
        let inner = &self.inner;
        f.debug_struct("StoreError")
            .field("kind", &inner.kind)
            .field("store", &inner.store)
            .field("fix", &inner.fix)
            .field("call", &inner.call)
            .field("folder", &inner.folder)
            .field("status", &inner.status)
            .field("name", &inner.name)
            .field("message", &inner.message)
            .field("req_id", &inner.req_id)
            .field("retry_after", &inner.retry_after)
            .finish()
    }
}

impl StoreError {
    /// A store error of `kind` with a human message (no secrets in it).
    #[must_use]
    pub fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(StoreErrorInner {
                kind,
                store: None,
                fix: None,
                call: StoreCall::List,
                folder: None,
                status: None,
                name: None,
                message: Some(message.into()),
                req_id: None,
                retry_after: None,
            }),
        }
    }

    /// Attaches how long the server asked us to wait before trying again (`Retry-After`).
    #[must_use]
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.inner.retry_after = Some(wait);
        self
    }

    /// How long the server asked us to wait, when it was rate limiting.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Attaches the HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// Attaches the server's error name (Infisical's `error` field).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.inner.name = Some(name.into());
        self
    }

    /// Attaches the server's request id (Infisical's `reqId`).
    #[must_use]
    pub fn with_req_id(mut self, req_id: impl Into<String>) -> Self {
        self.inner.req_id = Some(req_id.into());
        self
    }

    /// Names the store, as [`SecretStore::name`](crate::store::SecretStore::name) does; the loader
    /// sets it on every error a store returns.
    #[must_use]
    pub fn with_store(mut self, name: &'static str) -> Self {
        self.inner.store = Some(name);
        self
    }

    /// The store's name, once the loader has set it.
    #[must_use]
    pub fn store(&self) -> Option<&'static str> {
        self.inner.store
    }

    /// Says how to fix it: the setting to check (`check INFISICAL_PROJECT_ID`), shown under
    /// the problem in the report. No secret in it.
    #[must_use]
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.inner.fix = Some(fix.into());
        self
    }

    /// How to fix it, when the store said.
    #[must_use]
    pub fn fix(&self) -> Option<&str> {
        self.inner.fix.as_deref()
    }

    /// Says which request failed (a listing unless said otherwise).
    #[must_use]
    pub fn with_call(mut self, call: StoreCall) -> Self {
        self.inner.call = call;
        self
    }

    /// Which request failed: the folder's listing, or the login or token renewal before it.
    #[must_use]
    pub fn call(&self) -> StoreCall {
        self.inner.call
    }

    /// Attaches the folder the error is about.
    #[must_use]
    pub fn with_folder(mut self, folder: Folder) -> Self {
        self.inner.folder = Some(folder);
        self
    }

    /// What kind of failure it is.
    #[must_use]
    pub fn kind(&self) -> StoreErrorKind {
        self.inner.kind
    }

    /// The folder, when known.
    #[must_use]
    pub fn folder(&self) -> Option<&Folder> {
        self.inner.folder.as_ref()
    }

    /// The HTTP status, if the server answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The server's error name, e.g. `PermissionDenied`.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }

    /// The server's or our message.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }

    /// The server's request id, for a support ticket.
    #[must_use]
    pub fn req_id(&self) -> Option<&str> {
        self.inner.req_id.as_deref()
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.inner.store.unwrap_or("secret store"))?;
        match self.inner.call {
            StoreCall::List => {
                if let Some(folder) = &self.inner.folder {
                    write!(f, " {folder}")?;
                }
                match self.inner.status {
                    Some(status) => write!(f, " answered {status}")?,
                    None => write!(f, " {}", self.inner.kind.describe())?,
                }
            }
            // The folder is left out: the login is not about it, and every folder of the
            // load fails with the same login.
            StoreCall::Login { method } => write!(f, " {method} login failed")?,
            StoreCall::Renewal => f.write_str(" token renewal failed")?,
        }
        let is_list = self.inner.call == StoreCall::List;
        if let Some(status) = self.inner.status.filter(|_| !is_list) {
            write!(f, ": {status}")?;
        }
        if let Some(name) = &self.inner.name {
            write!(f, " {name}")?;
        }
        match &self.inner.message {
            Some(message) => write!(f, ": {message}")?,
            None if !is_list && self.inner.status.is_none() => {
                write!(f, ": {}", self.inner.kind.describe())?;
            }
            None => {}
        }
        if let Some(req_id) = &self.inner.req_id {
            write!(f, " (reqId {req_id})")?;
        }
        Ok(())
    }
}

impl StdError for StoreError {}

/// Which request to the store failed.
///
/// ```
/// use secrets_core::store::{StoreCall, StoreError, StoreErrorKind};
///
/// let error = StoreError::new(StoreErrorKind::Unauthorized, "bad credentials");
/// assert_eq!(error.call(), StoreCall::List);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreCall {
    /// Listing the folder (the default for a [`StoreError`]).
    List,
    /// Logging in, which every listing of the load needed first.
    Login {
        /// The login method, e.g. `Universal Auth` or `Kubernetes auth`.
        method: &'static str,
    },
    /// Renewing the access token before a listing.
    Renewal,
}

/// The kinds of store failure; each fails the keys of its folder closed unless they opt in to
/// fall back.
///
/// ```
/// use secrets_core::store::{StoreError, StoreErrorKind};
///
/// let error = StoreError::new(StoreErrorKind::Forbidden, "no access to prod");
/// assert_eq!(error.kind(), StoreErrorKind::Forbidden);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The folder or environment does not exist (404 on current servers).
    NotFound,
    /// The identity may not read the folder (403).
    Forbidden,
    /// Login failed or the token was rejected.
    Unauthorized,
    /// Rate limited past the retry budget.
    Throttled,
    /// The server failed (5xx) past the retry budget.
    Server,
    /// The server could not be reached, or a request timed out.
    Unreachable,
    /// The startup deadline passed.
    DeadlineExceeded,
    /// The server answered something we cannot use (malformed, oversized, wrong shape).
    InvalidResponse,
    /// The server rejected the request itself (400, 422, 401 `ValidationFailure`).
    BadRequest,
}

impl StoreErrorKind {
    fn word(self) -> &'static str {
        match self {
            Self::NotFound => "not found",
            Self::Forbidden => "forbidden",
            Self::Unauthorized => "unauthorized",
            Self::Throttled => "throttled",
            Self::Server | Self::Unreachable => "unavailable",
            Self::DeadlineExceeded => "deadline",
            Self::InvalidResponse | Self::BadRequest => "store error",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::NotFound => "has no such folder",
            Self::Forbidden => "refused access",
            Self::Unauthorized => "rejected the credentials",
            Self::Throttled => "kept rate limiting",
            Self::Server => "kept failing",
            Self::Unreachable => "could not be reached",
            Self::DeadlineExceeded => "did not answer before the startup deadline",
            Self::InvalidResponse => "sent an unusable response",
            Self::BadRequest => "rejected the request",
        }
    }
}

// The crate's own constructors and edits of a `StoreError`, in one place: the stores and the
// report build an error through these and never assemble its fields themselves.
impl StoreError {
    /// A failure the server explained: its status, and what its error body said (`info`, already
    /// cleaned and redacted); `fallback` stands in for a body without a message.
    pub(crate) fn from_server(
        kind: StoreErrorKind,
        status: u16,
        info: &crate::infisical::ErrorInfo,
        fallback: impl Into<String>,
    ) -> Self {
        let message = info.message.clone().unwrap_or_else(|| fallback.into());
        let mut error = Self::new(kind, message).with_status(status);
        error.inner.name.clone_from(&info.name);
        error.inner.req_id.clone_from(&info.req_id);
        error
    }

    /// An answer that cannot be used (malformed, of the wrong shape), with its status.
    pub(crate) fn invalid_response(message: impl Into<String>, status: u16) -> Self {
        Self::new(StoreErrorKind::InvalidResponse, message).with_status(status)
    }

    /// A body that did not parse: only the position, since serde's message can quote the
    /// offending text (a secret value among it).
    pub(crate) fn unparsed(what: &str, error: &serde_json::Error, status: u16) -> Self {
        Self::invalid_response(
            format!(
                "{what} was not understood (line {}, column {})",
                error.line(),
                error.column()
            ),
            status,
        )
    }

    /// A redirect, which is never followed: the token must not reach another host. Only the
    /// host of its `Location` is named, never its path or query.
    pub(crate) fn redirected(status: u16, location_host: Option<&str>) -> Self {
        let target = location_host.unwrap_or("an unknown location");
        Self::invalid_response(
            format!(
                "redirected to {target}; redirects are not followed so the token cannot leak: set the Infisical URL to the server's final address"
            ),
            status,
        )
    }

    /// A response past the size cap, refused without reading the rest.
    pub(crate) fn too_large(cap: usize, status: u16) -> Self {
        Self::invalid_response(format!("response larger than {cap} bytes"), status)
    }

    /// The last failure of a request retried `attempts` times in all.
    pub(crate) fn gave_up(self, attempts: usize) -> Self {
        let plural = if attempts == 1 { "" } else { "s" };
        self.annotated(&format!("gave up after {attempts} attempt{plural}"))
    }

    /// The same error with `note` after its message, in parentheses.
    pub(crate) fn annotated(self, note: &str) -> Self {
        let message = match self.message() {
            Some(message) => format!("{message} ({note})"),
            None => note.to_owned(),
        };
        self.with_message(message)
    }

    /// A listing refused for its token, in words that say so.
    pub(crate) fn token_rejected(self) -> Self {
        let said = self.message().unwrap_or("token rejected");
        let message = format!("access token rejected: {said}");
        self.with_message(message)
    }

    /// The same error with another message (the public API has no setter for it: a store
    /// gives its message once, in [`new`](Self::new)).
    pub(crate) fn with_message(mut self, message: String) -> Self {
        self.inner.message = Some(message);
        self
    }

    /// Forgets the folder: for a failure that is the same for every folder of a load.
    pub(crate) fn clear_folder(&mut self) {
        self.inner.folder = None;
    }

    /// Replaces the request id, e.g. with every request id of the folders a failure hit.
    pub(crate) fn set_req_id(&mut self, req_id: String) {
        self.inner.req_id = Some(req_id);
    }
}
