//! Test your own service's secrets: point `AppSecrets::loader()` at a
//! [`FakeInfisical`](crate::testing::FakeInfisical), an in-process fake Infisical server on
//! 127.0.0.1, in a `#[tokio::test]`. Enable the feature in your dev-dependencies only:
//!
//! ```toml
//! [dev-dependencies]
//! secrets-core = { version = "0.1", features = ["testing"] }
//! ```
//!
//! [`FakeInfisical::env_vars`](crate::testing::FakeInfisical::env_vars) gives the `INFISICAL_*` variables that point a loader at the
//! fake; hand them to the loader with [`Env::from_pairs`](crate::Env::from_pairs), never by
//! setting the process environment:
//!
//! ```
//! # #[cfg(feature = "derive")] {
//! use secrets_core::testing::FakeInfisical;
//! use secrets_core::{Env, ExposeSecret, SecretString, Secrets};
//!
//! #[derive(Secrets)]
//! #[secret(environment = "prod")]
//! struct AppSecrets {
//!     database_url: SecretString,
//!     #[secret(default = "8080")]
//!     port: u16,
//! }
//!
//! // In your tests: `#[tokio::test] async fn loads_from_infisical() { ... }`.
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let fake = FakeInfisical::builder()
//!     .secret("prod", "/", "DATABASE_URL", "postgres://db.internal/app")
//!     .universal_auth("client-id", "client-secret")
//!     .start()
//!     .await;
//! let (secrets, provenance) = AppSecrets::loader()
//!     .env(Env::from_pairs(fake.env_vars()))
//!     .load_with_provenance()
//!     .await
//!     .unwrap();
//! assert_eq!(secrets.database_url.expose_secret(), "postgres://db.internal/app");
//! assert_eq!(secrets.port, 8080);
//! assert_eq!(
//!     provenance.get("DATABASE_URL").unwrap().source().unwrap().to_string(),
//!     "Infisical prod:/"
//! );
//! # });
//! # }
//! ```
//!
//! Without Infisical at all, the env-map-only test needs no server and no feature:
//!
//! ```
//! # #[cfg(feature = "derive")] {
//! use secrets_core::{Env, ExposeSecret, SecretString, Secrets};
//!
//! #[derive(Secrets)]
//! struct AppSecrets {
//!     database_url: SecretString,
//!     #[secret(default = "8080")]
//!     port: u16,
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let secrets = AppSecrets::loader()
//!     .env(Env::from_pairs([("DATABASE_URL", "postgres://localhost/test"), ("PORT", "9999")]))
//!     .without_store()
//!     .load()
//!     .await
//!     .unwrap();
//! assert_eq!(secrets.port, 9999);
//!
//! // And what a missing key looks like, never with a value in it.
//! let error = AppSecrets::loader()
//!     .env(Env::from_pairs([("PORT", "9999")]))
//!     .without_store()
//!     .load()
//!     .await
//!     .unwrap_err();
//! assert_eq!(error.problems()[0].key(), Some("DATABASE_URL"));
//! # });
//! # }
//! ```
//!
//! # The fake server
//!
//! [`FakeInfisical`] serves the parts of the Infisical HTTP API a secrets loader touches, in
//! the shapes of a real server (checked field for field against recorded responses), as one
//! of two generations ([`ServerMode`]): the current API, or a self-hosted server of October
//! 2024 that has no `/api/v4` and answers errors differently.
//!
//! | route | |
//! |---|---|
//! | `POST /api/v1/auth/universal-auth/login`, `/kubernetes-auth/login` | JSON or form body; issues JWT-shaped tokens |
//! | `POST /api/v1/auth/token/renew`, `/token/revoke` | TTL and max-TTL rules of the real server |
//! | `GET /api/v4/secrets`, `/api/v4/secrets/{name}` | current mode; Fastify's `404` in legacy mode |
//! | `GET /api/v3/secrets/raw`, `/api/v3/secrets/raw/{name}` | both modes |
//! | `GET /api/status` | liveness |
//!
//! It keeps state: a data set of environments, folders, secrets and imports that tests can
//! change while it runs; issued tokens with their TTLs; a log and per-route counts of every
//! request. Faults ([`Fault`]) and latency can be injected per route. A request it does not
//! know gets a loud `500` naming the method and path, so a test never passes by accident.
//!
//! ```
//! use secrets_core::testing::{FakeInfisical, Fault, Route, ServerMode};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let fake = FakeInfisical::builder()
//!     .mode(ServerMode::Current)
//!     .secret("prod", "/", "DATABASE_URL", "postgres://db.internal/app")
//!     .universal_auth("client-id", "client-secret")
//!     .start()
//!     .await;
//!
//! // The code under test gets `fake.url()` as its Infisical base URL. By hand:
//! let http = reqwest::Client::builder().no_proxy().build().unwrap();
//! let login: serde_json::Value = http
//!     .post(format!("{}/api/v1/auth/universal-auth/login", fake.url()))
//!     .json(&serde_json::json!({ "clientId": "client-id", "clientSecret": "client-secret" }))
//!     .send().await.unwrap()
//!     .json().await.unwrap();
//! let token = login["accessToken"].as_str().unwrap();
//!
//! fake.fail_next(Route::ListV4, 1, Fault::Status(503));
//! let list = format!(
//!     "{}/api/v4/secrets?projectId={}&environment=prod&secretPath=/",
//!     fake.url(),
//!     fake.project_id()
//! );
//! let first = http.get(&list).bearer_auth(token).send().await.unwrap();
//! assert_eq!(first.status(), 503);
//! let second: serde_json::Value =
//!     http.get(&list).bearer_auth(token).send().await.unwrap().json().await.unwrap();
//! assert_eq!(second["secrets"][0]["secretValue"], "postgres://db.internal/app");
//! assert_eq!(fake.request_count(Route::ListV4), 2);
//! # });
//! ```
//!
//! The server runs on a task of the Tokio runtime that calls [`FakeInfisicalBuilder::start`]
//! and stops when the [`FakeInfisical`] is dropped. With a current-thread runtime it only
//! makes progress while the test awaits, so call the code under test with `.await`, not
//! through a blocking client.
//!
//! # Where it differs from a real server
//!
//! - There are no users or roles: every accepted token reads everything, personal overrides
//!   included, and references are expanded whatever the caller may read. Hidden values come
//!   from [`FakeSecret::hidden`], and values an identity may see but not read (a `readValue`
//!   condition on the secret name) from [`FakeSecret::unreadable`] or
//!   [`FakeInfisicalBuilder::unreadable_for`], rather than from a role.
//! - Service tokens are accepted without their scopes.
//! - Rate limits are counted per server, not per client address, and only enforced when
//!   [`FakeInfisicalBuilder::enforce_rate_limits`] says so (a current server in cloud mode).
//!   The `x-ratelimit-*` headers are sent by the 2024 server always, by a current one only
//!   when it enforces limits: a self-hosted server without a licence has no limiter.
//! - Lists are ordered by creation, which is the order of the fake's ids; the real server
//!   orders by its own ids.
//! - Defaults of the current `/api/v4` list: `expandSecretReferences`, `include_imports` and
//!   `recursive` are `false`, as the June 2025 server answered (recording v10); newer designs
//!   say `true`, so send every flag explicitly, as a client should anyway. Only the
//!   snake-case `include_imports` is honoured; camelCase `includeImports` is ignored (v13).
//!
//! [`FakeInfisical`]: crate::testing::FakeInfisical
//! [`ServerMode`]: crate::testing::ServerMode
//! [`Fault`]: crate::testing::Fault
//! [`FakeSecret::hidden`]: crate::testing::FakeSecret::hidden
//! [`FakeSecret::unreadable`]: crate::testing::FakeSecret::unreadable
//! [`FakeInfisicalBuilder::unreadable_for`]: crate::testing::FakeInfisicalBuilder::unreadable_for
//! [`FakeInfisicalBuilder::start`]: crate::testing::FakeInfisicalBuilder::start
//! [`FakeInfisicalBuilder::enforce_rate_limits`]: crate::testing::FakeInfisicalBuilder::enforce_rate_limits

mod auth;
mod builder;
mod fault;
mod handler;
mod json;
mod read;
mod request;
mod secret;
mod server;
mod state;
mod util;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::task::JoinHandle;

pub use self::builder::FakeInfisicalBuilder;
pub use self::fault::{Fault, Route};
pub use self::request::RecordedRequest;
pub use self::secret::FakeSecret;
use self::state::{Config, Credential, Shared, State};

/// The project id a fake serves when [`FakeInfisicalBuilder::project`] is not called.
///
/// It is the id of the project the October 2024 fixtures were recorded against.
pub const DEFAULT_PROJECT_ID: &str = "78b8bba2-eb64-4416-9935-d2095d45f33f";

/// The project slug a fake accepts as `workspaceSlug` unless
/// [`FakeInfisicalBuilder::project_slug`] sets another.
pub const DEFAULT_PROJECT_SLUG: &str = "langgraph-agent-demo";

/// Which generation of the Infisical API the fake behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ServerMode {
    /// The current API, as a real June 2025 server answered (recordings in
    /// `tests/fixtures/infisical-2025-06`): `/api/v4` routes, `reqId` in error bodies, `422`
    /// for validation failures, `429` for rate limits, an empty `200` list for a missing
    /// folder or an unknown environment, `404` for an unknown client id, a fresh token on
    /// renew, `403 TokenError` for an expired token, `403` for values the identity may not
    /// read.
    #[default]
    Current,
    /// A self-hosted server of October 2024: no `/api/v4` (Fastify's `404`), validation
    /// failures as `401`, rate limits as `500`, an empty `200` list for a missing folder, the
    /// same token on renew, `401` then deletion for an expired token, no value permissions.
    Legacy2024,
}

/// A running fake Infisical server; see the [module docs](crate::testing).
///
/// Dropping it stops the server and closes its connections.
pub struct FakeInfisical {
    pub(super) url: String,
    pub(super) addr: SocketAddr,
    pub(super) shared: Arc<Shared>,
    pub(super) task: JoinHandle<()>,
}

impl fmt::Debug for FakeInfisical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeInfisical")
            .field("url", &self.url)
            .field("mode", &self.shared.config.mode)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeInfisical {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeInfisical {
    /// A builder with no secrets, no identities, [`ServerMode::Current`].
    pub fn builder() -> FakeInfisicalBuilder {
        FakeInfisicalBuilder {
            config: Config::default(),
            state: State::default(),
        }
    }

    /// The origin to use as the client's base URL, e.g. `http://127.0.0.1:40123` (no `/api`,
    /// no trailing slash).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound socket address.
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The project id served.
    #[must_use]
    pub fn project_id(&self) -> &str {
        &self.shared.config.project_id
    }

    /// The `INFISICAL_*` variables that point a loader at this server, as the Infisical CLI
    /// names them: its URL, its project and, when the builder was given one, the first
    /// Universal Auth identity. Chain your own variables and hand them to
    /// [`Env::from_pairs`](crate::Env::from_pairs).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// use secrets_core::testing::FakeInfisical;
    ///
    /// let fake = FakeInfisical::builder().universal_auth("id", "secret").start().await;
    /// let env = secrets_core::Env::from_pairs(
    ///     fake.env_vars().into_iter().chain([("PORT".to_owned(), "8080".to_owned())]),
    /// );
    /// assert_eq!(env.get("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID").unwrap(), "id");
    /// # });
    /// ```
    #[must_use]
    pub fn env_vars(&self) -> Vec<(String, String)> {
        let mut vars = vec![
            ("INFISICAL_DOMAIN".to_owned(), self.url.clone()),
            (
                "INFISICAL_PROJECT_ID".to_owned(),
                self.project_id().to_owned(),
            ),
        ];
        let state = self.state();
        let universal =
            state
                .auth
                .identities
                .iter()
                .find_map(|identity| match &identity.credential {
                    Credential::Universal {
                        client_id,
                        client_secret,
                    } => Some((client_id.clone(), client_secret.clone())),
                    Credential::Kubernetes { .. } => None,
                });
        if let Some((client_id, client_secret)) = universal {
            vars.push(("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID".to_owned(), client_id));
            vars.push((
                "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET".to_owned(),
                client_secret,
            ));
        }
        vars
    }

    /// The server generation imitated.
    #[must_use]
    pub fn mode(&self) -> ServerMode {
        self.shared.config.mode
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// How many requests were counted under `route` (including faulted ones).
    #[must_use]
    pub fn request_count(&self, route: Route) -> usize {
        self.state().counts.get(&route).copied().unwrap_or(0)
    }

    /// How many requests arrived in total.
    #[must_use]
    pub fn total_requests(&self) -> usize {
        self.state().log.len()
    }

    /// How many TCP connections the server has accepted: what a client's connection reuse
    /// comes to. [`clear_requests`](Self::clear_requests) leaves it as it is.
    #[must_use]
    pub fn connections(&self) -> usize {
        self.shared
            .connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every request so far, oldest first.
    #[must_use]
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().log.clone()
    }

    /// Forgets the request log and the counts.
    pub fn clear_requests(&self) {
        let mut state = self.state();
        state.log.clear();
        state.counts.clear();
    }

    /// Creates or changes a shared secret while the server runs. Changing one increases its
    /// `version`.
    pub fn set_secret(&self, environment: &str, path: &str, key: &str, value: &str) {
        self.state()
            .store
            .set_value(environment, &util::normalize_path(path), key, value);
    }

    /// Creates or replaces a secret with all its attributes while the server runs.
    pub fn put_secret(&self, secret: FakeSecret) {
        self.state().store.put(secret);
    }

    /// Removes a key (shared and personal entries) from a folder, if present. The folder
    /// stays.
    pub fn remove_secret(&self, environment: &str, path: &str, key: &str) {
        self.state()
            .store
            .remove(environment, &util::normalize_path(path), key);
    }

    /// Creates a folder while the server runs.
    pub fn add_folder(&self, environment: &str, path: &str) {
        self.state()
            .store
            .add_folder(environment, &util::normalize_path(path));
    }

    /// Changes the delay added before every response.
    pub fn set_latency(&self, latency: Duration) {
        self.state().latency = latency;
    }

    /// The next `count` requests of `route` get `fault` (after faults queued earlier).
    pub fn fail_next(&self, route: Route, count: usize, fault: Fault) {
        let mut state = self.state();
        let queue = state.faults.next.entry(route).or_default();
        queue.extend(std::iter::repeat_n(fault, count));
    }

    /// Every request of `route` gets `fault` until [`clear_faults`](Self::clear_faults);
    /// faults queued by [`fail_next`](Self::fail_next) come first.
    pub fn fail_always(&self, route: Route, fault: Fault) {
        self.state().faults.always.insert(route, fault);
    }

    /// Removes every queued and permanent fault.
    pub fn clear_faults(&self) {
        let mut state = self.state();
        state.faults.next.clear();
        state.faults.always.clear();
    }

    /// Makes every token issued so far expired, as if its TTL had passed. Legacy: the next use
    /// answers `401` "Failed to renew MI access token due to TTL expiration" and deletes the
    /// token; current: `403 TokenError` "Your token has expired. Please re-authenticate.".
    /// Tokens given with [`FakeInfisicalBuilder::access_token`] are not affected.
    pub fn expire_tokens(&self) {
        self.state().auth.expire_issued();
    }

    /// Makes one token expired (an issued one or one given with
    /// [`FakeInfisicalBuilder::access_token`]); returns whether the fake knew it.
    #[must_use = "`false` means the fake never saw this token"]
    pub fn expire_token(&self, token: &str) -> bool {
        self.state().auth.expire_one(token)
    }

    /// How many issued tokens are still usable (neither revoked, deleted nor expired).
    #[must_use]
    pub fn live_tokens(&self) -> usize {
        self.state().auth.live_count()
    }
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not turn every later request into a second panic.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_can_be_shared_across_tasks() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<FakeInfisical>();
        assert_send_sync::<FakeInfisicalBuilder>();
        assert_send_sync::<Fault>();
        assert_send_sync::<RecordedRequest>();
    }
}
