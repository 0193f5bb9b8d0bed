//! [`InfisicalClientBuilder`]: every setting of a client. Every check of them is in one
//! place, `check.rs` beside this file, run by [`build`](InfisicalClientBuilder::build) and by
//! `InfisicalClient::from_env`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use super::auth::Credentials;
use super::http::Settings;
use super::{InfisicalClient, config};
use crate::env::Env;
use crate::error::Error;

mod check;

pub(crate) use self::check::{Setting, SettingProblem};

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

    /// Authenticates with `credentials` as the `INFISICAL_*` variables give them.
    pub(super) fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
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
    /// [`StoreErrorKind::DeadlineExceeded`](crate::store::StoreErrorKind::DeadlineExceeded).
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

    /// Speaks HTTP/1.1 only, even to a server that offers HTTP/2: for a proxy or server that
    /// mishandles HTTP/2. By default (the default feature `http2`) an HTTPS server that offers
    /// HTTP/2 gets every request of a load on the connections already open; over HTTP/1.1
    /// each concurrent request needs a connection of its own, and a new one costs a TCP and a
    /// TLS handshake. Plain HTTP is always HTTP/1.1.
    #[must_use]
    pub fn http1_only(mut self) -> Self {
        self.settings.http1_only = true;
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
        self.checked().map_err(|problems| {
            Error::configuration(
                problems
                    .iter()
                    .map(|problem| format!("Infisical: {}", problem.in_code())),
            )
        })
    }
}
