//! Error bodies of the June 2025 server, and how the client classifies them.

use super::recordings::*;
use crate::infisical::text::*;

#[test]
#[allow(clippy::too_many_lines, reason = "one row per recording")]
fn error_bodies_2025() {
    let cases: &[(&str, u16, &str, &str)] = &[
        (
            "v03-ua-login-wrong-client-secret",
            401,
            "UnauthorizedError",
            "Invalid credentials",
        ),
        (
            "v04-ua-login-unknown-client-id",
            404,
            "NotFound",
            "No identity with specified client ID was found",
        ),
        (
            "v05-ua-login-missing-client-secret",
            422,
            "ValidationFailure",
            "clientSecret: Required",
        ),
        (
            "v25-v4-list-unknown-project",
            404,
            "NotFound",
            "not found during bot lookup",
        ),
        (
            "v26-v4-list-missing-project-id",
            400,
            "BadRequest",
            "Missing project id or environment",
        ),
        (
            "v27-v4-list-bad-bool-param",
            422,
            "ValidationFailure",
            "expandSecretReferences: Invalid enum value",
        ),
        (
            "v28-v4-list-workspaceId-instead-of-projectId",
            400,
            "BadRequest",
            "Missing project id or environment",
        ),
        (
            "v34-v4-get-SENTRY_DSN-no-imports",
            404,
            "NotFound",
            "Secret with name 'SENTRY_DSN' not found",
        ),
        (
            "v35-v4-get-MISSING_KEY",
            404,
            "NotFound",
            "Secret with name 'MISSING_KEY' not found",
        ),
        (
            "v36-v4-get-unknown-environment",
            404,
            "GetSecretByName",
            "environment with slug 'nosuchenv'",
        ),
        (
            "v48-v3-raw-get-unknown-environment",
            404,
            "GetSecretByName",
            "environment with slug 'nosuchenv'",
        ),
        (
            "v50-list-garbage-token",
            403,
            "TokenError",
            "The provided access token is malformed",
        ),
        (
            "v51-list-no-auth",
            401,
            "UnauthorizedError",
            "Token missing",
        ),
        (
            "v52-list-forged-jwt",
            403,
            "TokenError",
            "invalid signature",
        ),
        (
            "v53-list-no-bearer-prefix",
            403,
            "TokenError",
            "invalid token",
        ),
        (
            "v60-token-renew-ttl-equals-max",
            401,
            "UnauthorizedError",
            "past its Max TTL expiration",
        ),
        (
            "v61-list-after-failed-renew",
            401,
            "UnauthorizedError",
            "No identity access token found",
        ),
        (
            "v64-list-revoked-token",
            401,
            "UnauthorizedError",
            "No identity access token found",
        ),
        (
            "v71-v4-list-restricted-describe-mostly-library-query",
            403,
            "PermissionDenied",
            "You are not allowed to readValue on secrets",
        ),
        (
            "v73-v4-get-HIDDEN_KEY-describe-mostly",
            403,
            "ForbiddenReadSecretError",
            "view secret value on secret with name 'HIDDEN_KEY'",
        ),
        (
            "v76-v3-raw-list-restricted-describe-mostly",
            403,
            "PermissionDenied",
            "You are not allowed to readValue on secrets",
        ),
        (
            "v83-list-expired-token",
            403,
            "TokenError",
            "Your token has expired",
        ),
        (
            "v84-list-expired-token-again",
            403,
            "TokenError",
            "Your token has expired",
        ),
        (
            "v85-token-renew-expired",
            403,
            "TokenError",
            "Your token has expired",
        ),
        (
            "v92-cloudmode-ratelimit-exceeded",
            429,
            "RateLimitExceeded",
            "try again in 58 seconds",
        ),
        (
            "v93-cloudmode-ratelimit-other-identity-same-ip",
            429,
            "RateLimitExceeded",
            "try again in 58 seconds",
        ),
    ];
    let mut req_ids = Vec::new();
    for (name, status, error, message) in cases {
        let r: Recording = recording_2025(name);
        assert_eq!(r.status, *status, "{name}");
        let info = r.error();
        assert_eq!(info.name.as_deref(), Some(*error), "{name}");
        let got = info.message.clone().unwrap_or_default();
        assert!(got.contains(message), "{name}: {got}");
        let req_id = info.req_id.clone().unwrap_or_default();
        assert!(
            req_id.starts_with("req-"),
            "{name}: every error has a reqId"
        );
        assert!(!info.route_missing, "{name}");
        req_ids.push(req_id);
    }
    // A fresh one each time: never a way to compare errors.
    req_ids.sort();
    req_ids.dedup();
    assert_eq!(req_ids.len(), cases.len());

    for name in [
        "v92-cloudmode-ratelimit-exceeded",
        "v93-cloudmode-ratelimit-other-identity-same-ip",
    ] {
        let r = recording_2025(name);
        let wait = Some(std::time::Duration::from_secs(58));
        assert_eq!(r.header("retry-after").and_then(parse_retry_after), wait);
        assert_eq!(r.error().retry_hint(), wait, "{name}");
    }
}

#[test]
fn listing_errors_2025_are_classified() {
    use crate::error::StoreErrorKind as Kind;
    use crate::infisical::classify::{ListFailure, list_failure};

    // (recording, what the client makes of it, kind, status)
    let cases: &[(&str, &str, Kind, u16)] = &[
        ("v25-v4-list-unknown-project", "failed", Kind::NotFound, 404),
        (
            "v26-v4-list-missing-project-id",
            "failed",
            Kind::BadRequest,
            400,
        ),
        (
            "v27-v4-list-bad-bool-param",
            "failed",
            Kind::BadRequest,
            422,
        ),
        (
            "v28-v4-list-workspaceId-instead-of-projectId",
            "failed",
            Kind::BadRequest,
            400,
        ),
        ("v50-list-garbage-token", "token", Kind::Unauthorized, 403),
        ("v51-list-no-auth", "token", Kind::Unauthorized, 401),
        ("v52-list-forged-jwt", "token", Kind::Unauthorized, 403),
        (
            "v53-list-no-bearer-prefix",
            "token",
            Kind::Unauthorized,
            403,
        ),
        (
            "v61-list-after-failed-renew",
            "token",
            Kind::Unauthorized,
            401,
        ),
        ("v64-list-revoked-token", "token", Kind::Unauthorized, 401),
        ("v83-list-expired-token", "token", Kind::Unauthorized, 403),
        (
            "v84-list-expired-token-again",
            "token",
            Kind::Unauthorized,
            403,
        ),
        (
            "v71-v4-list-restricted-describe-mostly-library-query",
            "values",
            Kind::Forbidden,
            403,
        ),
        (
            "v76-v3-raw-list-restricted-describe-mostly",
            "values",
            Kind::Forbidden,
            403,
        ),
        // Not about values: no key-by-key reads for it.
        (
            "v86-create-secret-viewer-forbidden",
            "failed",
            Kind::Forbidden,
            403,
        ),
        (
            "v92-cloudmode-ratelimit-exceeded",
            "failed",
            Kind::Throttled,
            429,
        ),
        (
            "v93-cloudmode-ratelimit-other-identity-same-ip",
            "failed",
            Kind::Throttled,
            429,
        ),
    ];
    for (name, outcome, kind, status) in cases {
        let reply = reply_2025(name);
        let (got, error) = match list_failure(&reply, &Redactions::default()) {
            ListFailure::Failed(e) => ("failed", e),
            ListFailure::TokenRejected(e) => ("token", e),
            ListFailure::ValuesForbidden(e) => ("values", e),
            ListFailure::RouteMissing => panic!("{name}: not a missing route"),
        };
        assert_eq!(got, *outcome, "{name}: {error}");
        assert_eq!(error.kind(), *kind, "{name}: {error}");
        assert_eq!(error.status(), Some(*status), "{name}");
        assert_eq!(
            error.name(),
            reply.error_info(&Redactions::default()).name.as_deref(),
            "{name}"
        );
        assert!(
            error.req_id().is_some_and(|id| id.starts_with("req-")),
            "{name}"
        );
    }
}
