//! The one status table: what a reply that is not a success means, for every call the client
//! makes (a listing, a key read, a login, a token renewal), rate limits and retries included.
//! Each arm cites the recordings it rests on where the server's wording decides it.

use std::time::Duration;

use super::http::{Call, Reply};
use super::text::{ErrorInfo, Redactions};
use crate::error::{StoreError, StoreErrorKind};
use crate::store::StoredSecret;

/// How a listing (or a key read standing in for it) failed.
pub(crate) enum ListFailure {
    /// The token was refused (expired, revoked): a new one may help.
    TokenRejected(StoreError),
    /// The identity may not read every value of the folder: its keys can be read one by one.
    ValuesForbidden(StoreError),
    /// The server has no such route (a server without v4).
    RouteMissing,
    /// Final for this folder.
    Failed(StoreError),
}

/// Rate limits: 429, and the 500 with `Retry-After` that the 2024-10 server answers instead
/// (recording v70).
fn is_rate_limit(reply: &Reply) -> bool {
    reply.status == 429 || (reply.status == 500 && reply.retry_after.is_some())
}

/// A reply worth another try, as the error it is and the wait the server asked for: rate
/// limits, server errors and gateway failures. Infisical answers 500 for a lost database
/// connection as for its own bugs; a bounded retry costs little when it persists and starts
/// the service when it was transient. `None`: the reply is final, whatever its status.
pub(crate) fn retryable(
    reply: &Reply,
    redactions: &Redactions<'_>,
) -> Option<(StoreError, Option<Duration>)> {
    if !matches!(reply.status, 429 | 500 | 502 | 503 | 504) {
        return None;
    }
    let info = reply.error_info(redactions);
    let asked = reply.retry_after.or_else(|| info.retry_hint());
    let rate_limit = is_rate_limit(reply);
    let (kind, fallback) = if rate_limit {
        (StoreErrorKind::Throttled, "rate limited")
    } else {
        (StoreErrorKind::Server, "server unavailable")
    };
    let message = match (rate_limit, &info.message) {
        // The 2024-10 rate limit says only "Something went wrong".
        (true, Some(m)) if reply.status == 500 => format!("rate limited ({m})"),
        _ => info.message.clone().unwrap_or_else(|| fallback.to_owned()),
    };
    let info = ErrorInfo {
        message: Some(message),
        ..info
    };
    let mut error = StoreError::from_server(kind, reply.status, &info, fallback);
    if let Some(wait) = asked.filter(|_| rate_limit) {
        // For callers that schedule a later attempt (live reload).
        error = error.with_retry_after(wait);
    }
    Some((error, asked))
}

/// A listing's reply that is neither a success nor unchanged.
pub(crate) fn list_failure(reply: &Reply, redactions: &Redactions<'_>) -> ListFailure {
    let status = reply.status;
    if (300..400).contains(&status) {
        return ListFailure::Failed(StoreError::redirected(
            status,
            reply.location_host.as_deref(),
        ));
    }
    let info = reply.error_info(redactions);
    let error = |kind, fallback: &str| StoreError::from_server(kind, status, &info, fallback);
    match status {
        401 if info.is_named("ValidationFailure") => ListFailure::Failed(error(
            StoreErrorKind::BadRequest,
            "the request was rejected",
        )),
        // 401: revoked, expired in the database, or no token; 403 TokenError: the JWT
        // itself expired or is malformed. Either way a new token may help.
        401 => ListFailure::TokenRejected(
            error(StoreErrorKind::Unauthorized, "token rejected").token_rejected(),
        ),
        403 if info.is_named("TokenError") => ListFailure::TokenRejected(
            error(StoreErrorKind::Unauthorized, "token rejected").token_rejected(),
        ),
        // The identity may read the folder's keys but not every value (a permission
        // condition on the secret name): the whole listing is refused (recordings v71, v76).
        403 if info.is_named("PermissionDenied")
            && info
                .message
                .as_deref()
                .is_some_and(|m| m.contains("readValue")) =>
        {
            ListFailure::ValuesForbidden(error(StoreErrorKind::Forbidden, "access denied"))
        }
        403 => ListFailure::Failed(error(StoreErrorKind::Forbidden, "access denied")),
        404 if info.route_missing => ListFailure::RouteMissing,
        404 => ListFailure::Failed(error(StoreErrorKind::NotFound, "folder not found")),
        429 => ListFailure::Failed(error(StoreErrorKind::Throttled, "rate limited")),
        500.. => ListFailure::Failed(error(StoreErrorKind::Server, "server error")),
        _ => ListFailure::Failed(error(
            StoreErrorKind::BadRequest,
            "the request was rejected",
        )),
    }
}

/// A key read's reply that is not a success: the key withheld (the identity may not read its
/// value), `None` (the folder no longer has it), or the listing's failure.
pub(crate) fn key_failure(
    reply: &Reply,
    redactions: &Redactions<'_>,
) -> Result<Option<StoredSecret>, ListFailure> {
    let info = reply.error_info(redactions);
    match reply.status {
        403 if info.is_named("ForbiddenReadSecretError") => Ok(Some(StoredSecret::withheld())),
        404 if !info.route_missing => Ok(None),
        _ => Err(list_failure(reply, redactions)),
    }
}

/// A login's or renewal's reply that is not a success. A login rejected with 401/403/404 is
/// never retried (the transport retries only [`retryable`] replies): current servers lock an
/// identity out after a few failed logins.
pub(crate) fn token_failure(reply: &Reply, call: Call, redactions: &Redactions<'_>) -> StoreError {
    let status = reply.status;
    if (300..400).contains(&status) {
        return StoreError::redirected(status, reply.location_host.as_deref());
    }
    let info = reply.error_info(redactions);
    if info.route_missing {
        let error = StoreError::from_server(StoreErrorKind::InvalidResponse, status, &info, "");
        return error.with_message(format!(
            "the server has no {call} route: check the Infisical URL"
        ));
    }
    // The error names the call (`StoreCall`); the message is what the server said.
    let kind = if info.is_named("ValidationFailure") || matches!(status, 400 | 422) {
        StoreErrorKind::BadRequest
    } else if matches!(status, 401 | 403 | 404) {
        StoreErrorKind::Unauthorized
    } else if is_rate_limit(reply) {
        StoreErrorKind::Throttled
    } else if status >= 500 {
        StoreErrorKind::Server
    } else {
        StoreErrorKind::BadRequest
    };
    StoreError::from_server(kind, status, &info, "no reason given")
}
