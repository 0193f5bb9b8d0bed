//! From a request to a reply: logging, latency, faults, routing, etags.
//!
//! A little over 500 lines: the steps every request goes through, in the order it goes
//! through them, with the error shapes they answer in; the routes themselves are in `auth.rs`
//! and `read.rs`.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde::Serialize;

use super::json::{ErrorBody, FastifyNotFound, Issue, Message};
use super::state::{Bucket, Config, RateStatus, Shared};
use super::{Fault, RecordedRequest, Route, auth, read, util};

/// Login bodies larger than this are refused; a real one is a few hundred bytes.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A response before it goes on the wire.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) content_type: Option<String>,
    pub(crate) body: Vec<u8>,
    /// Whether `@fastify/etag` would tag it (every response the app builds).
    pub(crate) etag: bool,
}

/// What the connection does with a request.
pub(crate) enum Outcome {
    Reply {
        reply: Reply,
        /// Send the body in chunks with this pause between them.
        trickle: Option<Duration>,
    },
    /// Drop the connection without answering.
    Reset,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: &impl Serialize) -> Self {
        // Serialising these plain structs cannot fail; an empty object is a safe fallback.
        let body = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
        Self {
            status,
            headers: Vec::new(),
            content_type: Some("application/json; charset=utf-8".to_owned()),
            body,
            etag: true,
        }
    }

    /// Adds the `x-ratelimit-*` headers of `@fastify/rate-limit` where the server has a
    /// limiter: the 2024 server always, a current one when it enforces limits (cloud mode;
    /// a self-hosted server without a licence registers none, recording v95 of 2025).
    pub(crate) fn rated(self, cfg: &Config, rate: RateStatus) -> Self {
        if cfg.is_legacy() || cfg.enforce_rate_limits {
            self.with_rate(rate)
        } else {
            self
        }
    }

    /// Adds the `x-ratelimit-*` headers of `@fastify/rate-limit`.
    pub(crate) fn with_rate(mut self, rate: RateStatus) -> Self {
        self.headers
            .push(("x-ratelimit-limit", rate.limit.to_string()));
        self.headers
            .push(("x-ratelimit-remaining", rate.remaining.to_string()));
        self.headers
            .push(("x-ratelimit-reset", rate.reset_secs.to_string()));
        self
    }
}

/// An error body in the shape of the server's error handler.
pub(crate) fn error(cfg: &Config, status: u16, name: &str, message: impl Into<String>) -> Reply {
    error_body(cfg, status, name, Message::Text(message.into()), false)
}

/// Like [`error`], for the errors the current handler writes with `error` before `message`
/// (token errors, validation failures, permission errors, unexpected errors).
pub(crate) fn error_name_first(
    cfg: &Config,
    status: u16,
    name: &str,
    message: impl Into<String>,
) -> Reply {
    error_body(cfg, status, name, Message::Text(message.into()), true)
}

fn error_body(cfg: &Config, status: u16, name: &str, message: Message, name_first: bool) -> Reply {
    let legacy = cfg.is_legacy();
    let name_first = name_first && !legacy;
    let body = ErrorBody {
        req_id: (!legacy).then(util::new_req_id),
        status_code: status,
        error_first: name_first.then(|| name.to_owned()),
        message,
        details: None,
        error: (!name_first).then(|| name.to_owned()),
    };
    Reply::json(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &body,
    )
}

/// `403 PermissionDenied` for a list that asks for values the identity may not read all of,
/// with the rule it failed in `details` (recording v71 of June 2025).
pub(crate) fn values_forbidden(unreadable: &[&str]) -> Reply {
    let condition = match unreadable {
        [one] => serde_json::json!({ "$ne": one }),
        many => serde_json::json!({ "$nin": many }),
    };
    let body = ErrorBody {
        req_id: Some(util::new_req_id()),
        status_code: 403,
        error_first: None,
        message: Message::Text("You are not allowed to readValue on secrets".to_owned()),
        details: Some(serde_json::json!([{
            "action": ["readValue"],
            "inverted": false,
            "subject": ["secrets"],
            "conditions": { "secretName": condition },
        }])),
        error: Some("PermissionDenied".to_owned()),
    };
    Reply::json(StatusCode::FORBIDDEN, &body)
}

/// A zod validation failure: `401` on the 2024 server (its handler mapped them so), `422` now.
pub(crate) fn validation_failure(cfg: &Config, issues: Vec<Issue>) -> Reply {
    let status = if cfg.is_legacy() { 401 } else { 422 };
    error_body(
        cfg,
        status,
        "ValidationFailure",
        Message::Issues(issues),
        true,
    )
}

/// `403 TokenError` with one of the messages the error handler maps `jsonwebtoken` errors to.
pub(crate) fn token_error(cfg: &Config, message: &str) -> Reply {
    error_name_first(cfg, 403, "TokenError", message)
}

/// The answer of the rate limiter: `500` on the 2024 server (its error handler did not know
/// the limiter's error), `429` now.
pub(crate) fn rate_limited(cfg: &Config, limit: u32, retry_after_secs: u64) -> Reply {
    let reply = if cfg.is_legacy() {
        error_name_first(cfg, 500, "InternalServerError", "Something went wrong")
    } else {
        error(
            cfg,
            429,
            "RateLimitExceeded",
            format!("Rate limit exceeded. Please try again in {retry_after_secs} seconds"),
        )
    };
    let mut reply = reply.with_rate(RateStatus {
        limit,
        remaining: 0,
        reset_secs: retry_after_secs,
        exceeded: true,
    });
    reply
        .headers
        .push(("retry-after", retry_after_secs.to_string()));
    reply
}

/// The endpoints the fake serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Status,
    UniversalAuthLogin,
    KubernetesLogin,
    TokenRenew,
    TokenRevoke,
    ListV4,
    GetV4(String),
    ListV3,
    GetV3(String),
    Unknown,
}

impl Endpoint {
    pub(crate) fn classify(method: &Method, path: &str) -> Self {
        // Fastify is configured with `ignoreTrailingSlash`.
        let path = match path.strip_suffix('/') {
            Some(p) if !p.is_empty() => p,
            _ => path,
        };
        let single = |prefix: &str| {
            path.strip_prefix(prefix)
                .filter(|name| !name.is_empty() && !name.contains('/'))
                .map(|name| util::percent_decode(name).trim().to_owned())
        };
        if *method == Method::POST {
            return match path {
                "/api/v1/auth/universal-auth/login" => Self::UniversalAuthLogin,
                "/api/v1/auth/kubernetes-auth/login" => Self::KubernetesLogin,
                "/api/v1/auth/token/renew" => Self::TokenRenew,
                "/api/v1/auth/token/revoke" => Self::TokenRevoke,
                _ => Self::Unknown,
            };
        }
        if *method != Method::GET {
            return Self::Unknown;
        }
        match path {
            "/api/status" => Self::Status,
            "/api/v4/secrets" => Self::ListV4,
            "/api/v3/secrets/raw" => Self::ListV3,
            _ => {
                if let Some(name) = single("/api/v4/secrets/") {
                    Self::GetV4(name)
                } else if let Some(name) = single("/api/v3/secrets/raw/") {
                    Self::GetV3(name)
                } else {
                    Self::Unknown
                }
            }
        }
    }

    pub(crate) fn route(&self) -> Route {
        match self {
            Self::UniversalAuthLogin => Route::UniversalAuthLogin,
            Self::KubernetesLogin => Route::KubernetesLogin,
            Self::TokenRenew => Route::TokenRenew,
            Self::TokenRevoke => Route::TokenRevoke,
            Self::ListV4 => Route::ListV4,
            Self::GetV4(_) => Route::GetV4,
            Self::ListV3 => Route::ListV3,
            Self::GetV3(_) => Route::GetV3,
            Self::Status | Self::Unknown => Route::Other,
        }
    }
}

fn bucket(route: Route) -> Bucket {
    match route {
        Route::UniversalAuthLogin
        | Route::KubernetesLogin
        | Route::TokenRenew
        | Route::TokenRevoke => Bucket::Write,
        _ => Bucket::Secrets,
    }
}

fn limit(cfg: &Config, bucket: Bucket) -> u32 {
    match bucket {
        Bucket::Secrets => cfg.rate_limit_secrets,
        Bucket::Write => cfg.rate_limit_write,
    }
}

/// Answers one request.
pub(crate) async fn handle(shared: &Shared, request: Request<Body>) -> Outcome {
    let (parts, body) = request.into_parts();
    let endpoint = Endpoint::classify(&parts.method, parts.uri.path());
    let route = endpoint.route();
    let (index, latency, fault) = {
        let mut state = shared.lock();
        let index = state.record(RecordedRequest::new(
            parts.method.to_string(),
            parts.uri.path().to_owned(),
            parts.uri.query().map(str::to_owned),
            route,
            parts.headers.contains_key(header::AUTHORIZATION),
        ));
        (index, state.latency, state.faults.take(route))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut trickle = None;
    let canned = match fault {
        None => None,
        Some(Fault::ResetConnection) => return Outcome::Reset,
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            None
        }
        Some(Fault::Trickle { chunk_delay }) => {
            trickle = Some(chunk_delay);
            None
        }
        Some(other) => Some(fault_reply(&shared.config, route, other)),
    };
    let reply = match canned {
        Some(reply) => reply,
        None => {
            dispatch(
                shared,
                &endpoint,
                &parts.method,
                &parts.uri,
                &parts.headers,
                body,
            )
            .await
        }
    };
    let reply = finish(reply, &parts.headers);
    shared.lock().set_status(index, Some(reply.status.as_u16()));
    Outcome::Reply { reply, trickle }
}

fn fault_reply(cfg: &Config, route: Route, fault: Fault) -> Reply {
    match fault {
        Fault::RateLimited { retry_after_secs } => {
            rate_limited(cfg, limit(cfg, bucket(route)), retry_after_secs)
        }
        Fault::Body {
            status,
            content_type,
            body,
        } => Reply {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: Vec::new(),
            content_type: (!content_type.is_empty()).then_some(content_type),
            body,
            etag: false,
        },
        Fault::Redirect { location } => Reply {
            status: StatusCode::FOUND,
            headers: vec![("location", location)],
            content_type: None,
            body: Vec::new(),
            etag: false,
        },
        Fault::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let (name, message) = status_error(status);
            error(cfg, status.as_u16(), &name, message)
        }
        // Handled before a canned reply is needed.
        Fault::ResetConnection | Fault::Delay(_) | Fault::Trickle { .. } => {
            error(cfg, 500, "InternalServerError", "Something went wrong")
        }
    }
}

/// The `error` name and message the server's handler uses for a status.
fn status_error(status: StatusCode) -> (String, String) {
    let (name, message) = match status.as_u16() {
        400 => ("BadRequest", "Bad request"),
        401 => ("UnauthorizedError", "Unauthorized"),
        403 => ("ForbiddenError", "Forbidden"),
        404 => ("NotFound", "Not found"),
        422 => ("ValidationFailure", "Validation failed"),
        429 => (
            "RateLimitExceeded",
            "Rate limit exceeded. Please try again in 60 seconds",
        ),
        500 => ("InternalServerError", "Something went wrong"),
        502 => ("BadGateway", "Bad gateway"),
        503 => ("ServiceUnavailable", "Service unavailable"),
        504 => ("GatewayTimeoutError", "Gateway timeout"),
        _ => {
            // An error class name from the reason phrase: "Insufficient Storage" gives
            // "InsufficientStorage".
            let reason = status.canonical_reason().unwrap_or("Error");
            let name = reason
                .split(' ')
                .flat_map(|word| {
                    let mut chars = word.chars().filter(char::is_ascii_alphanumeric);
                    chars
                        .next()
                        .map(|c| c.to_ascii_uppercase())
                        .into_iter()
                        .chain(chars)
                })
                .collect();
            return (name, reason.to_owned());
        }
    };
    (name.to_owned(), message.to_owned())
}

async fn dispatch(
    shared: &Shared,
    endpoint: &Endpoint,
    method: &Method,
    uri: &http::Uri,
    headers: &HeaderMap,
    body: Body,
) -> Reply {
    let cfg = &shared.config;
    let path = uri.path();
    if cfg.is_legacy() && (path == "/api/v4" || path.starts_with("/api/v4/")) {
        return legacy_not_found(cfg, method, uri);
    }
    match endpoint {
        // The fields of fixture v01.
        Endpoint::Status => Reply::json(
            StatusCode::OK,
            &serde_json::json!({
                "date": util::iso_now(),
                "message": "Ok",
                "emailConfigured": false,
                "inviteOnlySignup": true,
                "redisConfigured": true,
                "secretScanningConfigured": false,
            }),
        ),
        Endpoint::UniversalAuthLogin
        | Endpoint::KubernetesLogin
        | Endpoint::TokenRenew
        | Endpoint::TokenRevoke => {
            let rate = shared.lock().rate.hit(Bucket::Write, cfg.rate_limit_write);
            if rate.exceeded && cfg.enforce_rate_limits {
                return rate_limited(cfg, rate.limit, rate.reset_secs);
            }
            let fields = match auth::read_body(cfg, headers, body, MAX_BODY_BYTES).await {
                Ok(fields) => fields,
                Err(reply) => return reply.rated(cfg, rate),
            };
            let mut state = shared.lock();
            let reply = match endpoint {
                Endpoint::UniversalAuthLogin => {
                    auth::universal_login(cfg, &mut state.auth, &fields)
                }
                Endpoint::KubernetesLogin => auth::kubernetes_login(cfg, &mut state.auth, &fields),
                Endpoint::TokenRenew => auth::renew(cfg, &mut state.auth, &fields),
                _ => auth::revoke(cfg, &mut state.auth, &fields),
            };
            reply.rated(cfg, rate)
        }
        Endpoint::ListV4 | Endpoint::GetV4(_) | Endpoint::ListV3 | Endpoint::GetV3(_) => {
            let mut state = shared.lock();
            let identity = match auth::authenticate(cfg, &mut state.auth, headers) {
                Ok(identity) => identity,
                Err(reply) => return reply,
            };
            let unreadable = state.unreadable_for(identity.as_deref());
            let rate = state.rate.hit(Bucket::Secrets, cfg.rate_limit_secrets);
            if rate.exceeded && cfg.enforce_rate_limits {
                return rate_limited(cfg, rate.limit, rate.reset_secs);
            }
            let query = read::Query::parse(uri.query());
            let reply = match endpoint {
                Endpoint::ListV4 => {
                    read::list(cfg, &state.store, &query, read::Api::V4, &unreadable)
                }
                Endpoint::ListV3 => {
                    read::list(cfg, &state.store, &query, read::Api::V3, &unreadable)
                }
                Endpoint::GetV4(name) => {
                    read::get(cfg, &state.store, &query, name, read::Api::V4, &unreadable)
                }
                Endpoint::GetV3(name) => {
                    read::get(cfg, &state.store, &query, name, read::Api::V3, &unreadable)
                }
                _ => unknown_route(cfg, method, uri),
            };
            reply.rated(cfg, rate)
        }
        Endpoint::Unknown => unknown_route(cfg, method, uri),
    }
}

/// What the 2024 server answers for a route it does not have: Fastify's own `404`, whose
/// message quotes the URL as sent, query included; or, behind the standalone image's bundled
/// frontend, an HTML page.
fn legacy_not_found(cfg: &Config, method: &Method, uri: &http::Uri) -> Reply {
    if cfg.html_404 {
        return Reply {
            status: StatusCode::NOT_FOUND,
            headers: Vec::new(),
            content_type: Some("text/html; charset=utf-8".to_owned()),
            body: HTML_404.as_bytes().to_vec(),
            etag: true,
        };
    }
    let url = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), ToString::to_string);
    Reply::json(
        StatusCode::NOT_FOUND,
        &FastifyNotFound {
            message: format!("Route {method}:{url} not found"),
            error: "Not Found",
            status_code: 404,
        },
    )
}

/// A loud answer to anything the fake does not serve, so that a test sending an unexpected
/// request fails with a message that says which one.
fn unknown_route(cfg: &Config, method: &Method, uri: &http::Uri) -> Reply {
    let url = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), ToString::to_string);
    tracing::error!(%method, path = uri.path(), "FakeInfisical: no route for this request");
    error_name_first(
        cfg,
        500,
        "FakeInfisicalUnknownRoute",
        format!("FakeInfisical has no route for {method} {url}"),
    )
}

/// Adds the etag, and turns a matching `If-None-Match` into `304` with an empty body.
fn finish(mut reply: Reply, request_headers: &HeaderMap) -> Reply {
    if !reply.etag {
        return reply;
    }
    let tag = util::etag(&reply.body);
    let matches = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    if matches && reply.status == StatusCode::OK {
        reply.status = StatusCode::NOT_MODIFIED;
        reply.body.clear();
        reply.content_type = None;
    }
    reply.headers.push(("etag", tag));
    reply
}

const HTML_404: &str = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/>\
<meta name=\"viewport\" content=\"width=device-width\"/><title>404: This page could not be found</title>\
</head><body><div id=\"__next\"><div style=\"font-family:system-ui;height:100vh;text-align:center;\
display:flex;flex-direction:column;align-items:center;justify-content:center\"><div>\
<h1 style=\"display:inline-block;margin:0 20px 0 0;padding:0 23px 0 0;font-size:24px;font-weight:500\">404</h1>\
<div style=\"display:inline-block\"><h2 style=\"font-size:14px;font-weight:400;line-height:28px\">\
This page could not be found.</h2></div></div></div></div></body></html>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_routes() {
        let get = Method::GET;
        assert_eq!(
            Endpoint::classify(&get, "/api/v4/secrets/"),
            Endpoint::ListV4
        );
        assert_eq!(
            Endpoint::classify(&get, "/api/v4/secrets/A%20B"),
            Endpoint::GetV4("A B".to_owned())
        );
        assert_eq!(
            Endpoint::classify(&get, "/api/v4/secrets/id/x"),
            Endpoint::Unknown
        );
        assert_eq!(
            Endpoint::classify(&get, "/api/v3/secrets/raw/KEY/"),
            Endpoint::GetV3("KEY".to_owned())
        );
        assert_eq!(
            Endpoint::classify(&Method::POST, "/api/v3/secrets/raw"),
            Endpoint::Unknown
        );
        assert_eq!(Endpoint::classify(&get, "/"), Endpoint::Unknown);
    }

    #[test]
    fn status_faults_have_names() {
        assert_eq!(
            status_error(StatusCode::SERVICE_UNAVAILABLE).0,
            "ServiceUnavailable"
        );
        assert_eq!(
            status_error(StatusCode::INSUFFICIENT_STORAGE).0,
            "InsufficientStorage"
        );
    }
}
