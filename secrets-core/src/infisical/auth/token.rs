//! The one token a client shares between all its requests: when to use, renew or replace it
//! (the plan), and the holder that makes concurrent requests share one login or renewal.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;

#[cfg(test)]
use super::{Call, Redactions, Reply, token_result};
use super::{Credentials, Login, Obtained, read_token_file};
use crate::error::{StoreError, StoreErrorKind};

/// A token in use.
pub(crate) struct IssuedToken {
    pub(super) bearer: SecretString,
    /// Bumped on every new token string, so that requests rejected together refresh once.
    pub(super) generation: u64,
    /// When the login that issued it was sent: the max TTL counts from there, renewals or not.
    pub(super) logged_in_at: Instant,
    /// When it was obtained or last renewed (the request was sent, so our clock runs ahead of
    /// the server's): the TTL counts from there.
    pub(super) renewed_at: Instant,
    /// How long it lives after each renewal, as the login or renew response said.
    pub(super) expires_in: Option<Duration>,
    /// How long after the login it can be renewed at most.
    pub(super) max_ttl: Option<Duration>,
    /// Issued by a login here, so `/api/v1/auth/token/renew` applies; a token given in code or
    /// read from a file is someone else's to renew.
    pub(super) renewable: bool,
}

/// What to do with the held token before a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
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
    pub(crate) fn plan(&self, now: Instant) -> Plan {
        self.plan_after(
            now.saturating_duration_since(self.logged_in_at),
            now.saturating_duration_since(self.renewed_at),
        )
    }

    /// [`plan`](Self::plan) given the time since the login and since the last renewal.
    pub(crate) fn plan_after(&self, since_login: Duration, since_renewal: Duration) -> Plan {
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

/// The client's token, shared by all its requests: concurrent first uses share one login,
/// requests that find it due for renewal share one renewal, and requests rejected together
/// share one re-login.
#[derive(Default)]
pub(crate) struct TokenHolder {
    state: Mutex<TokenState>,
}

#[derive(Default)]
pub(super) struct TokenState {
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
    /// Whether a login or renewal is under way (another fetch holds the token state).
    pub(crate) fn is_being_obtained(&self) -> bool {
        self.state.try_lock().is_err()
    }

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
    pub(super) fn install(
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

/// The token a `200` login reply with `body` makes, as a client holds it after logging in
/// at `now`.
#[cfg(test)]
pub(crate) fn token_from_login_body(
    body: &[u8],
    now: Instant,
) -> Result<Arc<IssuedToken>, StoreError> {
    let reply = Reply {
        status: 200,
        retry_after: None,
        location_host: None,
        is_html: false,
        etag: None,
        body: zeroize::Zeroizing::new(body.to_vec()),
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
