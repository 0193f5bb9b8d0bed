//! The Infisical client, the secret store a [`Loader`](crate::Loader) asks first: one list
//! request per folder, imports merged, errors classified, tokens never shown.
//!
//! [`InfisicalClient`] is built with [`InfisicalClient::builder`] (an
//! [`InfisicalClientBuilder`]) or from the `INFISICAL_*` variables with
//! [`InfisicalClient::from_env`]; [`ClientStats`] counts what it did. The three are
//! re-exported at the crate root. This page is the client's manual: the variables, proxies,
//! and what the client does on the wire.
//!
//! # Configuration from the environment
//!
//! [`Loader`](crate::Loader) (and so `AppSecrets::load()`) configures the client from the
//! Infisical CLI's variable names, read through the loader's [`Env`]:
//!
//! | variable | meaning |
//! |---|---|
//! | `INFISICAL_DOMAIN`, else `INFISICAL_API_URL` | instance URL, with or without `/api`; default `https://app.infisical.com` |
//! | `INFISICAL_UNIVERSAL_AUTH_ACCESS_TOKEN`, else `INFISICAL_TOKEN` | an access token (an `st.` service token too) |
//! | `INFISICAL_TOKEN_FILE` | a file holding an access token (the Infisical agent's sink), read again at each load and when the token is rejected; a regular file of at most 64 KiB |
//! | `INFISICAL_UNIVERSAL_AUTH_CLIENT_ID` + `INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET` | Universal Auth |
//! | `INFISICAL_MACHINE_IDENTITY_ID` (or `INFISICAL_KUBERNETES_IDENTITY_ID`) | Kubernetes auth, with the pod's service-account token from `INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH` (default `/var/run/secrets/kubernetes.io/serviceaccount/token`; a regular file of at most 64 KiB) |
//! | `INFISICAL_PROJECT_ID` | the project (required) |
//! | `INFISICAL_ENVIRONMENT` | environment slug, overriding the struct's |
//! | `INFISICAL_SECRET_PATH` | folder, overriding the struct's (a field's own path still wins) |
//! | `INFISICAL_CA_BUNDLE` | path of a PEM file of extra root certificates (self-hosted servers); a regular file of at most 4 MiB |
//! | `INFISICAL_STARTUP_TIMEOUT` | seconds a load may spend on Infisical in total (default 30) |
//! | `INFISICAL_REQUEST_TIMEOUT` | seconds one HTTP request may take (default 10) |
//! | `https_proxy`, else `HTTPS_PROXY`, else `all_proxy`, else `ALL_PROXY` | an `http://` or `https://` proxy for an `https://` target, reached with `CONNECT` (see [Proxies](#proxies)) |
//! | `no_proxy`, else `NO_PROXY` | hosts that bypass the proxy: names (subdomains included), IPs, CIDR ranges, `*` for all |
//!
//! The files these variables name are checked when the client is configured and refused,
//! naming the path and why, when they are not regular files once symlinks are followed (a
//! device, a FIFO, a socket, a directory) or are larger than their cap; nothing beyond the
//! cap is ever read, and a FIFO is never waited on. Token files are read again at login off
//! the runtime's threads, within the startup deadline. A token-file variable holding no `/`
//! and naming no file is reported as a value pasted by mistake, without showing it.
//!
//! Credentials are taken from the first complete method in the order of the table. With none
//! of these variables set (tuning variables aside) the loader runs on env vars, files and
//! defaults only, and says so. Half a configuration (a client id without its secret,
//! credentials without a project, a project without credentials, an unreadable token file, an
//! unusable URL, `http://` to a host other than loopback) is reported as a problem naming the
//! variables to set; it never silently falls back to env-only.
//!
//! # Proxies
//!
//! Proxy variables are read through the loader's [`Env`] like every other one, never behind
//! its back: the HTTP client's own reading of the process environment is turned off, and a
//! client built in code uses a proxy only when given one
//! ([`proxy`](InfisicalClientBuilder::proxy),
//! [`proxy_from_env`](InfisicalClientBuilder::proxy_from_env)). Then:
//!
//! * A loopback target (`localhost`, `127.0.0.0/8`, `::1`) never goes through a proxy.
//! * A plain `http://` target never goes through a proxy, so `HTTP_PROXY`/`http_proxy` is
//!   never read: a proxy for plain HTTP forwards the requests themselves and would see the
//!   client secret, the tokens and the secrets in clear. (Plain HTTP is only allowed to
//!   loopback hosts anyway, unless [`allow_http`](InfisicalClientBuilder::allow_http).)
//! * An `https://` target goes through the first set of `https_proxy`, `HTTPS_PROXY`,
//!   `all_proxy`, `ALL_PROXY` (the lower-case name first, as curl reads them), unless
//!   `no_proxy` (else `NO_PROXY`) names its host. The proxy only ever gets a
//!   `CONNECT host:port`: TLS runs end to end inside the tunnel, the server's certificate is
//!   checked as without a proxy, and the proxy sees no request, token or secret. An
//!   `http://` and an `https://` proxy URL both work this way; `socks4://`, `socks5://` and
//!   other schemes are a configuration problem naming the variable (SOCKS is not built in).
//! * Credentials in a proxy URL (`http://user:password@proxy:3128`) are sent to the proxy in
//!   `Proxy-Authorization` and never shown: `Debug`, errors and logs show the URL as
//!   `http://[REDACTED]@proxy:3128/`. An unusable proxy URL is a configuration problem naming
//!   its variable, with the URL shown that way.
//!
//! # Behaviour
//!
//! * One `GET /api/v4/secrets` per folder, with every flag explicit (expand references,
//!   include imports, not recursive, values visible, no personal overrides). A server without
//!   the v4 route (Infisical of 2024, and still the June 2025 release) is detected from its 404 and asked
//!   `GET /api/v3/secrets/raw` instead, for the rest of the client's life. Until an answer
//!   says which route the server has, one request asks and the others wait for it, so an old
//!   server costs one extra request per client, not one per folder. When several folders wait
//!   on a client's first login, that request is a `GET /api/v4/secrets` *without a token*,
//!   sent alongside the login (a current server answers `401`, an older one `404` for the
//!   route): every folder is then listed at once after the login, two round trips in all. A
//!   lone folder, or a client with a given access token, lists at once and its listing is the
//!   question. A client of Infisical Cloud (`https://app.infisical.com`, `us.` or
//!   `eu.infisical.com`) never asks: the cloud serves `/api/v4`, so a cold load there is the
//!   login and one list per folder. [`ClientStats::probes`] counts these requests.
//! * The folder's own secrets win over imported ones; among imports the last one wins, as the
//!   Infisical CLI and the server's single-secret lookup resolve them.
//! * HTTP/2 over HTTPS (the default feature `http2`) where the server offers it in the TLS
//!   handshake: every request of a load goes on the connections already open (the login's,
//!   and the probe's when one was sent), however many folders and per-key reads it makes.
//!   Over HTTP/1.1 each request in flight needs a connection of its own, and a new one costs
//!   a TCP and a TLS handshake before its request. A server that offers HTTP/1.1 only is read
//!   over HTTP/1.1; plain HTTP is always HTTP/1.1.
//!   [`InfisicalClientBuilder::http1_only`] keeps to HTTP/1.1 (for a server or TLS end that
//!   mishandles HTTP/2), as does building without the feature.
//! * Per-secret permissions: when the identity may read a folder's keys but not every value
//!   (a role whose `readValue` permission has a condition on the secret name), Infisical
//!   refuses the whole listing with `403 PermissionDenied` "You are not allowed to readValue
//!   on secrets", readable keys included. The client then lists the folder's keys without
//!   values (`viewSecretValue=false`) and reads each key of the struct that the folder has
//!   with its own `GET /api/v4/secrets/{key}` (`/api/v3/secrets/raw/{key}` on a server
//!   without v4), all concurrently: a readable key loads, a key whose value is refused is
//!   reported *withheld* (never taken from a lower source), a key the folder lacks falls back
//!   as usual. The provenance notes say so (`read key by key: the identity may not read every
//!   value in prod:/restricted`). Cost: the first load pays the refused listing, the listing
//!   without values and one request per wanted key of that folder (`1 + 1 + N`); the client
//!   remembers the folder, and later loads through it pay `1 + N`, with no conditional
//!   request. Folders the identity may read whole still cost one request each.
//!   [`ClientStats::key_requests`] counts the per-key reads.
//! * Retries: connection errors, timeouts, 500/502/503/504 and 429 (the 2024 server's rate
//!   limit is a 500 with `Retry-After`), at
//!   most 4 retries, backoff from 250 ms doubling to 4 s with jitter, or the server's
//!   `Retry-After`/"try again in N seconds". A failed login is never retried (lockout risk).
//! * An expired or revoked token is replaced once (a new login, or a new read of the token
//!   file); requests that fail together share that one login.
//! * A token from a login is renewed (`POST /api/v1/auth/token/renew`) before a request once
//!   half its TTL has passed, and replaced by a new login instead when it is within a quarter
//!   of its TTL (at most 10 s) of expiring, when the renewed token would outlive the max TTL
//!   (the server would refuse and delete it), or when the server refuses the renewal (a 2024
//!   server deletes the token then). Requests share one renewal or login, and neither logs a
//!   token. A token given in code is used as is; a token file is read again at each load.
//! * Each folder's last listing is remembered with its `ETag`, per API version, and the next
//!   listing of that folder sends `If-None-Match`: a `304 Not Modified` reuses the remembered
//!   listing without reading or parsing a body. When the server sends no `ETag` (or ignores
//!   `If-None-Match`), a body identical to the last one (compared by a keyed hash) is not
//!   parsed again either. The remembered listings stay [`SecretString`](crate::SecretString)s and are dropped with
//!   the client; [`InfisicalClient::stats`] counts requests, `304`s, parses, logins and
//!   renewals.
//! * The startup deadline (default 30 s) bounds login, retries and listing together, for each
//!   load on its own: its clock starts when the load's folder fetches begin, so a load that
//!   starts while another load of the same client is running gets the whole deadline too
//!   (overlapping loads still share one login).
//! * Responses above 16 MiB are refused; redirects are never followed (the token must not
//!   reach another host); response buffers are wiped after parsing.
//! * A listing or login body is a JSON object at every level (the listing, each secret, each
//!   import, the login reply); anything else, an array of the right fields included, is
//!   [`StoreErrorKind::InvalidResponse`], never an
//!   empty folder.
//! * What the server says (error names, messages, request ids, import folders) is kept
//!   without control, bidi or line-separator characters and capped at 300 characters, with
//!   the client secret, the access token, the Kubernetes JWT and every value the client holds
//!   replaced by `[REDACTED]` (a value under 4 characters only where it is a whole word).
//! * A failed login or token renewal is reported as that call
//!   ([`StoreError::call`](crate::store::StoreError::call)), not as the folder's listing.

mod api;
mod auth;
mod builder;
mod classify;
mod config;
mod deadline;
mod fix;
mod http;
mod listing;
mod merge;
mod text;
mod tls;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use self::builder::InfisicalClientBuilder;
pub(crate) use self::config::HOW_TO_CONFIGURE;
// For the CPU benchmark's entry point (`__bench`, feature `__bench`).
#[cfg(feature = "__bench")]
pub(crate) use self::merge::parse_listing;
// For `StoreError::from_server`, the one constructor of an error from what a server said.
pub(crate) use self::text::ErrorInfo;

use std::fmt;
use std::hash::RandomState;
use std::sync::{Arc, Mutex};
#[cfg(test)]
use std::time::Duration;

use self::auth::{Credentials, Login, TokenHolder};
use self::classify::ListFailure;
use self::deadline::{Load, Loads};
use self::http::{Counters, Transport};
use self::listing::{Learned, ListingCache};
use self::text::Redactions;
use crate::env::Env;
use crate::error::{Error, StoreError, StoreErrorKind};
use crate::source::Folder;
use crate::store::{BoxFuture, FolderSecrets, SecretStore};

/// A client for one Infisical project: the secret store [`Loader`](crate::Loader) asks first.
///
/// Cheap to clone; clones share one HTTP connection pool and one login. Build it with
/// [`builder`](Self::builder), or from the `INFISICAL_*` variables with
/// [`from_env`](Self::from_env) (what the loader does by default).
///
/// ```no_run
/// use secrets_core::InfisicalClient;
///
/// let client = InfisicalClient::builder()
///     .base_url("https://infisical.example.com")
///     .project_id("78b8bba2-eb64-4416-9935-d2095d45f33f")
///     .environment("prod")
///     .universal_auth("client-id", "client-secret")
///     .build()?;
/// # Ok::<(), secrets_core::Error>(())
/// ```
#[derive(Clone)]
pub struct InfisicalClient {
    inner: Arc<Inner>,
}

struct Inner {
    base: String,
    host: String,
    project_id: String,
    environment: Option<String>,
    secret_path: Option<String>,
    credentials: Credentials,
    transport: Transport,
    tokens: TokenHolder,
    learned: Learned,
    loads: Mutex<Loads>,
    /// The last listing of each folder, per route, for conditional requests.
    listings: ListingCache,
    /// Keys the hashes of listing bodies; drawn per client, so a hash means nothing outside it.
    body_hasher: RandomState,
}

/// What an [`InfisicalClient`] has done since it was built: counts only, never a value or a
/// token. Clones of a client share their counts. From [`InfisicalClient::stats`].
///
/// ```
/// # use secrets_core::infisical::ClientStats;
/// fn parses_saved(stats: &ClientStats) -> u64 {
///     stats.not_modified + stats.unchanged_listings
/// }
/// # let _ = parses_saved;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientStats {
    /// HTTP requests sent, on every route, retries included.
    pub requests: u64,
    /// List requests sent (one per folder and load, plus retries).
    pub list_requests: u64,
    /// Single-secret requests sent: only for folders the identity may not list with values,
    /// one per wanted key and load (plus retries).
    pub key_requests: u64,
    /// Listings answered `304 Not Modified`: the remembered listing was reused, no body was
    /// read or parsed.
    pub not_modified: u64,
    /// Full listings whose body was the same as the folder's last one (a server that sends no
    /// `ETag`): not parsed again.
    pub unchanged_listings: u64,
    /// Listing bodies parsed.
    pub parsed_listings: u64,
    /// Logins sent (Universal Auth or Kubernetes auth), refused ones included.
    pub logins: u64,
    /// Token renewals sent, refused ones included.
    pub renewals: u64,
    /// Requests without a token that asked which secrets routes the server has (`/api/v4` or
    /// only `/api/v3`): at most one per client, sent alongside its first login so that the
    /// folders can then be listed at once. Counted in `requests` too.
    pub probes: u64,
}

impl fmt::Debug for InfisicalClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("InfisicalClient")
            .field("base_url", &inner.base)
            .field("project_id", &inner.project_id)
            .field("environment", &inner.environment)
            .field("secret_path", &inner.secret_path)
            .field("auth", &inner.credentials)
            .field("proxy", &inner.transport.via())
            .field("settings", inner.transport.settings())
            .finish_non_exhaustive()
    }
}

impl InfisicalClient {
    /// A builder with the defaults: Infisical Cloud, no credentials, no project.
    #[must_use]
    pub fn builder() -> InfisicalClientBuilder {
        InfisicalClientBuilder::default()
    }

    /// The client the `INFISICAL_*` variables of `env` describe; `Ok(None)` when none of them
    /// is set. Proxy settings come from `env` too, as
    /// [`proxy_from_env`](InfisicalClientBuilder::proxy_from_env) reads them (`https_proxy`,
    /// `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY`, `no_proxy`, `NO_PROXY`; never `HTTP_PROXY`),
    /// and only for an `https://` instance that is not on a loopback address.
    ///
    /// # Errors
    /// [`Error::Load`] with a [`ProblemKind::Config`](crate::ProblemKind::Config) problem for
    /// each thing wrong when the variables are only half a configuration: the same report a
    /// load gives.
    pub fn from_env(env: &Env) -> Result<Option<Self>, Error> {
        match from_env(env) {
            FromEnv::NotConfigured => Ok(None),
            FromEnv::Invalid(problems) => Err(Error::configuration(problems)),
            FromEnv::Ready(client) => Ok(Some(client)),
        }
    }

    /// The instance URL in use, without `/api`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The project id.
    #[must_use]
    pub fn project_id(&self) -> &str {
        &self.inner.project_id
    }

    /// What this client and its clones have done so far: requests, `304`s, parses, logins,
    /// renewals.
    #[must_use]
    pub fn stats(&self) -> ClientStats {
        let counters = self.inner.transport.counters();
        ClientStats {
            requests: Counters::read(&counters.requests),
            list_requests: Counters::read(&counters.list_requests),
            key_requests: Counters::read(&counters.key_requests),
            not_modified: Counters::read(&counters.not_modified),
            unchanged_listings: Counters::read(&counters.unchanged),
            parsed_listings: Counters::read(&counters.parsed_listings),
            logins: Counters::read(&counters.logins),
            renewals: Counters::read(&counters.renewals),
            probes: Counters::read(&counters.probes),
        }
    }

    /// Ages the held token by `by`, as if it had been obtained that much earlier.
    #[cfg(test)]
    pub(crate) async fn age_token(&self, by: Duration) {
        self.inner.tokens.age(by).await;
    }

    fn login<'a>(&'a self, redactions: &'a Redactions<'a>) -> Login<'a> {
        Login {
            transport: &self.inner.transport,
            base: &self.inner.base,
            credentials: &self.inner.credentials,
            redactions,
        }
    }

    async fn fetch_folder(
        &self,
        folder: &Folder,
        keys: Option<&[&str]>,
    ) -> Result<FolderSecrets, StoreError> {
        self.fetch_in_deadline(folder, keys).await.map_err(|error| {
            let shown_url = config::shown_url(&self.inner.base);
            let cx = fix::Context {
                credentials: &self.inner.credentials,
                shown_url: &shown_url,
                startup_deadline: self.inner.transport.settings().startup_deadline,
            };
            let error = match fix::fix_for(&error, folder, &cx) {
                Some(fix) => error.with_fix(fix),
                None => error,
            };
            error.with_store("Infisical")
        })
    }

    async fn fetch_in_deadline(
        &self,
        folder: &Folder,
        keys: Option<&[&str]>,
    ) -> Result<FolderSecrets, StoreError> {
        let load = self.begin();
        let deadline = load.load.deadline;
        let fetch = self.fetch_within(folder, keys, load.load);
        if let Ok(result) = tokio::time::timeout_at(deadline, fetch).await {
            return result;
        }
        let budget = self.inner.transport.settings().startup_deadline;
        Err(StoreError::new(
            StoreErrorKind::DeadlineExceeded,
            format!(
                "no answer from {} within the startup deadline of {} s (INFISICAL_STARTUP_TIMEOUT)",
                self.inner.host,
                budget.as_secs_f32()
            ),
        ))
    }

    async fn fetch_within(
        &self,
        folder: &Folder,
        keys: Option<&[&str]>,
        load: Load,
    ) -> Result<FolderSecrets, StoreError> {
        // What server text must not repeat: the credentials and every value held so far.
        let held = self.remembered_listings();
        let mut redactions = Redactions::default();
        self.inner.credentials.redact(&mut redactions);
        for remembered in &held {
            redactions.add_folder(&remembered.secrets);
        }
        let login = self.login(&redactions);
        // A folder that finds another folder's first login under way would wait for it, then
        // for that folder's listing to show the API version: asking for the version meanwhile
        // lets every folder be listed at once after the login. A lone folder lists at once
        // anyway, its listing showing the version, so it sends no probe.
        let probe = self.inner.credentials.logs_in()
            && !self.api_known()
            && self.inner.tokens.is_being_obtained();
        let token = self.inner.tokens.current(load.id, &login, load.deadline);
        let mut token = if probe {
            futures_util::future::join(token, self.probe_api(folder, load.deadline))
                .await
                .0?
        } else {
            token.await?
        };
        let mut refreshed = false;
        let mut switched = false;
        loop {
            let result = match keys {
                Some(keys) if self.by_key().contains(folder) => {
                    self.read_by_key(folder, keys, &token, load.deadline, &redactions)
                        .await
                }
                _ => self.list(folder, &token, load.deadline, &redactions).await,
            };
            match result {
                Ok(secrets) => return Ok(secrets),
                // Once: a server that refuses the key-by-key reads the same way fails the
                // folder instead of sending the client round again.
                Err(ListFailure::ValuesForbidden(_)) if keys.is_some() && !switched => {
                    switched = true;
                    tracing::info!(
                        target: "secrets_core::infisical",
                        %folder,
                        "the identity may not read every value of this folder: reading the wanted keys one by one from now on"
                    );
                    self.by_key().insert(folder.clone());
                }
                Err(ListFailure::TokenRejected(error)) if !refreshed => {
                    refreshed = true;
                    match self
                        .inner
                        .tokens
                        .refresh(&token, load.id, &login, load.deadline)
                        .await?
                    {
                        Some(fresh) => token = fresh,
                        None => return Err(error),
                    }
                }
                Err(
                    ListFailure::TokenRejected(error)
                    | ListFailure::Failed(error)
                    | ListFailure::ValuesForbidden(error),
                ) => return Err(error),
                Err(ListFailure::RouteMissing) => unreachable!("list() resolves a missing route"),
            }
        }
    }
}

impl SecretStore for InfisicalClient {
    fn name(&self) -> &'static str {
        "Infisical"
    }

    fn environment(&self) -> Option<&str> {
        self.inner.environment.as_deref()
    }

    fn default_path(&self) -> Option<&str> {
        self.inner.secret_path.as_deref()
    }

    fn fetch<'a>(&'a self, folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        Box::pin(self.fetch_folder(folder, None))
    }

    fn fetch_keys<'a>(
        &'a self,
        folder: &'a Folder,
        keys: &'a [&'a str],
    ) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        Box::pin(self.fetch_folder(folder, Some(keys)))
    }
}

/// What the `INFISICAL_*` variables of an [`Env`] configure.
pub(crate) enum FromEnv {
    /// No Infisical variable at all: env-only mode.
    NotConfigured,
    /// Half a configuration: every problem, in words.
    Invalid(Vec<String>),
    /// A usable client.
    Ready(InfisicalClient),
}

/// The client the `INFISICAL_*` variables of `env` configure (read through `env` only).
pub(crate) fn from_env(env: &Env) -> FromEnv {
    config::from_env(env)
}
