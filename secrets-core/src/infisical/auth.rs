//! Credentials and the calls that get a token: login, renewal, a token file read.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::time::Instant;
use zeroize::Zeroizing;

use super::api::LoginResponse;
use super::classify;
use super::http::{Call, Counters, Reply, Transport};
use super::text::Redactions;
use crate::error::{StoreError, StoreErrorKind};
use crate::file;

mod token;

pub(crate) use self::token::{IssuedToken, TokenHolder};
#[cfg(test)]
pub(super) use self::token::{Plan, token_from_login_body};

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

    /// Whether a token is obtained over the network (a login), rather than given.
    pub(crate) fn logs_in(&self) -> bool {
        matches!(self, Self::UniversalAuth { .. } | Self::Kubernetes { .. })
    }

    /// Whether a rejected token can be replaced by another one.
    fn can_refresh(&self) -> bool {
        !matches!(self, Self::AccessToken(_))
    }
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

#[cfg(test)]
mod tests;
