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
use super::classify;
use super::http::{Call, Counters, Reply, Transport};
use super::text::Redactions;
use crate::error::{StoreError, StoreErrorKind};
use crate::file;

/// Where the Kubernetes service-account token is mounted in a pod.
pub(crate) const DEFAULT_KUBERNETES_TOKEN_PATH: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/token";

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

    /// Adds the secrets given in code (a client secret, an access token) to `redactions`.
    pub(crate) fn redact<'a>(&'a self, redactions: &mut Redactions<'a>) {
        match self {
            Self::AccessToken(token) => redactions.add(token.expose_secret()),
            Self::UniversalAuth { client_secret, .. } => {
                redactions.add(client_secret.expose_secret());
            }
            Self::TokenFile(_) | Self::Kubernetes { .. } => {}
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
    /// Bumped on every new token string, so that requests rejected together refresh once.
    generation: u64,
    /// When the login that issued it was sent: the max TTL counts from there, renewals or not.
    logged_in_at: Instant,
    /// When it was obtained or last renewed (the request was sent, so our clock runs ahead of
    /// the server's): the TTL counts from there.
    renewed_at: Instant,
    /// How long it lives after each renewal, as the login or renew response said.
    expires_in: Option<Duration>,
    /// How long after the login it can be renewed at most.
    max_ttl: Option<Duration>,
    /// Issued by a login here, so `/api/v1/auth/token/renew` applies; a token given in code or
    /// read from a file is someone else's to renew.
    renewable: bool,
}

/// What to do with the held token before a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    Use,
    Renew,
    Login,
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

    /// What to do before using the token at `now`:
    /// - at (or within a quarter of its TTL, at most 10 s, of) its end, whether the TTL or the
    ///   max TTL ends it: log in again, since a renewal would race the expiry;
    /// - past half its TTL since the last renewal: renew it, unless the renewed token would
    ///   outlive the max TTL, which the server refuses by deleting the token (recording v60):
    ///   log in again instead;
    /// - otherwise use it.
    ///
    /// Renewing at half the TTL leaves the other half for the next request to come, so a
    /// client that lists every few minutes keeps a token with a TTL of a few minutes alive.
    ///
    /// The arithmetic is on the time elapsed since the login and the last renewal, saturating:
    /// a server may send any `expiresIn` or `accessTokenMaxTTL` up to `u64::MAX` seconds, and
    /// `Instant + Duration` panics past the clock's range.
    pub(super) fn plan(&self, now: Instant) -> Plan {
        self.plan_after(
            now.saturating_duration_since(self.logged_in_at),
            now.saturating_duration_since(self.renewed_at),
        )
    }

    /// [`plan`](Self::plan) given the time since the login and since the last renewal.
    pub(super) fn plan_after(&self, since_login: Duration, since_renewal: Duration) -> Plan {
        let to_ceiling = self.max_ttl.map(|max| max.saturating_sub(since_login));
        let to_expiry = self.expires_in.map(|ttl| ttl.saturating_sub(since_renewal));
        let left = match (to_expiry, to_ceiling) {
            (None, None) => return Plan::Use,
            (Some(left), None) | (None, Some(left)) => left,
            (Some(a), Some(b)) => a.min(b),
        };
        let lifetime = self.expires_in.or(self.max_ttl).unwrap_or_default();
        let margin = safety_margin(lifetime);
        if left <= margin {
            return Plan::Login;
        }
        let Some(ttl) = self.expires_in.filter(|_| self.renewable) else {
            return Plan::Use;
        };
        if since_renewal < ttl / 2 {
            return Plan::Use;
        }
        if self
            .max_ttl
            .is_some_and(|max| since_login.saturating_add(ttl).saturating_add(margin) > max)
        {
            return Plan::Login;
        }
        Plan::Renew
    }
}

/// How early to act before a token's end: a quarter of its lifetime, at most 10 s, for the
/// request on the way and the clocks' disagreement.
fn safety_margin(lifetime: Duration) -> Duration {
    (lifetime / 4).min(Duration::from_secs(10))
}

/// A token as obtained, before it gets a generation.
struct Obtained {
    bearer: SecretString,
    expires_in: Option<Duration>,
    max_ttl: Option<Duration>,
    renewable: bool,
}

/// What a login needs: the transport, the server and the credentials, and what the server's
/// text must not repeat.
pub(crate) struct Login<'a> {
    pub(crate) transport: &'a Transport,
    pub(crate) base: &'a str,
    pub(crate) credentials: &'a Credentials,
    /// The credentials' secrets and the values the client holds.
    pub(crate) redactions: &'a Redactions<'a>,
}

impl Login<'_> {
    async fn obtain(&self, deadline: Instant) -> Result<Obtained, StoreError> {
        match self.credentials {
            Credentials::AccessToken(token) => Ok(Obtained::fixed(token.clone())),
            Credentials::TokenFile(path) => {
                Ok(Obtained::fixed(read_token_file(path, "token file").await?))
            }
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
                // The client secret is among the credentials' redactions already.
                self.login(
                    "/api/v1/auth/universal-auth/login",
                    &body,
                    deadline,
                    self.redactions,
                )
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
                let jwt = read_token_file(token_path, "Kubernetes service-account token")
                    .await
                    .map_err(|e| e.with_call(Call::Login(self.credentials.method()).into()))?;
                let body = Body {
                    identity_id,
                    jwt: jwt.expose_secret(),
                };
                let mut redactions = self.redactions.clone();
                redactions.add(jwt.expose_secret());
                self.login(
                    "/api/v1/auth/kubernetes-auth/login",
                    &body,
                    deadline,
                    &redactions,
                )
                .await
            }
        }
    }

    async fn login(
        &self,
        route: &str,
        body: &impl Serialize,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<Obtained, StoreError> {
        let method = self.credentials.method();
        Counters::bump(&self.transport.counters().logins);
        self.post(Call::Login(method), route, body, deadline, redactions)
            .await
    }

    /// `POST /api/v1/auth/token/renew`: the same token with a new TTL (2024 servers) or a new
    /// token (current servers), either way the one to use from now on.
    async fn renew(&self, token: &IssuedToken, deadline: Instant) -> Result<Obtained, StoreError> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Body<'a> {
            access_token: &'a str,
        }
        Counters::bump(&self.transport.counters().renewals);
        let body = Body {
            access_token: token.bearer(),
        };
        let mut redactions = self.redactions.clone();
        redactions.add(token.bearer());
        self.post(
            Call::Renew,
            "/api/v1/auth/token/renew",
            &body,
            deadline,
            &redactions,
        )
        .await
    }

    /// Sends a login or renewal; its errors say it was that call, not the folder's listing.
    async fn post(
        &self,
        call: Call,
        route: &str,
        body: &impl Serialize,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<Obtained, StoreError> {
        let json = Zeroizing::new(serde_json::to_vec(body).map_err(|_| {
            StoreError::new(StoreErrorKind::BadRequest, "could not encode the request")
                .with_call(call.into())
        })?);
        let url = format!("{}{route}", self.base);
        let reply = self
            .transport
            .send(
                call,
                || {
                    self.transport
                        .http()
                        .post(&url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(json.to_vec())
                },
                deadline,
                redactions,
            )
            .await
            .map_err(|e| e.with_call(call.into()))?;
        token_result(&reply, call, redactions)
    }
}

impl Obtained {
    /// A token issued elsewhere: no TTL known, not ours to renew.
    fn fixed(bearer: SecretString) -> Self {
        Self {
            bearer,
            expires_in: None,
            max_ttl: None,
            renewable: false,
        }
    }
}

/// A login reply as a token or an error. A login rejected with 401/403/404 is never retried:
/// current servers lock an identity out after a few failed logins.
#[cfg(test)]
fn login_result(reply: &Reply, method: &'static str) -> Result<Obtained, StoreError> {
    token_result(reply, Call::Login(method), &Redactions::default())
}

/// The token a `200` login reply with `body` makes, as a client holds it after logging in
/// at `now`.
#[cfg(test)]
pub(super) fn token_from_login_body(
    body: &[u8],
    now: Instant,
) -> Result<Arc<IssuedToken>, StoreError> {
    let reply = Reply {
        status: 200,
        retry_after: None,
        location_host: None,
        is_html: false,
        etag: None,
        body: Zeroizing::new(body.to_vec()),
    };
    let obtained = token_result(
        &reply,
        Call::Login("Universal Auth"),
        &Redactions::default(),
    )?;
    Ok(TokenHolder::install(
        &mut TokenState::default(),
        obtained,
        now,
        now,
    ))
}

/// A login or renew reply as a token or an error of that `call`, with `redactions` scrubbed
/// from what the server said.
fn token_result(
    reply: &Reply,
    call: Call,
    redactions: &Redactions<'_>,
) -> Result<Obtained, StoreError> {
    token_reply(reply, call, redactions).map_err(|e| e.with_call(call.into()))
}

fn token_reply(
    reply: &Reply,
    call: Call,
    redactions: &Redactions<'_>,
) -> Result<Obtained, StoreError> {
    let status = reply.status;
    if (200..300).contains(&status) {
        let login: LoginResponse = serde_json::from_slice(&reply.body)
            .map_err(|e| StoreError::unparsed("the response", &e, status))?;
        if login.access_token.expose_secret().is_empty() {
            return Err(StoreError::invalid_response(
                "the response held an empty token",
                status,
            ));
        }
        // The token goes into every request's `Authorization` header: a CR, LF or other control
        // byte there would make each request fail to build (and be retried as a transport
        // error). The token itself is never shown.
        if reqwest::header::HeaderValue::from_str(login.access_token.expose_secret()).is_err() {
            return Err(StoreError::invalid_response(
                format!(
                    "the {call} response held an invalid access token (a control character such as CR or LF, not allowed in an HTTP header)"
                ),
                status,
            ));
        }
        // `0` means no limit.
        let ttl = |s: Option<u64>| s.filter(|s| *s > 0).map(Duration::from_secs);
        return Ok(Obtained {
            expires_in: ttl(login.expires_in),
            max_ttl: ttl(login.access_token_max_ttl),
            bearer: login.access_token,
            renewable: true,
        });
    }
    Err(classify::token_failure(reply, call, redactions))
}

/// Reads a token file: trimmed, non-empty, at most [`file::TOKEN_FILE_MAX`] bytes, wiped
/// buffers; off the runtime's threads, and within the startup deadline of the fetch awaiting it.
async fn read_token_file(path: &Path, what: &str) -> Result<SecretString, StoreError> {
    let unreadable = |reason: String| {
        StoreError::new(
            StoreErrorKind::Unauthorized,
            format!("cannot read the {what} {}: {reason}", path.display()),
        )
    };
    let bytes = file::read_off_thread(path.to_owned(), file::TOKEN_FILE_MAX)
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| unreadable("not UTF-8".to_owned()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(unreadable("the file is empty".to_owned()));
    }
    Ok(SecretString::from(token))
}

/// The client's token, shared by all its requests: concurrent first uses share one login,
/// requests that find it due for renewal share one renewal, and requests rejected together
/// share one re-login.
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
    /// The load in which the token file was last read: it is read again once per load, so a
    /// token the Infisical agent rewrote is used before the old one is rejected.
    file_read: u64,
}

impl fmt::Debug for TokenHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHolder([REDACTED])")
    }
}

impl TokenHolder {
    /// The token to use now: logging in first if there is none or it is about to expire,
    /// renewing it past half its TTL (see [`IssuedToken::plan`]), re-reading a token file
    /// once per load.
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
        let Some(token) = state.current.clone() else {
            return Self::obtain(&mut state, epoch, login, deadline).await;
        };
        if let Credentials::TokenFile(path) = login.credentials
            && state.file_read != epoch
        {
            state.file_read = epoch;
            // Unreadable now: keep the token held; a rejection reads the file again and reports.
            if let Ok(bearer) = read_token_file(path, "token file").await
                && bearer.expose_secret() != token.bearer()
            {
                let now = Instant::now();
                return Ok(Self::install(&mut state, Obtained::fixed(bearer), now, now));
            }
        }
        if !login.credentials.can_refresh() {
            return Ok(token);
        }
        match token.plan(Instant::now()) {
            Plan::Use => Ok(token),
            Plan::Renew => Self::renew(&mut state, &token, epoch, login, deadline).await,
            Plan::Login => Self::obtain(&mut state, epoch, login, deadline).await,
        }
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
            state.file_read = epoch;
            let bearer = read_token_file(path, "token file").await?;
            if bearer.expose_secret() == rejected.bearer() {
                return Ok(None);
            }
            let now = Instant::now();
            return Ok(Some(Self::install(
                &mut state,
                Obtained::fixed(bearer),
                now,
                now,
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
        let sent_at = Instant::now();
        if matches!(login.credentials, Credentials::TokenFile(_)) {
            state.file_read = epoch;
        }
        match login.obtain(deadline).await {
            Ok(obtained) => Ok(Self::install(state, obtained, sent_at, sent_at)),
            Err(error) => {
                state.failed = Some((epoch, error.clone()));
                Err(error)
            }
        }
    }

    /// Renews `token`; a refused renewal means a new login, any other failure keeps the token
    /// for the time it has left.
    async fn renew(
        state: &mut TokenState,
        token: &Arc<IssuedToken>,
        epoch: u64,
        login: &Login<'_>,
        deadline: Instant,
    ) -> Result<Arc<IssuedToken>, StoreError> {
        let sent_at = Instant::now();
        match login.renew(token, deadline).await {
            Ok(renewed) => Ok(Self::install(state, renewed, token.logged_in_at, sent_at)),
            Err(error) if error.kind() == StoreErrorKind::Unauthorized => {
                // A 2024 server deletes a token whose renewal it refused (recordings v60, v64),
                // so the token is no use any more, even with time left.
                tracing::debug!(
                    target: "secrets_core::infisical",
                    method = login.credentials.method(),
                    "Infisical refused to renew the access token; logging in again"
                );
                state.current = None;
                Self::obtain(state, epoch, login, deadline).await
            }
            Err(error) => {
                tracing::debug!(
                    target: "secrets_core::infisical",
                    method = login.credentials.method(),
                    status = error.status(),
                    "could not renew the Infisical access token, using it while it lasts: {}",
                    error.message().unwrap_or("no reason given")
                );
                Ok(Arc::clone(token))
            }
        }
    }

    /// Puts `obtained` in place. A new token string gets a new generation; a renewal that
    /// returned the same string (2024 servers) keeps it, so a later rejection of that string
    /// still leads to a login rather than to a retry with the same token.
    fn install(
        state: &mut TokenState,
        obtained: Obtained,
        logged_in_at: Instant,
        renewed_at: Instant,
    ) -> Arc<IssuedToken> {
        let same = state
            .current
            .as_ref()
            .is_some_and(|t| t.bearer() == obtained.bearer.expose_secret());
        if !same {
            state.generation += 1;
        }
        let token = Arc::new(IssuedToken {
            bearer: obtained.bearer,
            generation: state.generation,
            logged_in_at,
            renewed_at,
            expires_in: obtained.expires_in,
            max_ttl: obtained.max_ttl,
            renewable: obtained.renewable,
        });
        state.current = Some(Arc::clone(&token));
        state.failed = None;
        token
    }

    /// Moves the held token's clock back by `by`, as if it had been obtained (and last
    /// renewed) that much earlier.
    #[cfg(test)]
    pub(crate) async fn age(&self, by: Duration) {
        let mut state = self.state.lock().await;
        if let Some(token) = state.current.take() {
            let token = Arc::try_unwrap(token).unwrap_or_else(|shared| IssuedToken {
                bearer: shared.bearer.clone(),
                ..*shared
            });
            let back = |at: Instant| at.checked_sub(by).expect("the clock goes back that far");
            state.current = Some(Arc::new(IssuedToken {
                logged_in_at: back(token.logged_in_at),
                renewed_at: back(token.renewed_at),
                ..token
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StoreCall;
    use crate::infisical::tests::recordings::recording;

    fn reply_of(name: &str) -> Reply {
        let r = recording(name);
        Reply {
            status: r.status,
            retry_after: r
                .header("retry-after")
                .and_then(crate::infisical::text::parse_retry_after),
            location_host: None,
            is_html: false,
            etag: r.header("etag").map(str::to_owned),
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
    fn login_and_renew_replies_of_2025_are_classified() {
        use crate::infisical::tests::recordings::reply_2025;
        let ok = login_result(&reply_2025("v80-ua-login-short-ttl"), "Universal Auth").unwrap();
        assert_eq!(ok.expires_in, Some(Duration::from_secs(5)));
        let renewed = login_result(&reply_2025("v81-token-renew-ok"), "token renewal").unwrap();
        assert_eq!(renewed.expires_in, Some(Duration::from_secs(5)));
        let cases = [
            (
                "v03-ua-login-wrong-client-secret",
                StoreErrorKind::Unauthorized,
                401,
            ),
            (
                "v04-ua-login-unknown-client-id",
                StoreErrorKind::Unauthorized,
                404,
            ),
            (
                "v05-ua-login-missing-client-secret",
                StoreErrorKind::BadRequest,
                422,
            ),
            (
                "v60-token-renew-ttl-equals-max",
                StoreErrorKind::Unauthorized,
                401,
            ),
            ("v85-token-renew-expired", StoreErrorKind::Unauthorized, 403),
        ];
        for (name, kind, status) in cases {
            let error = login_result(&reply_2025(name), "Universal Auth")
                .err()
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(error.kind(), kind, "{name}: {error}");
            assert_eq!(error.status(), Some(status), "{name}");
            assert!(
                error.req_id().is_some_and(|id| id.starts_with("req-")),
                "{name}"
            );
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
        .unwrap()
        .with_store("Infisical");
        assert_eq!(
            e.to_string(),
            "Infisical Universal Auth login failed: 401 UnauthorizedError: Invalid credentials"
        );
        assert_eq!(
            e.call(),
            StoreCall::Login {
                method: "Universal Auth"
            }
        );
        // With the folder attached, as the loader does: still the login, not the folder.
        let e = e.with_folder(crate::source::Folder::new("prod", "/openfga"));
        assert!(!e.to_string().contains("prod:/openfga"), "{e}");
        let renewal = token_result(
            &reply_of("v60-token-renew"),
            Call::Renew,
            &Redactions::default(),
        )
        .err()
        .unwrap()
        .with_store("Infisical");
        assert_eq!(renewal.call(), StoreCall::Renewal);
        assert!(
            renewal
                .to_string()
                .starts_with("Infisical token renewal failed: 401 UnauthorizedError: "),
            "{renewal}"
        );
    }

    fn token(ttl: Option<u64>, max_ttl: Option<u64>, at: Instant) -> IssuedToken {
        IssuedToken {
            bearer: SecretString::from("t"),
            generation: 1,
            logged_in_at: at,
            renewed_at: at,
            expires_in: ttl.map(Duration::from_secs),
            max_ttl: max_ttl.map(Duration::from_secs),
            renewable: true,
        }
    }

    #[test]
    fn tokens_are_used_then_renewed_then_replaced() {
        let now = Instant::now();
        let secs = |s: u64| now + Duration::from_secs(s);
        assert_eq!(token(None, None, now).plan(secs(1_000_000)), Plan::Use);
        // Short TTL: renewal from half the TTL, a login within a quarter of it of the end.
        let short = token(Some(8), Some(3600), now);
        assert_eq!(short.plan(secs(3)), Plan::Use);
        assert_eq!(short.plan(secs(4)), Plan::Renew);
        assert_eq!(short.plan(secs(6)), Plan::Login);
        // Long TTL: the margin before the end is at most 10 s.
        let long = token(Some(7200), Some(86_400), now);
        assert_eq!(long.plan(secs(3599)), Plan::Use);
        assert_eq!(long.plan(secs(3600)), Plan::Renew);
        assert_eq!(long.plan(secs(7189)), Plan::Renew);
        assert_eq!(long.plan(secs(7190)), Plan::Login);
    }

    #[test]
    fn no_renewal_past_the_max_ttl() {
        let now = Instant::now();
        let secs = |s: u64| now + Duration::from_secs(s);
        // Renewed at 60 s of a 100 s max TTL: a renewal at 90 s would reach 150 s.
        let renewed = IssuedToken {
            renewed_at: secs(60),
            ..token(Some(60), Some(100), now)
        };
        assert_eq!(renewed.plan(secs(80)), Plan::Use);
        assert_eq!(renewed.plan(secs(90)), Plan::Login);
        // TTL equal to the max TTL (recording v60): never renewable, replaced near its end.
        let capped = token(Some(40), Some(40), now);
        assert_eq!(capped.plan(secs(25)), Plan::Login);
        assert_eq!(capped.plan(secs(19)), Plan::Use);
        // Only a max TTL: used until near it.
        let max_only = token(None, Some(40), now);
        assert_eq!(max_only.plan(secs(29)), Plan::Use);
        assert_eq!(max_only.plan(secs(30)), Plan::Login);
    }

    #[test]
    fn tokens_from_elsewhere_are_never_renewed() {
        let now = Instant::now();
        let given = IssuedToken {
            renewable: false,
            ..token(Some(60), None, now)
        };
        assert_eq!(given.plan(now + Duration::from_secs(40)), Plan::Use);
        assert_eq!(given.plan(now + Duration::from_secs(50)), Plan::Login);
    }
}
