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
mod handler;
mod json;
mod read;
mod server;
mod state;
mod util;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::task::JoinHandle;

use self::state::{Config, Credential, Shared, State, ValueAccess};

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

/// A route of the fake, for counting requests and injecting faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `POST /api/v1/auth/universal-auth/login`.
    UniversalAuthLogin,
    /// `POST /api/v1/auth/kubernetes-auth/login`.
    KubernetesLogin,
    /// `POST /api/v1/auth/token/renew`.
    TokenRenew,
    /// `POST /api/v1/auth/token/revoke`.
    TokenRevoke,
    /// `GET /api/v4/secrets` (counted in both modes; the legacy server answers it `404`).
    ListV4,
    /// `GET /api/v4/secrets/{name}`.
    GetV4,
    /// `GET /api/v3/secrets/raw`.
    ListV3,
    /// `GET /api/v3/secrets/raw/{name}`.
    GetV3,
    /// Any other request: `GET /api/status` and everything the fake does not serve.
    Other,
}

/// A failure to inject on a route, with [`FakeInfisical::fail_next`] or
/// [`FakeInfisical::fail_always`].
///
/// A fault takes effect before authentication: the request is logged and counted, the
/// configured latency applies, then the fault decides the response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// This HTTP status with an Infisical-shaped JSON error body
    /// (`{"statusCode", "message", "error"}`, plus `reqId` in [`ServerMode::Current`]).
    /// A number outside `100..=999` is sent as `500`.
    Status(u16),
    /// The server's rate-limit answer. Current: `429` `RateLimitExceeded`, "Rate limit
    /// exceeded. Please try again in N seconds", with `retry-after`. Legacy: `500` "Something
    /// went wrong" with `retry-after` and `x-ratelimit-*` headers, as that server really
    /// answered.
    RateLimited {
        /// The value of `retry-after` and of the seconds in the message.
        retry_after_secs: u64,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Any raw response: malformed JSON, an HTML error page from a proxy, an empty body.
    Body {
        /// The HTTP status (outside `100..=999`: `500`).
        status: u16,
        /// The `content-type` header; empty for none.
        content_type: String,
        /// The body, sent as is.
        body: Vec<u8>,
    },
    /// Close the connection without sending a response (a TCP reset where the platform
    /// allows it).
    ResetConnection,
    /// Answer normally, but send the body in small chunks with this pause between them, so a
    /// client with a timeout gives up half way through.
    Trickle {
        /// The pause before each chunk of the body.
        chunk_delay: Duration,
    },
    /// `302 Found` to this location.
    Redirect {
        /// The `location` header.
        location: String,
    },
}

/// One request the fake received, as [`FakeInfisical::requests`] lists it.
///
/// Token and secret values are never recorded: only whether an `Authorization` header was
/// present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    method: String,
    path: String,
    query: Option<String>,
    route: Route,
    has_authorization: bool,
    status: Option<u16>,
}

impl RecordedRequest {
    /// The HTTP method, e.g. `GET`.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path as sent, e.g. `/api/v4/secrets`.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string (without `?`), if any.
    #[must_use]
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The decoded value of one query parameter, if present.
    #[must_use]
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The route the request was counted under.
    #[must_use]
    pub fn route(&self) -> Route {
        self.route
    }

    /// Whether the request carried an `Authorization` header.
    #[must_use]
    pub fn has_authorization(&self) -> bool {
        self.has_authorization
    }

    /// The status answered, or `None` while the answer is pending or when the connection was
    /// reset.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

/// A secret with every attribute the fake can serve, for [`FakeInfisicalBuilder::secret_with`]
/// and [`FakeInfisical::put_secret`].
///
/// ```
/// use secrets_core::testing::FakeSecret;
///
/// let secret = FakeSecret::new("prod", "/backend", "DATABASE_URL", "postgres://db/app")
///     .comment("primary database")
///     .version(3)
///     .tag_with_color("database", "#2563eb")
///     .metadata("owner", "platform-team");
/// # let _ = secret;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FakeSecret {
    pub(crate) environment: String,
    pub(crate) path: String,
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) comment: String,
    pub(crate) version: Option<u32>,
    pub(crate) personal: bool,
    pub(crate) access: ValueAccess,
    pub(crate) skip_multiline_encoding: bool,
    pub(crate) tags: Vec<(String, Option<String>)>,
    pub(crate) metadata: Vec<(String, String)>,
    pub(crate) actor: Option<(String, String)>,
}

impl fmt::Debug for FakeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeSecret")
            .field("environment", &self.environment)
            .field("path", &self.path)
            .field("key", &self.key)
            .field("value", &"[REDACTED]")
            .field("personal", &self.personal)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

impl FakeSecret {
    /// A shared secret `key = value` in folder `path` of environment `environment`.
    pub fn new(
        environment: impl Into<String>,
        path: impl AsRef<str>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self {
            environment: environment.into(),
            path: util::normalize_path(path.as_ref()),
            key: key.into(),
            value: value.into(),
            comment: String::new(),
            version: None,
            personal: false,
            access: ValueAccess::Readable,
            skip_multiline_encoding: false,
            tags: Vec::new(),
            metadata: Vec::new(),
            actor: None,
        }
    }

    /// Makes it a personal override (`type: "personal"`) instead of a shared secret.
    #[must_use]
    pub fn personal(mut self) -> Self {
        self.personal = true;
        self
    }

    /// Lists it with `secretValue: "<hidden-by-infisical>"` and `secretValueHidden: true`, as
    /// for an identity that may describe but not read it. Current mode only: the 2024 server
    /// had no hidden values and serves the value.
    #[must_use]
    pub fn hidden(mut self) -> Self {
        self.access = ValueAccess::Hidden;
        self
    }

    /// Makes its value unreadable, as for an identity whose role may read every value of the
    /// folder but this one (a `readValue` permission with a `secretName` condition), in
    /// [`ServerMode::Current`] on both `/api/v4` and `/api/v3`:
    ///
    /// - a list that asks for values (`viewSecretValue` absent or `true`) and would hold it
    ///   answers the whole folder `403 PermissionDenied` "You are not allowed to readValue on
    ///   secrets";
    /// - a list with `viewSecretValue=false` serves every value hidden, as it always does;
    /// - a single get of it answers `403 ForbiddenReadSecretError`, or hidden with
    ///   `viewSecretValue=false`; the folder's other keys read as usual.
    ///
    /// The 2024 server had no such permission and serves the value.
    #[must_use]
    pub fn unreadable(mut self) -> Self {
        self.access = ValueAccess::Unreadable;
        self
    }

    /// Sets `secretComment`.
    #[must_use]
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = comment.into();
        self
    }

    /// Sets `version` (default 1; each later change adds one).
    #[must_use]
    pub fn version(mut self, version: u32) -> Self {
        self.version = Some(version);
        self
    }

    /// Sets `skipMultilineEncoding`: an expanded multi-line value is then served quoted, with
    /// its newlines escaped, as the real server does.
    #[must_use]
    pub fn skip_multiline_encoding(mut self, skip: bool) -> Self {
        self.skip_multiline_encoding = skip;
        self
    }

    /// Adds a tag (`slug` and `name` alike, `color: null`).
    #[must_use]
    pub fn tag(mut self, slug: impl Into<String>) -> Self {
        self.tags.push((slug.into(), None));
        self
    }

    /// Adds a tag with a colour such as `#2563eb`.
    #[must_use]
    pub fn tag_with_color(mut self, slug: impl Into<String>, color: impl Into<String>) -> Self {
        self.tags.push((slug.into(), Some(color.into())));
        self
    }

    /// Adds a `secretMetadata` entry (current mode).
    #[must_use]
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.push((key.into(), value.into()));
        self
    }

    /// Sets the last modifier shown as `actor` (current mode), e.g. `("identity", "backend")`.
    #[must_use]
    pub fn actor(mut self, actor_type: impl Into<String>, name: impl Into<String>) -> Self {
        self.actor = Some((actor_type.into(), name.into()));
        self
    }
}

/// Configures and starts a [`FakeInfisical`]; from [`FakeInfisical::builder`].
#[must_use = "call `.start().await` to run the server"]
pub struct FakeInfisicalBuilder {
    config: Config,
    state: State,
}

impl fmt::Debug for FakeInfisicalBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeInfisicalBuilder")
            .field("mode", &self.config.mode)
            .field("project_id", &self.config.project_id)
            .finish_non_exhaustive()
    }
}

impl FakeInfisicalBuilder {
    /// The server generation to imitate (default [`ServerMode::Current`]).
    pub fn mode(mut self, mode: ServerMode) -> Self {
        self.config.mode = mode;
        self
    }

    /// The project id (default [`DEFAULT_PROJECT_ID`]); other ids get `404`.
    pub fn project(mut self, project_id: impl Into<String>) -> Self {
        self.config.project_id = project_id.into();
        self
    }

    /// The project slug accepted as `workspaceSlug` on `/api/v3` (default
    /// [`DEFAULT_PROJECT_SLUG`]).
    pub fn project_slug(mut self, slug: impl Into<String>) -> Self {
        self.config.project_slug = slug.into();
        self
    }

    /// Adds a shared secret. The folder and its environment come into existence with it. Adding
    /// the same key again replaces the value and increases `version`.
    pub fn secret(
        self,
        environment: impl Into<String>,
        path: impl AsRef<str>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.secret_with(FakeSecret::new(environment, path, key, value))
    }

    /// Adds a secret listed as hidden (see [`FakeSecret::hidden`]).
    pub fn hidden_secret(
        self,
        environment: impl Into<String>,
        path: impl AsRef<str>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.secret_with(FakeSecret::new(environment, path, key, value).hidden())
    }

    /// Adds a secret whose value the identities may not read (see
    /// [`FakeSecret::unreadable`]).
    pub fn unreadable_secret(
        self,
        environment: impl Into<String>,
        path: impl AsRef<str>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.secret_with(FakeSecret::new(environment, path, key, value).unreadable())
    }

    /// Lets `identity` (a Universal Auth client id or a Kubernetes identity id) see `key` of
    /// that folder but not read its value, as a `readValue` permission with a `secretName`
    /// condition does; see [`FakeSecret::unreadable`] for the answers. Other identities read
    /// it as usual.
    pub fn unreadable_for(
        mut self,
        identity: impl Into<String>,
        environment: impl Into<String>,
        path: impl AsRef<str>,
        key: impl Into<String>,
    ) -> Self {
        self.state.unreadable.push((
            identity.into(),
            environment.into(),
            util::normalize_path(path.as_ref()),
            key.into(),
        ));
        self
    }

    /// Adds a personal override (`type: "personal"`) of a key.
    pub fn personal_secret(
        self,
        environment: impl Into<String>,
        path: impl AsRef<str>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.secret_with(FakeSecret::new(environment, path, key, value).personal())
    }

    /// Adds a secret with all its attributes.
    pub fn secret_with(mut self, secret: FakeSecret) -> Self {
        self.state.store.put(secret);
        self
    }

    /// Creates a folder (and its parents and environment), possibly left empty.
    pub fn folder(mut self, environment: impl Into<String>, path: impl AsRef<str>) -> Self {
        self.state
            .store
            .add_folder(&environment.into(), &util::normalize_path(path.as_ref()));
        self
    }

    /// Creates an environment with an empty root folder.
    pub fn environment(self, environment: impl Into<String>) -> Self {
        self.folder(environment, "/")
    }

    /// Makes folder `path` of `environment` import every shared secret of `from_path` of
    /// `from_environment`. Imports of a folder are listed in the order they were added; the
    /// server does not merge them, the client does (later imports win).
    pub fn import(
        mut self,
        environment: impl Into<String>,
        path: impl AsRef<str>,
        from_environment: impl Into<String>,
        from_path: impl AsRef<str>,
    ) -> Self {
        self.state.store.add_import(
            &environment.into(),
            &util::normalize_path(path.as_ref()),
            &from_environment.into(),
            &util::normalize_path(from_path.as_ref()),
        );
        self
    }

    /// Accepts a Universal Auth login with this client id and secret.
    pub fn universal_auth(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.state.auth.add_identity(Credential::Universal {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        });
        self
    }

    /// Accepts a Kubernetes login of this identity id with this service-account JWT.
    pub fn kubernetes_auth(
        mut self,
        identity_id: impl Into<String>,
        service_account_jwt: impl Into<String>,
    ) -> Self {
        self.state.auth.add_identity(Credential::Kubernetes {
            identity_id: identity_id.into(),
            jwt: service_account_jwt.into(),
        });
        self
    }

    /// Accepts this already-issued access token as `Authorization: Bearer <token>`. It does
    /// not expire unless [`FakeInfisical::expire_token`] says so.
    pub fn access_token(mut self, token: impl Into<String>) -> Self {
        self.state.auth.add_static_token(token.into());
        self
    }

    /// Accepts this legacy service token (`st.<id>.<secret>`, optionally with a fourth
    /// part). A token with the same id and another secret gets `401` "Invalid service token".
    pub fn service_token(mut self, token: impl Into<String>) -> Self {
        self.state.auth.add_service_token(&token.into());
        self
    }

    /// The TTL of issued tokens, reported as `expiresIn` (default 30 days, the API default).
    /// Whole seconds; a zero TTL never expires.
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.config.token_ttl = ttl;
        self
    }

    /// The max TTL of issued tokens, reported as `accessTokenMaxTTL` (default 30 days, or the
    /// TTL if larger). Renewing past it fails and deletes the token.
    pub fn token_max_ttl(mut self, max_ttl: Duration) -> Self {
        self.config.token_max_ttl = Some(max_ttl);
        self
    }

    /// A delay added before every response (changeable later with
    /// [`FakeInfisical::set_latency`]).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.state.latency = latency;
        self
    }

    /// In [`ServerMode::Legacy2024`], answer `/api/v4` requests with the HTML `404` page of
    /// the standalone Docker image (its bundled frontend) instead of Fastify's JSON `404`.
    pub fn html_404_for_unknown_routes(mut self, html: bool) -> Self {
        self.config.html_404 = html;
        self
    }

    /// The per-minute limits reported in `x-ratelimit-*` headers: `secrets` for the secret
    /// routes, `write` for logins, renew and revoke (default 40 and 200, the 2024
    /// self-hosted defaults).
    pub fn rate_limits(mut self, secrets: u32, write: u32) -> Self {
        self.config.rate_limit_secrets = secrets;
        self.config.rate_limit_write = write;
        self
    }

    /// Reject requests over the per-minute limits, as the real server does (default off:
    /// only the headers are sent).
    pub fn enforce_rate_limits(mut self, enforce: bool) -> Self {
        self.config.enforce_rate_limits = enforce;
        self
    }

    /// Binds `127.0.0.1` on an ephemeral port and serves on a task of the current Tokio
    /// runtime.
    ///
    /// # Panics
    /// If called outside a Tokio runtime, or if no local port can be bound.
    pub async fn start(self) -> FakeInfisical {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("FakeInfisical: cannot bind 127.0.0.1");
        let addr = listener
            .local_addr()
            .expect("FakeInfisical: no local address");
        let shared = Arc::new(Shared {
            config: self.config,
            state: Mutex::new(self.state),
        });
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        FakeInfisical {
            url: format!("http://{addr}"),
            addr,
            shared,
            task,
        }
    }
}

/// A running fake Infisical server; see the [module docs](crate::testing).
///
/// Dropping it stops the server and closes its connections.
pub struct FakeInfisical {
    url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
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
