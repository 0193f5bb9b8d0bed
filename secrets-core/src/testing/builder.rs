//! Seeding and configuring a fake before it starts: its data set, identities, token
//! lifetimes, latency and rate limits.

use std::fmt;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::state::{Config, Credential, Shared, State};
use super::{FakeInfisical, FakeSecret, ServerMode, server, util};

/// Configures and starts a [`FakeInfisical`]; from [`FakeInfisical::builder`].
#[must_use = "call `.start().await` to run the server"]
pub struct FakeInfisicalBuilder {
    pub(super) config: Config,
    pub(super) state: State,
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

    /// The project id (default [`DEFAULT_PROJECT_ID`](super::DEFAULT_PROJECT_ID)); other ids
    /// get `404`.
    pub fn project(mut self, project_id: impl Into<String>) -> Self {
        self.config.project_id = project_id.into();
        self
    }

    /// The project slug accepted as `workspaceSlug` on `/api/v3` (default
    /// [`DEFAULT_PROJECT_SLUG`](super::DEFAULT_PROJECT_SLUG)).
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
            connections: AtomicUsize::new(0),
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
