//! Infisical as the first source: one list request per folder, imports merged, errors
//! classified, tokens never shown.
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
//!   `GET /api/v3/secrets/raw` instead, for the rest of the client's life. Until the first
//!   answer says which route the server has, one folder asks and the others wait for it, so
//!   an old server costs one extra request per client, not one per folder.
//! * The folder's own secrets win over imported ones; among imports the last one wins, as the
//!   Infisical CLI and the server's single-secret lookup resolve them.
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
//!   parsed again either. The remembered listings stay [`SecretString`]s and are dropped with
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
//!   [`StoreErrorKind::InvalidResponse`](crate::StoreErrorKind::InvalidResponse), never an
//!   empty folder.
//! * What the server says (error names, messages, request ids, import folders) is kept
//!   without control, bidi or line-separator characters and capped at 300 characters, with
//!   the client secret, the access token, the Kubernetes JWT and every value the client holds
//!   replaced by `[REDACTED]` (a value under 4 characters only where it is a whole word).
//! * A failed login or token renewal is reported as that call
//!   ([`StoreError::call`](crate::StoreError::call)), not as the folder's listing.

// `StoreError` is the store's public error type; boxing it on this cold path buys nothing.
#![allow(clippy::result_large_err)]

mod api;
mod auth;
mod config;
mod fix;
mod http;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

// `pub(crate)` for the CPU benchmark's entry point in `__private`.
pub(crate) use self::api::parse_listing;
pub(crate) use self::config::HOW_TO_CONFIGURE;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::IF_NONE_MATCH;
use secrecy::SecretString;
use tokio::time::Instant;

use self::api::Redactions;
use self::auth::{Credentials, DEFAULT_KUBERNETES_TOKEN_PATH, IssuedToken, Login, TokenHolder};
use self::http::{
    Call, Counters, Reply, Settings, Transport, redirect_error, server_error, with_message,
};
use crate::env::Env;
use crate::error::{Error, StoreError, StoreErrorKind};
use crate::source::Folder;
use crate::store::{BoxFuture, FolderSecrets, SecretStore, StoredSecret};

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
    /// The last listing of each folder, per route (`true`: v3), for conditional requests.
    /// Secret material: values stay `SecretString`s, dropped with the client.
    listings: Mutex<BTreeMap<(bool, Folder), Arc<Remembered>>>,
    /// Keys the hashes of listing bodies; drawn per client, so a hash means nothing outside it.
    body_hasher: RandomState,
}

/// What the client found out about the server as it went, kept for its life.
#[derive(Default)]
struct Learned {
    /// Set once the server turned out to have no `/api/v4/secrets`.
    legacy: AtomicBool,
    /// Set once a listing has shown which route the server has (`legacy` then says which).
    api_known: AtomicBool,
    /// Held by the one listing that finds out which route the server has, while the API is
    /// unknown: concurrent listings wait for its answer instead of each probing `/api/v4`.
    probe: tokio::sync::Mutex<()>,
    /// Folders the identity may not list with values (it may not read every value in them):
    /// read key by key from then on, without asking for the refused listing again.
    by_key: Mutex<BTreeSet<Folder>>,
}

/// A folder's last listing: what the server tagged it with, the hash of its body, and the
/// secrets parsed from it.
struct Remembered {
    etag: Option<String>,
    body_hash: u64,
    secrets: FolderSecrets,
}

/// What an [`InfisicalClient`] has done since it was built: counts only, never a value or a
/// token. Clones of a client share their counts. From [`InfisicalClient::stats`].
///
/// ```
/// # use secrets_core::ClientStats;
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
        let held: Vec<Arc<Remembered>> = self.listings().values().cloned().collect();
        let mut redactions = Redactions::default();
        self.inner.credentials.redact(&mut redactions);
        for remembered in &held {
            redactions.add_folder(&remembered.secrets);
        }
        let login = self.login(&redactions);
        let mut token = self
            .inner
            .tokens
            .current(load.id, &login, load.deadline)
            .await?;
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
                Err(Listing::ValuesForbidden(_)) if keys.is_some() && !switched => {
                    switched = true;
                    tracing::info!(
                        target: "secrets_core::infisical",
                        %folder,
                        "the identity may not read every value of this folder: reading the wanted keys one by one from now on"
                    );
                    self.by_key().insert(folder.clone());
                }
                Err(Listing::TokenRejected(error)) if !refreshed => {
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
                    Listing::TokenRejected(error)
                    | Listing::Failed(error)
                    | Listing::ValuesForbidden(error),
                ) => return Err(error),
                Err(Listing::RouteMissing) => unreachable!("list() resolves a missing route"),
            }
        }
    }

    /// One listing of `folder`, on v4 or (once the server lacks it) v3.
    async fn list(
        &self,
        folder: &Folder,
        token: &IssuedToken,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<FolderSecrets, Listing> {
        let mut redactions = redactions.clone();
        redactions.add(token.bearer());
        loop {
            // While the route is unknown, one listing asks and the others wait for its answer:
            // one `/api/v4` 404 per client against an old server, not one per folder.
            let mut probe = None;
            if !self.inner.learned.api_known.load(Ordering::Acquire) {
                let guard = self.inner.learned.probe.lock().await;
                if !self.inner.learned.api_known.load(Ordering::Acquire) {
                    probe = Some(guard);
                }
            }
            let legacy = self.inner.learned.legacy.load(Ordering::Acquire);
            let url = self.list_url(folder, legacy);
            let http = self.inner.transport.http();
            let key = (legacy, folder.clone());
            let remembered = self.remembered(&key);
            let etag = remembered.as_ref().and_then(|r| r.etag.clone());
            let reply = self
                .inner
                .transport
                .send(
                    Call::List,
                    || {
                        let request = http.get(url.clone()).bearer_auth(token.bearer());
                        match &etag {
                            Some(tag) => request.header(IF_NONE_MATCH, tag),
                            None => request,
                        }
                    },
                    deadline,
                    &redactions,
                )
                .await
                .map_err(Listing::Failed)?;
            // Any answer of the route itself settles it; a gateway's 5xx does not.
            if probe.is_some()
                && reply.status < 500
                && !(reply.status == 404 && reply.error_info(&redactions).route_missing)
            {
                self.inner.learned.api_known.store(true, Ordering::Release);
            }
            let body_hash = (200..300)
                .contains(&reply.status)
                .then(|| self.inner.body_hasher.hash_one(&reply.body[..]));
            if let Some(secrets) = self.unchanged(&key, remembered.as_deref(), &reply, body_hash)? {
                return Ok(secrets);
            }
            if body_hash.is_some() {
                Counters::bump(&self.inner.transport.counters().parsed_listings);
            }
            match Self::listing(&reply, folder, &redactions) {
                Ok(secrets) => {
                    let remembered = Remembered {
                        etag: reply.etag.clone(),
                        body_hash: body_hash.unwrap_or_default(),
                        secrets: secrets.clone(),
                    };
                    self.remember(key, remembered);
                    return Ok(secrets);
                }
                Err(Listing::RouteMissing) if !legacy => {
                    self.inner.learned.legacy.store(true, Ordering::Release);
                    self.inner.learned.api_known.store(true, Ordering::Release);
                    drop(probe);
                    tracing::debug!(
                        target: "secrets_core::infisical",
                        host = %self.inner.host,
                        "Infisical has no /api/v4/secrets (an older server): using /api/v3/secrets/raw from now on"
                    );
                }
                Err(Listing::RouteMissing) => {
                    return Err(Listing::Failed(
                        StoreError::new(
                            StoreErrorKind::InvalidResponse,
                            format!(
                                "{} has neither /api/v4/secrets nor /api/v3/secrets/raw: check the Infisical URL",
                                self.inner.host
                            ),
                        )
                        .with_status(reply.status),
                    ));
                }
                Err(error) => {
                    if let Listing::Failed(_) = error {
                        // Forbidden, gone, broken: no reason to keep its values in memory.
                        self.forget(&key);
                    }
                    return Err(error);
                }
            }
        }
    }

    fn by_key(&self) -> std::sync::MutexGuard<'_, BTreeSet<Folder>> {
        self.inner
            .learned
            .by_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads a folder whose listing with values is refused: its keys from a listing without
    /// values, then each of `keys` that it has with its own request, all concurrently. A key
    /// whose value the identity may not read is withheld; the folder's other keys stay
    /// withheld too (their values were not asked for).
    async fn read_by_key(
        &self,
        folder: &Folder,
        keys: &[&str],
        token: &IssuedToken,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<FolderSecrets, Listing> {
        let mut redactions = redactions.clone();
        redactions.add(token.bearer());
        let legacy = self.inner.learned.legacy.load(Ordering::Acquire);
        let url = self.listing_url(folder, legacy, false);
        let http = self.inner.transport.http();
        let reply = self
            .inner
            .transport
            .send(
                Call::List,
                || http.get(url.clone()).bearer_auth(token.bearer()),
                deadline,
                &redactions,
            )
            .await
            .map_err(Listing::Failed)?;
        if (200..300).contains(&reply.status) {
            Counters::bump(&self.inner.transport.counters().parsed_listings);
        }
        let mut listed = Self::listing(&reply, folder, &redactions)?;
        drop(reply);
        let mut wanted: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|key| listed.get(key).is_some())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let reads = wanted
            .iter()
            .map(|key| self.read_key(folder, key, legacy, token, deadline, &redactions));
        let results = futures_util::future::join_all(reads).await;
        for (key, result) in wanted.into_iter().zip(results) {
            let import = listed.get(key).and_then(|s| s.import().cloned());
            match result? {
                Some(secret) => {
                    let secret = match import {
                        Some(from) => secret.imported_from(from),
                        None => secret,
                    };
                    listed.insert(key, secret);
                }
                // Deleted between the listing and the read.
                None => {
                    listed.remove(key);
                }
            }
        }
        Ok(listed.with_note(format!(
            "read key by key: the identity may not read every value in {folder}"
        )))
    }

    /// One key of `folder` on its own: its secret (withheld when the identity may not read
    /// the value), or `None` when the folder no longer has it.
    async fn read_key(
        &self,
        folder: &Folder,
        key: &str,
        legacy: bool,
        token: &IssuedToken,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<Option<StoredSecret>, Listing> {
        let url = self.key_url(folder, key, legacy);
        let http = self.inner.transport.http();
        let reply = self
            .inner
            .transport
            .send(
                Call::Get,
                || http.get(url.clone()).bearer_auth(token.bearer()),
                deadline,
                redactions,
            )
            .await
            .map_err(Listing::Failed)?;
        if (200..300).contains(&reply.status) {
            return api::parse_single(&reply.body).map(Some).map_err(|e| {
                Listing::Failed(
                    StoreError::new(
                        StoreErrorKind::InvalidResponse,
                        format!(
                            "the secret was not understood (line {}, column {})",
                            e.line(),
                            e.column()
                        ),
                    )
                    .with_status(reply.status),
                )
            });
        }
        let info = reply.error_info(redactions);
        match reply.status {
            403 if info.is_named("ForbiddenReadSecretError") => Ok(Some(StoredSecret::withheld())),
            404 if !info.route_missing => Ok(None),
            _ => Err(Self::failure(&reply, redactions)),
        }
    }

    /// `GET /api/v4/secrets/{key}` (or the v3 raw route), every flag explicit as for lists.
    fn key_url(&self, folder: &Folder, key: &str, legacy: bool) -> url::Url {
        let inner = &self.inner;
        let mut url = url::Url::parse(&inner.base)
            .expect("the base URL was checked when the client was built");
        {
            let route: &[&str] = if legacy {
                &["api", "v3", "secrets", "raw"]
            } else {
                &["api", "v4", "secrets"]
            };
            let mut segments = url
                .path_segments_mut()
                .expect("an http(s) base URL has path segments");
            segments.pop_if_empty().extend(route).push(key);
        }
        {
            let mut query = url.query_pairs_mut();
            query.append_pair(
                if legacy { "workspaceId" } else { "projectId" },
                &inner.project_id,
            );
            query
                .append_pair("environment", folder.environment())
                .append_pair("secretPath", folder.path())
                .append_pair("type", "shared")
                .append_pair("expandSecretReferences", "true");
            if !legacy {
                query.append_pair("includeImports", "true");
            }
            query
                .append_pair("include_imports", "true")
                .append_pair("viewSecretValue", "true");
        }
        url
    }

    /// The remembered listing when `reply` says the folder did not change: a `304` to our
    /// `If-None-Match`, or a full body with the same hash as the last one.
    fn unchanged(
        &self,
        key: &(bool, Folder),
        remembered: Option<&Remembered>,
        reply: &Reply,
        body_hash: Option<u64>,
    ) -> Result<Option<FolderSecrets>, Listing> {
        let counters = self.inner.transport.counters();
        if reply.status == 304 {
            let Some(remembered) = remembered.filter(|r| r.etag.is_some()) else {
                return Err(Listing::Failed(
                    StoreError::new(
                        StoreErrorKind::InvalidResponse,
                        "answered 304 Not Modified to a listing that was not conditional",
                    )
                    .with_status(304),
                ));
            };
            Counters::bump(&counters.not_modified);
            return Ok(Some(remembered.secrets.clone()));
        }
        let Some(remembered) = remembered.filter(|r| Some(r.body_hash) == body_hash) else {
            return Ok(None);
        };
        Counters::bump(&counters.unchanged);
        if reply.etag != remembered.etag {
            self.remember(
                key.clone(),
                Remembered {
                    etag: reply.etag.clone(),
                    body_hash: remembered.body_hash,
                    secrets: remembered.secrets.clone(),
                },
            );
        }
        Ok(Some(remembered.secrets.clone()))
    }

    fn remembered(&self, key: &(bool, Folder)) -> Option<Arc<Remembered>> {
        self.listings().get(key).cloned()
    }

    fn remember(&self, key: (bool, Folder), remembered: Remembered) {
        self.listings().insert(key, Arc::new(remembered));
    }

    fn forget(&self, key: &(bool, Folder)) {
        self.listings().remove(key);
    }

    fn listings(&self) -> std::sync::MutexGuard<'_, BTreeMap<(bool, Folder), Arc<Remembered>>> {
        self.inner
            .listings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn list_url(&self, folder: &Folder, legacy: bool) -> url::Url {
        self.listing_url(folder, legacy, true)
    }

    /// The list URL; `view_values: false` lists keys only, every value hidden.
    fn listing_url(&self, folder: &Folder, legacy: bool, view_values: bool) -> url::Url {
        let inner = &self.inner;
        let route = if legacy {
            "/api/v3/secrets/raw"
        } else {
            "/api/v4/secrets"
        };
        let mut url = url::Url::parse(&format!("{}{route}", inner.base))
            .expect("the base URL was checked when the client was built");
        {
            let mut query = url.query_pairs_mut();
            if legacy {
                query
                    .append_pair("workspaceId", &inner.project_id)
                    .append_pair("environment", folder.environment())
                    .append_pair("secretPath", folder.path())
                    .append_pair("expandSecretReferences", "true")
                    .append_pair("include_imports", "true")
                    .append_pair("recursive", "false");
                // Sent only to read keys without values: a 2024 server does not know it.
                if !view_values {
                    query.append_pair("viewSecretValue", "false");
                }
            } else {
                // Every flag explicit: v4's defaults changed between releases. Both spellings of
                // includeImports, since servers ignore unknown parameters.
                query
                    .append_pair("projectId", &inner.project_id)
                    .append_pair("environment", folder.environment())
                    .append_pair("secretPath", folder.path())
                    .append_pair("expandSecretReferences", "true")
                    .append_pair("includeImports", "true")
                    .append_pair("include_imports", "true")
                    .append_pair("recursive", "false")
                    .append_pair(
                        "viewSecretValue",
                        if view_values { "true" } else { "false" },
                    )
                    .append_pair("includePersonalOverrides", "false");
            }
        }
        url
    }

    /// A list reply as secrets or a classified error, with `redactions` scrubbed from what
    /// the server said.
    fn listing(
        reply: &Reply,
        folder: &Folder,
        redactions: &Redactions<'_>,
    ) -> Result<FolderSecrets, Listing> {
        let status = reply.status;
        if (200..300).contains(&status) {
            return parse_listing(&reply.body, folder).map_err(|e| {
                // Only the position: serde's message can quote the offending text.
                Listing::Failed(
                    StoreError::new(
                        StoreErrorKind::InvalidResponse,
                        format!(
                            "the secrets listing was not understood (line {}, column {})",
                            e.line(),
                            e.column()
                        ),
                    )
                    .with_status(status),
                )
            });
        }
        Err(Self::failure(reply, redactions))
    }

    /// A reply that is neither a success nor unchanged, classified.
    fn failure(reply: &Reply, redactions: &Redactions<'_>) -> Listing {
        let status = reply.status;
        if (300..400).contains(&status) {
            return Listing::Failed(redirect_error(reply));
        }
        let info = reply.error_info(redactions);
        let error = |kind, fallback: &str| server_error(kind, status, &info, fallback);
        match status {
            401 if info.is_named("ValidationFailure") => Listing::Failed(error(
                StoreErrorKind::BadRequest,
                "the request was rejected",
            )),
            // 401: revoked, expired in the database, or no token; 403 TokenError: the JWT
            // itself expired or is malformed. Either way a new token may help.
            401 => Listing::TokenRejected(token_rejected(&error(
                StoreErrorKind::Unauthorized,
                "token rejected",
            ))),
            403 if info.is_named("TokenError") => Listing::TokenRejected(token_rejected(&error(
                StoreErrorKind::Unauthorized,
                "token rejected",
            ))),
            // The identity may read the folder's keys but not every value (a permission
            // condition on the secret name): the whole listing is refused (recordings v71, v76).
            403 if info.is_named("PermissionDenied")
                && info
                    .message
                    .as_deref()
                    .is_some_and(|m| m.contains("readValue")) =>
            {
                Listing::ValuesForbidden(error(StoreErrorKind::Forbidden, "access denied"))
            }
            403 => Listing::Failed(error(StoreErrorKind::Forbidden, "access denied")),
            404 if info.route_missing => Listing::RouteMissing,
            404 => Listing::Failed(error(StoreErrorKind::NotFound, "folder not found")),
            429 => Listing::Failed(error(StoreErrorKind::Throttled, "rate limited")),
            500.. => Listing::Failed(error(StoreErrorKind::Server, "server error")),
            _ => Listing::Failed(error(
                StoreErrorKind::BadRequest,
                "the request was rejected",
            )),
        }
    }

    /// Registers a fetch with its own startup deadline, in the current group of overlapping
    /// fetches (which share a failed login and a read of the token file), starting a new group
    /// when no other fetch is running. The folders of one load start together, so they get
    /// the same deadline.
    fn begin(&self) -> LoadGuard<'_> {
        let mut loads = self
            .inner
            .loads
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if loads.in_flight == 0 {
            loads.current += 1;
        }
        loads.in_flight += 1;
        LoadGuard {
            loads: &self.inner.loads,
            load: Load {
                id: loads.current,
                deadline: crate::time::after(self.inner.transport.settings().startup_deadline),
            },
        }
    }
}

fn token_rejected(error: &StoreError) -> StoreError {
    let said = error.message().unwrap_or("token rejected");
    with_message(error, format!("access token rejected: {said}"))
}

/// How a listing failed.
enum Listing {
    /// The token was refused (expired, revoked): a new one may help.
    TokenRejected(StoreError),
    /// The identity may not read every value of the folder: its keys can be read one by one.
    ValuesForbidden(StoreError),
    /// The server has no such route (a server without v4).
    RouteMissing,
    Failed(StoreError),
}

/// The fetches running together. Each has its own startup deadline; the group shares an id,
/// which keeps a failed login from being retried by the group's other fetches.
#[derive(Default)]
struct Loads {
    in_flight: usize,
    current: u64,
}

/// One fetch: the id of its group and its own deadline.
#[derive(Clone, Copy)]
struct Load {
    id: u64,
    deadline: Instant,
}

struct LoadGuard<'a> {
    loads: &'a Mutex<Loads>,
    load: Load,
}

impl Drop for LoadGuard<'_> {
    fn drop(&mut self) {
        let mut loads = self.loads.lock().unwrap_or_else(PoisonError::into_inner);
        loads.in_flight = loads.in_flight.saturating_sub(1);
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

/// Builds an [`InfisicalClient`].
///
/// Defaults: Infisical Cloud (`https://app.infisical.com`); connect timeout 5 s; request
/// timeout 10 s; startup deadline 30 s; at most 4 retries, backoff from 250 ms doubling to 4 s
/// plus up to 100% jitter; responses up to 16 MiB; HTTPS required except to loopback hosts;
/// the platform's root certificates; no proxy (the process environment's `HTTPS_PROXY` and
/// the like are not read unless [`proxy_from_env`](Self::proxy_from_env) is called; see
/// [`proxy`](Self::proxy) for when a proxy is used and how).
///
/// ```
/// use std::time::Duration;
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
#[derive(Default)]
pub struct InfisicalClientBuilder {
    base_url: Option<String>,
    credentials: Option<Credentials>,
    kubernetes_token_path: Option<PathBuf>,
    project_id: Option<String>,
    environment: Option<String>,
    secret_path: Option<String>,
    allow_http: bool,
    ca_bundle_pem: Option<Vec<u8>>,
    proxy: Option<ProxySetting>,
    no_proxy: Option<String>,
    #[cfg(feature = "testing")]
    resolve: Vec<(String, std::net::SocketAddr)>,
    settings: Settings,
}

/// A proxy URL as given (it may hold the proxy's credentials, so it is kept as a secret;
/// `None` when the variable was not UTF-8), and where it came from, for messages:
/// `proxy(..)` or the variable's name.
struct ProxySetting {
    url: Option<SecretString>,
    source: &'static str,
}

impl ProxySetting {
    fn shown(&self) -> String {
        use secrecy::ExposeSecret;
        match &self.url {
            Some(url) => format!(
                "{} (from {})",
                config::shown_url(url.expose_secret()),
                self.source
            ),
            None => format!("(not UTF-8, from {})", self.source),
        }
    }
}

impl fmt::Debug for InfisicalClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InfisicalClientBuilder")
            .field("base_url", &self.base_url.as_deref().map(config::shown_url))
            .field("auth", &self.credentials)
            .field("project_id", &self.project_id)
            .field("environment", &self.environment)
            .field("secret_path", &self.secret_path)
            .field("allow_http", &self.allow_http)
            .field(
                "ca_bundle_pem",
                &self.ca_bundle_pem.as_ref().map(|_| "[PEM]"),
            )
            .field("proxy", &self.proxy.as_ref().map(ProxySetting::shown))
            .field("no_proxy", &self.no_proxy)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl InfisicalClientBuilder {
    /// The instance URL, e.g. `https://infisical.example.com` (with or without `/api`).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The project to read from (required).
    #[must_use]
    pub fn project_id(mut self, id: impl Into<String>) -> Self {
        self.project_id = Some(id.into());
        self
    }

    /// The environment slug for every key, overriding the struct's `environment`.
    #[must_use]
    pub fn environment(mut self, slug: impl Into<String>) -> Self {
        self.environment = Some(slug.into());
        self
    }

    /// The folder for keys without a path of their own, overriding the struct's.
    #[must_use]
    pub fn secret_path(mut self, path: impl Into<String>) -> Self {
        self.secret_path = Some(path.into());
        self
    }

    /// Authenticates with an already issued access token (Token Auth, or an `st.` service
    /// token). It cannot be renewed: when the server rejects it, loading fails.
    ///
    /// Takes a `&str`, a `String` or a [`SecretString`]; a `String` is moved, not copied.
    ///
    /// ```
    /// use secrets_core::InfisicalClient;
    ///
    /// let token = String::from("token-from-a-vault");
    /// let client = InfisicalClient::builder()
    ///     .project_id("78b8bba2-eb64-4416-9935-d2095d45f33f")
    ///     .access_token(token)
    ///     .build()?;
    /// # Ok::<(), secrets_core::Error>(())
    /// ```
    #[must_use]
    pub fn access_token(mut self, token: impl Into<SecretString>) -> Self {
        self.credentials = Some(Credentials::access_token(token.into()));
        self
    }

    /// Authenticates with the access token in `path`, read on first use, again at each load
    /// and when the server rejects the token (the Infisical agent rewrites it). It must be a
    /// regular file of at most 64 KiB.
    #[must_use]
    pub fn token_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.credentials = Some(Credentials::TokenFile(path.into()));
        self
    }

    /// Authenticates with Universal Auth, as the machine identity's client id and secret.
    ///
    /// The secret is a `&str`, a `String` or a [`SecretString`] (a `String` is moved, not
    /// copied):
    ///
    /// ```
    /// use secrets_core::{InfisicalClient, SecretString};
    ///
    /// let literal = InfisicalClient::builder()
    ///     .project_id("p1")
    ///     .universal_auth("client-id", "client-secret")
    ///     .build()?;
    /// let read = String::from("client-secret");
    /// let owned = InfisicalClient::builder()
    ///     .project_id("p1")
    ///     .universal_auth("client-id", read)
    ///     .build()?;
    /// let wrapped = InfisicalClient::builder()
    ///     .project_id("p1")
    ///     .universal_auth("client-id", SecretString::from("client-secret"))
    ///     .build()?;
    /// # Ok::<(), secrets_core::Error>(())
    /// ```
    #[must_use]
    pub fn universal_auth(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.credentials = Some(Credentials::UniversalAuth {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        });
        self
    }

    /// Authenticates with Kubernetes auth as machine identity `identity_id`, with the pod's
    /// service-account token (see [`kubernetes_token_path`](Self::kubernetes_token_path)).
    #[must_use]
    pub fn kubernetes_auth(mut self, identity_id: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::Kubernetes {
            identity_id: identity_id.into(),
            token_path: PathBuf::new(),
        });
        self
    }

    /// Where Kubernetes auth reads the service-account token; default
    /// `/var/run/secrets/kubernetes.io/serviceaccount/token`.
    #[must_use]
    pub fn kubernetes_token_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.kubernetes_token_path = Some(path.into());
        self
    }

    /// Allows plain `http://` to any host, not only to loopback ones. Tokens and secrets then
    /// cross the network unencrypted.
    #[must_use]
    pub fn allow_http(mut self, allow: bool) -> Self {
        self.allow_http = allow;
        self
    }

    /// Trusts the root certificates of this PEM bundle as well as the platform's (for a
    /// self-hosted server with a private CA). From the environment: `INFISICAL_CA_BUNDLE`
    /// names such a file.
    #[must_use]
    pub fn ca_bundle_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_bundle_pem = Some(pem.into());
        self
    }

    /// Sends the requests of an `https://` target through this proxy, with `CONNECT`: the
    /// proxy sees the host and port, never a request, a token or a secret, since TLS runs end
    /// to end inside the tunnel. An `http://` or an `https://` proxy URL (the latter is itself
    /// reached over TLS), optionally with `user:password@` for the proxy (sent to it in
    /// `Proxy-Authorization`, never shown in messages or `Debug`); without a scheme,
    /// `http://` is assumed. `socks*://` and other schemes are refused by
    /// [`build`](Self::build).
    ///
    /// A proxy is never used for a loopback target (`localhost`, `127.0.0.0/8`, `::1`), for a
    /// plain `http://` target (a proxy would see the requests, tokens included, in clear), or
    /// for a host [`no_proxy`](Self::no_proxy) names; for those the proxy URL is not checked.
    ///
    /// Without this call (or [`proxy_from_env`](Self::proxy_from_env)) no proxy is used: the
    /// client never reads `HTTPS_PROXY` and the like from the process environment itself. [`InfisicalClient::from_env`] (and so the
    /// loader) maps `https_proxy`, `HTTPS_PROXY`, `all_proxy`, `ALL_PROXY` (the first set) of
    /// its [`Env`] onto this call, and `no_proxy`/`NO_PROXY` onto [`no_proxy`](Self::no_proxy).
    #[must_use]
    pub fn proxy(self, url: impl Into<String>) -> Self {
        self.proxy_from(url, "proxy(..)")
    }

    fn proxy_from(mut self, url: impl Into<String>, source: &'static str) -> Self {
        self.proxy = Some(ProxySetting {
            url: Some(SecretString::from(url.into())),
            source,
        });
        self
    }

    /// Takes the proxy settings from the variables of `env`, as
    /// [`InfisicalClient::from_env`] does: the first set of `https_proxy`, `HTTPS_PROXY`,
    /// `all_proxy`, `ALL_PROXY` as the [`proxy`](Self::proxy) (the lower-case name first, as
    /// curl reads them), the first set of `no_proxy`, `NO_PROXY` as
    /// [`no_proxy`](Self::no_proxy). An empty variable counts as unset; a setting whose
    /// variables are all unset is left as it was. `HTTP_PROXY`/`http_proxy` is never read:
    /// a plain-http target never goes through a proxy.
    ///
    /// ```
    /// use secrets_core::{Env, InfisicalClient};
    ///
    /// // Opting in to the process environment's proxy for a client built in code.
    /// let builder = InfisicalClient::builder().proxy_from_env(&Env::process());
    /// # let _ = builder;
    /// ```
    #[must_use]
    pub fn proxy_from_env(mut self, env: &Env) -> Self {
        for name in config::HTTPS_PROXY_VARS {
            match env.get_str(name) {
                Ok(None) => continue,
                Ok(Some(url)) => self = self.proxy_from(url, name),
                Err(_) => {
                    self.proxy = Some(ProxySetting {
                        url: None,
                        source: name,
                    });
                }
            }
            break;
        }
        for name in config::NO_PROXY_VARS {
            let Some(list) = env.get(name) else { continue };
            let list = list.to_string_lossy();
            if !list.trim().is_empty() {
                self.no_proxy = Some(list.into_owned());
                break;
            }
        }
        self
    }

    /// Hosts that bypass the [`proxy`](Self::proxy), in the `NO_PROXY` format: a
    /// comma-separated list of host names (each matching its subdomains too, a leading `.`
    /// optional), IP addresses and CIDR ranges; `*` matches every host.
    #[must_use]
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = Some(list.into());
        self
    }

    /// Connects to `addr` for `host` instead of resolving it (tests: a name that is not in
    /// DNS, served on a loopback address). Not used for a host reached through a proxy.
    #[cfg(feature = "testing")]
    #[must_use]
    pub fn resolve(mut self, host: impl Into<String>, addr: std::net::SocketAddr) -> Self {
        self.resolve.push((host.into(), addr));
        self
    }

    /// How long to wait for a TCP/TLS connection (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// How long one HTTP request may take, body included (default 10 s).
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.settings.request_timeout = timeout;
        self
    }

    /// How long one load may spend on Infisical in total: login, retries and every folder
    /// (default 30 s). Past it the folders fail with
    /// [`StoreErrorKind::DeadlineExceeded`](crate::StoreErrorKind::DeadlineExceeded).
    #[must_use]
    pub fn startup_deadline(mut self, deadline: Duration) -> Self {
        self.settings.startup_deadline = deadline;
        self
    }

    /// How many times a transient failure is retried (default 4; 0 disables retries).
    #[must_use]
    pub fn max_retries(mut self, retries: usize) -> Self {
        self.settings.max_retries = retries;
        self
    }

    /// The first and the largest backoff step between retries (default 250 ms and 4 s); each
    /// step gets up to 100% jitter. A server's `Retry-After` replaces the step.
    #[must_use]
    pub fn retry_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.settings.retry_min_delay = first;
        self.settings.retry_max_delay = max;
        self
    }

    /// The largest response accepted (default 16 MiB).
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.settings.max_response_bytes = bytes;
        self
    }

    /// Checks the configuration and builds the client. Token and service-account files are
    /// checked for readability here and read again when used.
    ///
    /// # Errors
    /// [`Error::Load`] with a configuration problem for an unusable URL, plain HTTP to a remote host without
    /// [`allow_http`](Self::allow_http), missing project or credentials, an unreadable token
    /// file, an invalid environment or path, a bad CA bundle, a zero timeout, or a
    /// [`proxy`](Self::proxy) that would be used and cannot be (a `socks*://` or other
    /// scheme, not a URL), named by its variable with its credentials redacted.
    pub fn build(self) -> Result<InfisicalClient, Error> {
        let invalid = |message: String| Error::configuration([format!("Infisical: {message}")]);
        let raw_url = self.base_url.as_deref().unwrap_or(config::DEFAULT_URL);
        let url = config::base_url(raw_url, self.allow_http).map_err(|reason| {
            let shown = config::shown_url(raw_url);
            invalid(format!("base URL `{shown}`: {reason}"))
        })?;
        let project_id = self
            .project_id
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .ok_or_else(|| {
                invalid("no project id: call project_id(..) or set INFISICAL_PROJECT_ID".to_owned())
            })?;
        let credentials = match self.credentials {
            None => {
                return Err(invalid(
                    "no credentials: call universal_auth, access_token, token_file or kubernetes_auth".to_owned(),
                ));
            }
            Some(Credentials::Kubernetes {
                identity_id,
                token_path,
            }) => Credentials::Kubernetes {
                identity_id,
                token_path: self
                    .kubernetes_token_path
                    .or((!token_path.as_os_str().is_empty()).then_some(token_path))
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_KUBERNETES_TOKEN_PATH)),
            },
            Some(other) => other,
        };
        check_credentials(&credentials).map_err(invalid)?;
        if let Some(environment) = &self.environment
            && !crate::names::is_environment_slug(environment)
        {
            return Err(invalid(format!(
                "environment `{environment}` is not a slug (lowercase letters, digits and `-`)"
            )));
        }
        let secret_path = match self.secret_path {
            Some(path) => {
                let normalised = Folder::new("x", &path).path().to_owned();
                if !crate::names::is_folder_path(&normalised) {
                    return Err(invalid(format!(
                        "secret path `{path}` is not `/` or `/seg/seg` with segments of [A-Za-z0-9_-]"
                    )));
                }
                Some(normalised)
            }
            None => None,
        };
        let settings = self.settings;
        if settings.connect_timeout.is_zero()
            || settings.request_timeout.is_zero()
            || settings.startup_deadline.is_zero()
        {
            return Err(invalid(
                "timeouts and the startup deadline must be above zero".to_owned(),
            ));
        }
        if settings.max_response_bytes < 1024 {
            return Err(invalid(
                "max_response_bytes must be at least 1024".to_owned(),
            ));
        }

        let (proxy, via) = proxy_for(&url, self.proxy.as_ref(), self.no_proxy.as_deref())
            .map_err(invalid)?
            .unzip();

        let http = http_client(&settings, self.ca_bundle_pem.as_deref(), proxy).map_err(invalid)?;
        #[cfg(feature = "testing")]
        let http = self
            .resolve
            .iter()
            .fold(http, |http, (host, addr)| http.resolve(host, *addr));
        let http = http.build().map_err(|e| {
            invalid(format!(
                "cannot set up HTTPS: {}",
                api::clean(&e.to_string())
            ))
        })?;

        Ok(InfisicalClient {
            inner: Arc::new(Inner {
                transport: Transport::new(http, settings, url.host.clone(), via),
                base: url.base,
                host: url.host,
                project_id,
                environment: self.environment,
                secret_path,
                credentials,
                tokens: TokenHolder::default(),
                learned: Learned::default(),
                loads: Mutex::new(Loads::default()),
                listings: Mutex::new(BTreeMap::new()),
                body_hasher: RandomState::new(),
            }),
        })
    }
}

/// The HTTP client's settings: timeouts, no redirects, extra roots, and no proxy but `proxy`.
fn http_client(
    settings: &Settings,
    ca_bundle_pem: Option<&[u8]>,
    proxy: Option<reqwest::Proxy>,
) -> Result<reqwest::ClientBuilder, String> {
    let mut http = reqwest::Client::builder()
        // Never the system proxy (reqwest reads HTTP_PROXY and the like from the process
        // environment): only the one `proxy_for` decided on, for an https target.
        .no_proxy()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.request_timeout)
        // Never follow a redirect: reqwest would resend the Authorization header to a
        // host of the same origin only, but any redirect means a wrong URL here.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("secrets-core/", env!("CARGO_PKG_VERSION")));
    http = crate::tls::configure(http, ca_bundle_pem)?;
    if let Some(proxy) = proxy {
        http = http.proxy(proxy);
    }
    Ok(http)
}

/// The proxy for `url`, with how it is shown (credentials redacted, and where it came from):
/// none for a plain-http or loopback target or a host `no_proxy` names; otherwise `setting`,
/// which must then be usable.
fn proxy_for(
    url: &config::BaseUrl,
    setting: Option<&ProxySetting>,
    no_proxy: Option<&str>,
) -> Result<Option<(reqwest::Proxy, String)>, String> {
    use secrecy::ExposeSecret;
    let Some(setting) = setting else {
        return Ok(None);
    };
    if !url.https || url.loopback || config::bypasses_proxy(&url.base, no_proxy) {
        return Ok(None);
    }
    let source = setting.source;
    let Some(raw) = setting.url.as_ref().map(ExposeSecret::expose_secret) else {
        return Err(format!("proxy {source} is not valid UTF-8"));
    };
    let parsed = config::proxy_url(raw).map_err(|reason| {
        format!(
            "proxy {source} `{}` is not usable: {reason}",
            config::shown_url(raw)
        )
    })?;
    let shown = format!("{} (from {source})", config::shown_url(parsed.as_str()));
    // `https`: only requests to an https URL, which are tunnelled with CONNECT.
    let proxy = reqwest::Proxy::https(parsed.as_str())
        .map_err(|_| format!("proxy {shown} is not usable"))?;
    tracing::debug!(
        target: "secrets_core::infisical",
        "Infisical requests to {} go through the proxy {shown}",
        url.host
    );
    Ok(Some((proxy, shown)))
}

fn check_credentials(credentials: &Credentials) -> Result<(), String> {
    use secrecy::ExposeSecret;
    match credentials {
        Credentials::AccessToken(token) if token.expose_secret().is_empty() => {
            Err("the access token is empty".to_owned())
        }
        Credentials::AccessToken(_) => Ok(()),
        Credentials::TokenFile(path) => config::check_token_file(path)
            .map_err(|reason| format!("token file {} cannot be read: {reason}", path.display())),
        Credentials::UniversalAuth {
            client_id,
            client_secret,
        } => {
            if client_id.trim().is_empty() || client_secret.expose_secret().trim().is_empty() {
                Err("Universal Auth needs a non-empty client id and client secret".to_owned())
            } else {
                Ok(())
            }
        }
        Credentials::Kubernetes {
            identity_id,
            token_path,
        } => {
            if identity_id.trim().is_empty() {
                return Err("Kubernetes auth needs a non-empty identity id".to_owned());
            }
            config::check_token_file(token_path).map_err(|reason| {
                format!(
                    "Kubernetes auth: the service-account token {} cannot be read: {reason}",
                    token_path.display()
                )
            })
        }
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
