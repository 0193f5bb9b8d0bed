//! The one error `load()` returns, listing every problem at once, and never a secret value.

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
#[derive(Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// One or more keys could not be loaded. The report lists every problem, each with its
    /// key, field and every place that was looked in.
    #[error(transparent)]
    Load(Report),
    /// The loader or the Infisical client was configured wrongly in code (an invalid URL,
    /// plain HTTP to a remote host, an unreadable CA bundle).
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
/// `Display` is the multi-line report an operator reads:
///
/// ```text
/// failed to load AppSecrets: 2 problems
///   missing DATABASE_URL (field database_url): Infisical not configured; env DATABASE_URL not set; DATABASE_URL_FILE not set; no default
///   invalid PORT (field port) from env PORT: invalid digit found in string
/// ```
#[derive(Debug, Clone)]
pub struct Report {
    target: &'static str,
    problems: Vec<Problem>,
}

impl Report {
    pub(crate) fn new(target: &'static str, problems: Vec<Problem>) -> Self {
        Self { target, problems }
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
        for problem in &self.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}

impl StdError for Report {}

/// One thing wrong with one key (or, for [`ProblemKind::Config`], with the loader's setup).
#[derive(Debug, Clone)]
pub struct Problem {
    key: Option<String>,
    field: Option<&'static str>,
    kind: ProblemKind,
    tried: Vec<Lookup>,
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
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self {
            key: None,
            field: None,
            kind: ProblemKind::Config(message.into()),
            tried: Vec::new(),
        }
    }

    /// The key, e.g. `DATABASE_URL`; `None` for a configuration problem.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// The struct field; `None` for a configuration problem.
    #[must_use]
    pub fn field(&self) -> Option<&'static str> {
        self.field
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
        if matches!(self.kind, ProblemKind::Missing) {
            for lookup in &self.tried {
                write!(f, "{sep}{lookup}")?;
                sep = "; ";
            }
        }
        Ok(())
    }
}

/// What is wrong with a key.
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
    fn word(&self) -> &'static str {
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
                "Infisical {folder} withholds the value (secretValueHidden): grant the identity read access to secret values"
            ),
            Self::UnexpandedReference(folder) => format!(
                "Infisical {folder} returned a value with an unexpanded ${{...}} reference: check that the referenced secret exists and is readable"
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
#[derive(Debug, Clone)]
pub struct StoreError {
    kind: StoreErrorKind,
    call: StoreCall,
    folder: Option<Folder>,
    status: Option<u16>,
    name: Option<String>,
    message: Option<String>,
    req_id: Option<String>,
    retry_after: Option<Duration>,
}

impl StoreError {
    /// A store error of `kind` with a human message (no secrets in it).
    #[must_use]
    pub fn new(kind: StoreErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            call: StoreCall::List,
            folder: None,
            status: None,
            name: None,
            message: Some(message.into()),
            req_id: None,
            retry_after: None,
        }
    }

    /// Attaches how long the server asked us to wait before trying again (`Retry-After`).
    #[must_use]
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// How long the server asked us to wait, when it was rate limiting.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Attaches the HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Attaches the server's error name (Infisical's `error` field).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Attaches the server's request id (Infisical's `reqId`).
    #[must_use]
    pub fn with_req_id(mut self, req_id: impl Into<String>) -> Self {
        self.req_id = Some(req_id.into());
        self
    }

    /// Says which request failed (a listing unless said otherwise).
    #[must_use]
    pub fn with_call(mut self, call: StoreCall) -> Self {
        self.call = call;
        self
    }

    /// Which request failed: the folder's listing, or the login or token renewal before it.
    #[must_use]
    pub fn call(&self) -> StoreCall {
        self.call
    }

    /// Attaches the folder the error is about.
    #[must_use]
    pub fn with_folder(mut self, folder: Folder) -> Self {
        self.folder = Some(folder);
        self
    }

    /// What kind of failure it is.
    #[must_use]
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// The folder, when known.
    #[must_use]
    pub fn folder(&self) -> Option<&Folder> {
        self.folder.as_ref()
    }

    /// The HTTP status, if the server answered.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The server's error name, e.g. `PermissionDenied`.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The server's or our message.
    #[must_use]
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The server's request id, for a support ticket.
    #[must_use]
    pub fn req_id(&self) -> Option<&str> {
        self.req_id.as_deref()
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Infisical")?;
        match self.call {
            StoreCall::List => {
                if let Some(folder) = &self.folder {
                    write!(f, " {folder}")?;
                }
                match self.status {
                    Some(status) => write!(f, " answered {status}")?,
                    None => write!(f, " {}", self.kind.describe())?,
                }
            }
            // The folder is left out: the login is not about it, and every folder of the
            // load fails with the same login.
            StoreCall::Login { method } => write!(f, " {method} login failed")?,
            StoreCall::Renewal => f.write_str(" token renewal failed")?,
        }
        let is_list = self.call == StoreCall::List;
        if let Some(status) = self.status.filter(|_| !is_list) {
            write!(f, ": {status}")?;
        }
        if let Some(name) = &self.name {
            write!(f, " {name}")?;
        }
        match &self.message {
            Some(message) => write!(f, ": {message}")?,
            None if !is_list && self.status.is_none() => {
                write!(f, ": {}", self.kind.describe())?;
            }
            None => {}
        }
        if let Some(req_id) = &self.req_id {
            write!(f, " (reqId {req_id})")?;
        }
        Ok(())
    }
}

impl StdError for StoreError {}

/// Which request to the store failed.
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
