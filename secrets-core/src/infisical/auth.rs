//! Credentials, login, and the one token a client shares between all its requests.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::sync::Mutex;
use tokio::time::Instant;
use zeroize::Zeroizing;

use super::api::LoginResponse;
use super::http::{Call, Reply, Transport, redirect_error, server_error, with_message};
use crate::error::{StoreError, StoreErrorKind};

/// Where the Kubernetes service-account token is mounted in a pod.
pub(crate) const DEFAULT_KUBERNETES_TOKEN_PATH: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";

/// Token and JWT files larger than this are not tokens.
const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// How a client gets its access token.
pub(crate) enum Credentials {
    /// A token issued elsewhere (Token Auth, a user session, an `st.` service token), already
    /// cut to what goes after `Bearer `.
    AccessToken(SecretString),
    /// A file holding the token, kept fresh by someone else (the Infisical agent's sink); read
    /// on first use and again when the server rejects the token.
    TokenFile(PathBuf),
    /// Universal Auth: client id and client secret.
    UniversalAuth {
        client_id: String,
        client_secret: SecretString,
    },
    /// Kubernetes auth: the identity id and the pod's service-account token file, read on
    /// every login (projected tokens rotate).
    Kubernetes {
        identity_id: String,
        token_path: PathBuf,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AccessToken(_) => f.write_str("AccessToken([REDACTED])"),
            Self::TokenFile(path) => f.debug_tuple("TokenFile").field(path).finish(),
            Self::UniversalAuth { client_id, .. } => f
                .debug_struct("UniversalAuth")
                .field("client_id", client_id)
                .field("client_secret", &"[REDACTED]")
                .finish(),
            Self::Kubernetes {
                identity_id,
                token_path,
            } => f
                .debug_struct("Kubernetes")
                .field("identity_id", identity_id)
                .field("token_path", token_path)
                .finish(),
        }
    }
}

impl Credentials {
    /// An access token as given: a legacy `st.<id>.<secret>.<key>` service token is sent as its
    /// first three parts only (the fourth is a local decryption key the server never needs).
    pub(crate) fn access_token(token: SecretString) -> Self {
        let text = token.expose_secret();
        let trimmed = text.trim();
        if trimmed.starts_with("st.") && trimmed.split('.').count() > 3 {
            let end = trimmed
                .match_indices('.')
                .nth(2)
                .map_or(trimmed.len(), |(i, _)| i);
            return Self::AccessToken(SecretString::from(&trimmed[..end]));
        }
        if trimmed.len() != text.len() {
            return Self::AccessToken(SecretString::from(trimmed));
        }
        Self::AccessToken(token)
    }

    /// The method's name in messages.
    pub(crate) fn method(&self) -> &'static str {
        match self {
            Self::AccessToken(_) => "access token",
            Self::TokenFile(_) => "token file",
            Self::UniversalAuth { .. } => "Universal Auth",
            Self::Kubernetes { .. } => "Kubernetes auth",
        }
    }

    /// Whether a rejected token can be replaced by another one.
    fn can_refresh(&self) -> bool {
        !matches!(self, Self::AccessToken(_))
    }
}

/// A token in use.
pub(crate) struct IssuedToken {
    bearer: SecretString,
    /// Bumped on every new token, so that requests rejected together refresh once.
    generation: u64,
    // Kept for renewal (a later feature): when the token was obtained, how long it lives and
    // how long it can be renewed, as the login response said.
    obtained_at: Instant,
    expires_in: Option<Duration>,
    #[allow(
        dead_code,
        reason = "read by token renewal, which is not implemented yet"
    )]
    max_ttl: Option<Duration>,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("bearer", &"[REDACTED]")
            .field("generation", &self.generation)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

impl IssuedToken {
    pub(crate) fn bearer(&self) -> &str {
        self.bearer.expose_secret()
    }

    /// Whether the token is at (or within a quarter of its lifetime, at most 10 s, of) its
    /// expiry, so that a new one should be obtained before using it.
    fn is_stale(&self, now: Instant) -> bool {
        self.expires_in.is_some_and(|ttl| {
            let margin = (ttl / 4).min(Duration::from_secs(10));
            now + margin >= self.obtained_at + ttl
        })
    }
}

/// A token as obtained, before it gets a generation.
struct Obtained {
    bearer: SecretString,
    expires_in: Option<Duration>,
    max_ttl: Option<Duration>,
}

/// What a login needs: the transport, the server and the credentials.
pub(crate) struct Login<'a> {
    pub(crate) transport: &'a Transport,
    pub(crate) base: &'a str,
    pub(crate) credentials: &'a Credentials,
}

impl Login<'_> {
    async fn obtain(&self, deadline: Instant) -> Result<Obtained, StoreError> {
        match self.credentials {
            Credentials::AccessToken(token) => Ok(Obtained {
                bearer: token.clone(),
                expires_in: None,
                max_ttl: None,
            }),
            Credentials::TokenFile(path) => Ok(Obtained {
                bearer: read_token_file(path, "token file").await?,
                expires_in: None,
                max_ttl: None,
            }),
            Credentials::UniversalAuth {
                client_id,
                client_secret,
            } => {
                #[derive(Serialize)]
                #[serde(rename_all = "camelCase")]
                struct Body<'a> {
                    client_id: &'a str,
                    client_secret: &'a str,
                }
                let body = Body {
                    client_id,
                    client_secret: client_secret.expose_secret(),
                };
                self.post("/api/v1/auth/universal-auth/login", &body, deadline)
                    .await
            }
            Credentials::Kubernetes {
                identity_id,
                token_path,
            } => {
                #[derive(Serialize)]
                #[serde(rename_all = "camelCase")]
                struct Body<'a> {
                    identity_id: &'a str,
                    jwt: &'a str,
                }
                let jwt = read_token_file(token_path, "Kubernetes service-account token").await?;
                let body = Body {
                    identity_id,
                    jwt: jwt.expose_secret(),
                };
                self.post("/api/v1/auth/kubernetes-auth/login", &body, deadline)
                    .await
            }
        }
    }

    async fn post(
        &self,
        route: &str,
        body: &impl Serialize,
        deadline: Instant,
    ) -> Result<Obtained, StoreError> {
        let method = self.credentials.method();
        let json = Zeroizing::new(serde_json::to_vec(body).map_err(|_| {
            StoreError::new(
                StoreErrorKind::BadRequest,
                "could not encode the login request",
            )
        })?);
        let url = format!("{}{route}", self.base);
        let reply = self
            .transport
            .send(
                Call::Login(method),
                || {
                    self.transport
                        .http()
                        .post(&url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(json.to_vec())
                },
                deadline,
            )
            .await?;
        login_result(&reply, method)
    }
}

/// A login reply as a token or an error. A login rejected with 401/403/404 is never retried:
/// current servers lock an identity out after a few failed logins.
fn login_result(reply: &Reply, method: &'static str) -> Result<Obtained, StoreError> {
    let status = reply.status;
    if (200..300).contains(&status) {
        let login: LoginResponse = serde_json::from_slice(&reply.body).map_err(|e| {
            StoreError::new(
                StoreErrorKind::InvalidResponse,
                format!(
                    "the {method} login response was not understood (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
            .with_status(status)
        })?;
        if login.access_token.expose_secret().is_empty() {
            return Err(StoreError::new(
                StoreErrorKind::InvalidResponse,
                format!("the {method} login response held an empty token"),
            )
            .with_status(status));
        }
        let seconds = |s: Option<u64>| s.filter(|s| *s > 0).map(Duration::from_secs);
        return Ok(Obtained {
            expires_in: seconds(login.expires_in),
            max_ttl: seconds(login.access_token_max_ttl),
            bearer: login.access_token,
        });
    }
    if (300..400).contains(&status) {
        return Err(redirect_error(reply));
    }
    let info = reply.error_info();
    let said = info
        .message
        .clone()
        .unwrap_or_else(|| "no reason given".to_owned());
    let (kind, message) = if info.route_missing {
        (
            StoreErrorKind::InvalidResponse,
            format!("the server has no {method} login route: check the Infisical URL"),
        )
    } else if info.is_named("ValidationFailure") || matches!(status, 400 | 422) {
        (
            StoreErrorKind::BadRequest,
            format!("{method} login refused the request: {said}"),
        )
    } else if matches!(status, 401 | 403 | 404) {
        (
            StoreErrorKind::Unauthorized,
            format!("{method} login rejected: {said}"),
        )
    } else if status == 429 || (status == 500 && reply.retry_after.is_some()) {
        (
            StoreErrorKind::Throttled,
            format!("{method} login rate limited: {said}"),
        )
    } else if status >= 500 {
        (
            StoreErrorKind::Server,
            format!("{method} login failed: {said}"),
        )
    } else {
        (
            StoreErrorKind::BadRequest,
            format!("{method} login failed: {said}"),
        )
    };
    Err(with_message(
        &server_error(kind, status, &info, ""),
        message,
    ))
}

/// Reads a token file: trimmed, non-empty, at most 64 KiB, wiped buffers.
async fn read_token_file(path: &Path, what: &str) -> Result<SecretString, StoreError> {
    let unreadable = |reason: String| {
        StoreError::new(
            StoreErrorKind::Unauthorized,
            format!("cannot read the {what} {}: {reason}", path.display()),
        )
    };
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| unreadable(e.kind().to_string()))?;
    if meta.len() > MAX_TOKEN_FILE_BYTES {
        return Err(unreadable(format!(
            "larger than {MAX_TOKEN_FILE_BYTES} bytes"
        )));
    }
    let bytes = Zeroizing::new(
        tokio::fs::read(path)
            .await
            .map_err(|e| unreadable(e.kind().to_string()))?,
    );
    let text = std::str::from_utf8(&bytes).map_err(|_| unreadable("not UTF-8".to_owned()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(unreadable("the file is empty".to_owned()));
    }
    Ok(SecretString::from(token))
}

/// The client's token, shared by all its requests: concurrent first uses share one login, and
/// requests rejected together share one re-login.
#[derive(Default)]
pub(crate) struct TokenHolder {
    state: Mutex<TokenState>,
}

#[derive(Default)]
struct TokenState {
    current: Option<Arc<IssuedToken>>,
    generation: u64,
    /// A failed login, kept for the rest of its load (`epoch`): the other folders of that load
    /// get the same error instead of logging in again, which would risk a lockout.
    failed: Option<(u64, StoreError)>,
}

impl fmt::Debug for TokenHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHolder([REDACTED])")
    }
}

impl TokenHolder {
    /// The current token, logging in first if there is none or it is about to expire.
    pub(crate) async fn current(
        &self,
        epoch: u64,
        login: &Login<'_>,
        deadline: Instant,
    ) -> Result<Arc<IssuedToken>, StoreError> {
        let mut state = self.state.lock().await;
        if let Some((failed_epoch, error)) = &state.failed
            && *failed_epoch == epoch
        {
            return Err(error.clone());
        }
        if let Some(token) = &state.current
            && (!login.credentials.can_refresh() || !token.is_stale(Instant::now()))
        {
            return Ok(Arc::clone(token));
        }
        Self::obtain(&mut state, epoch, login, deadline).await
    }

    /// A replacement for `rejected`: the token another request already got, or a new login
    /// (a new read of the token file). `None` when there is nothing new to try: a fixed
    /// access token, or a token file that still holds the rejected token.
    pub(crate) async fn refresh(
        &self,
        rejected: &IssuedToken,
        epoch: u64,
        login: &Login<'_>,
        deadline: Instant,
    ) -> Result<Option<Arc<IssuedToken>>, StoreError> {
        if !login.credentials.can_refresh() {
            return Ok(None);
        }
        let mut state = self.state.lock().await;
        if let Some((failed_epoch, error)) = &state.failed
            && *failed_epoch == epoch
        {
            return Err(error.clone());
        }
        if let Some(token) = &state.current
            && token.generation != rejected.generation
        {
            return Ok(Some(Arc::clone(token)));
        }
        if let Credentials::TokenFile(path) = login.credentials {
            let bearer = read_token_file(path, "token file").await?;
            if bearer.expose_secret() == rejected.bearer() {
                return Ok(None);
            }
            return Ok(Some(Self::install(
                &mut state,
                Obtained {
                    bearer,
                    expires_in: None,
                    max_ttl: None,
                },
            )));
        }
        tracing::debug!(
            target: "secrets_core::infisical",
            method = login.credentials.method(),
            "Infisical rejected the access token (expired or revoked); logging in again"
        );
        Self::obtain(&mut state, epoch, login, deadline)
            .await
            .map(Some)
    }

    async fn obtain(
        state: &mut TokenState,
        epoch: u64,
        login: &Login<'_>,
        deadline: Instant,
    ) -> Result<Arc<IssuedToken>, StoreError> {
        match login.obtain(deadline).await {
            Ok(obtained) => Ok(Self::install(state, obtained)),
            Err(error) => {
                state.failed = Some((epoch, error.clone()));
                Err(error)
            }
        }
    }

    fn install(state: &mut TokenState, obtained: Obtained) -> Arc<IssuedToken> {
        state.generation += 1;
        let token = Arc::new(IssuedToken {
            bearer: obtained.bearer,
            generation: state.generation,
            obtained_at: Instant::now(),
            expires_in: obtained.expires_in,
            max_ttl: obtained.max_ttl,
        });
        state.current = Some(Arc::clone(&token));
        state.failed = None;
        token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infisical::api::tests::recording;

    fn reply_of(name: &str) -> Reply {
        let r = recording(name);
        Reply {
            status: r.status,
            retry_after: r
                .header("retry-after")
                .and_then(super::super::api::parse_retry_after),
            location_host: None,
            is_html: false,
            body: Zeroizing::new(r.body.into_bytes()),
        }
    }

    #[test]
    fn service_tokens_are_cut_to_three_parts() {
        let Credentials::AccessToken(t) = Credentials::access_token("st.id.secret.key".into())
        else {
            unreachable!()
        };
        assert_eq!(t.expose_secret(), "st.id.secret");
        let Credentials::AccessToken(t) = Credentials::access_token(" st.id.secret ".into()) else {
            unreachable!()
        };
        assert_eq!(t.expose_secret(), "st.id.secret");
        let Credentials::AccessToken(t) = Credentials::access_token("eyJ.a.b".into()) else {
            unreachable!()
        };
        assert_eq!(t.expose_secret(), "eyJ.a.b");
    }

    #[test]
    fn credentials_debug_redacts() {
        let sentinel = "SENTINEL-7f3a";
        for credentials in [
            Credentials::access_token(sentinel.into()),
            Credentials::UniversalAuth {
                client_id: "client".to_owned(),
                client_secret: SecretString::from(sentinel),
            },
        ] {
            let shown = format!("{credentials:?}");
            assert!(!shown.contains(sentinel), "{shown}");
            assert!(shown.contains("[REDACTED]"), "{shown}");
        }
    }

    #[test]
    fn login_replies_are_classified() {
        let ok = login_result(&reply_of("v02-ua-login"), "Universal Auth").unwrap();
        assert_eq!(ok.expires_in, Some(Duration::from_hours(720)));
        let cases = [
            (
                "v03-ua-login-wrong-client-secret",
                StoreErrorKind::Unauthorized,
            ),
            (
                "v04-ua-login-unknown-client-id",
                StoreErrorKind::Unauthorized,
            ),
            (
                "v05-ua-login-missing-client-secret",
                StoreErrorKind::BadRequest,
            ),
            ("v60-token-renew", StoreErrorKind::Unauthorized),
            ("v85-token-renew-expired", StoreErrorKind::Unauthorized),
            (
                "v70-ratelimit-exceeded-returns-500",
                StoreErrorKind::Throttled,
            ),
            ("v50-v4-secrets-list", StoreErrorKind::InvalidResponse),
        ];
        for (name, kind) in cases {
            let error = login_result(&reply_of(name), "Universal Auth")
                .err()
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(error.kind(), kind, "{name}: {error}");
        }
        let e = login_result(
            &reply_of("v03-ua-login-wrong-client-secret"),
            "Universal Auth",
        )
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "Infisical answered 401 UnauthorizedError: Universal Auth login rejected: Invalid credentials"
        );
    }

    #[test]
    fn staleness_leaves_room_for_short_tokens() {
        let now = Instant::now();
        let token = |ttl: Option<u64>| IssuedToken {
            bearer: SecretString::from("t"),
            generation: 1,
            obtained_at: now,
            expires_in: ttl.map(Duration::from_secs),
            max_ttl: None,
        };
        assert!(!token(None).is_stale(now + Duration::from_secs(1_000_000)));
        assert!(!token(Some(5)).is_stale(now + Duration::from_secs(3)));
        assert!(token(Some(5)).is_stale(now + Duration::from_secs(4)));
        assert!(!token(Some(7200)).is_stale(now + Duration::from_secs(7000)));
        assert!(token(Some(7200)).is_stale(now + Duration::from_secs(7191)));
    }
}
