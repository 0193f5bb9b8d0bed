//! Error bodies of the 2024-10 server, and what is shown of server text: cleaned, capped,
//! redacted; the retry hints.

use secrecy::SecretString;

use super::recordings::*;
use crate::infisical::text::*;
use crate::store::{FolderSecrets, StoredSecret};

#[test]
#[allow(clippy::too_many_lines, reason = "one row per recording")]
fn error_bodies_of_every_recording() {
    let cases: &[(&str, u16, Option<&str>, &str)] = &[
        (
            "v03-ua-login-wrong-client-secret",
            401,
            Some("UnauthorizedError"),
            "Invalid credentials",
        ),
        (
            "v04-ua-login-unknown-client-id",
            404,
            Some("NotFound"),
            "No identity with specified client ID was found",
        ),
        (
            "v05-ua-login-missing-client-secret",
            401,
            Some("ValidationFailure"),
            "clientSecret: Required",
        ),
        (
            "v35-get-raw-prod-root-SENTRY_DSN-no-imports",
            404,
            Some("NotFound"),
            "Secret not found",
        ),
        (
            "v40-list-raw-garbage-token",
            403,
            Some("TokenError"),
            "The provided access token is malformed",
        ),
        (
            "v41-list-raw-no-auth",
            401,
            Some("UnauthorizedError"),
            "Token missing",
        ),
        (
            "v42-list-raw-forged-jwt",
            403,
            Some("TokenError"),
            "invalid signature",
        ),
        (
            "v44-list-raw-missing-environment",
            400,
            Some("BadRequest"),
            "Missing workspace id or environment",
        ),
        (
            "v46-list-raw-unknown-workspace",
            404,
            Some("NotFound"),
            "Project not found during bot lookup",
        ),
        (
            "v47-list-raw-bad-bool-param",
            401,
            Some("ValidationFailure"),
            "expandSecretReferences: Invalid enum value",
        ),
        (
            "v48-get-raw-bad-environment",
            404,
            Some("Create secret"),
            "Folder not found",
        ),
        (
            "v50-v4-secrets-list",
            404,
            Some("Not Found"),
            "Route GET:/api/v4/secrets",
        ),
        (
            "v51-v4-secret-get",
            404,
            Some("Not Found"),
            "Route GET:/api/v4/secrets/DATABASE_URL",
        ),
        (
            "v60-token-renew",
            401,
            Some("UnauthorizedError"),
            "past its Max TTL",
        ),
        (
            "v63-list-raw-revoked-token",
            401,
            Some("UnauthorizedError"),
            "No identity access token found",
        ),
        (
            "v64-list-raw-after-failed-renew",
            401,
            Some("UnauthorizedError"),
            "No identity access token found",
        ),
        (
            "v70-ratelimit-exceeded-returns-500",
            500,
            Some("InternalServerError"),
            "Something went wrong",
        ),
        (
            "v71-ratelimit-500-with-other-identity-same-ip",
            500,
            Some("InternalServerError"),
            "Something went wrong",
        ),
        (
            "v83-list-raw-expired-token",
            401,
            Some("UnauthorizedError"),
            "TTL expiration",
        ),
        (
            "v84-list-raw-expired-token-again",
            401,
            Some("UnauthorizedError"),
            "No identity access token found",
        ),
        (
            "v85-token-renew-expired",
            401,
            Some("UnauthorizedError"),
            "No identity access token found",
        ),
        (
            "v86-create-secret-viewer-forbidden",
            403,
            Some("PermissionDenied"),
            "not allowed to create",
        ),
        (
            "v87-list-raw-no-bearer-prefix",
            403,
            Some("TokenError"),
            "invalid token",
        ),
    ];
    for (name, status, error, message) in cases {
        let r = recording(name);
        assert_eq!(r.status, *status, "{name}");
        let info = r.error();
        assert_eq!(info.name.as_deref(), *error, "{name}");
        let got = info.message.clone().unwrap_or_default();
        assert!(got.contains(message), "{name}: {got}");
        assert_eq!(info.req_id, None, "{name}: 2024-10 sends no reqId");
        assert_eq!(info.route_missing, name.starts_with("v5"), "{name}");
    }
    let expired = ErrorInfo::parse(example("error-403-token-expired.json").as_bytes(), false);
    assert!(expired.is_named("TokenError"));
    assert_eq!(expired.req_id.as_deref(), Some("req-9QpT2vLx7mWcR4aZ"));
    let missing = ErrorInfo::parse(
        example("error-404-secret-path-not-found.json").as_bytes(),
        false,
    );
    assert!(missing.is_named("SecretPathNotFound"));
    assert!(!missing.route_missing);
    let limited = ErrorInfo::parse(example("error-429-rate-limited.json").as_bytes(), false);
    assert!(limited.is_named("RateLimitExceeded"));
    assert_eq!(
        limited.retry_hint(),
        Some(std::time::Duration::from_secs(42))
    );
}

#[test]
fn html_and_garbage_error_bodies() {
    let html = ErrorInfo::parse(b"<!DOCTYPE html><html><body>404</body></html>", false);
    assert!(html.route_missing);
    assert!(ErrorInfo::parse(b"{}", true).route_missing);
    assert_eq!(ErrorInfo::parse(b"not json", false), ErrorInfo::default());
    // Not an error body either: an array in its place, or in place of a zod issue.
    let array = ErrorInfo::parse(br#"["PermissionDenied","denied","req-1"]"#, false);
    assert_eq!(array, ErrorInfo::default());
    let issues = ErrorInfo::parse(br#"{"message":[["invalid",["a"]]],"error":"X"}"#, false);
    assert_eq!(issues.message, None);
    let odd = ErrorInfo::parse(br#"{"message":{"nested":1},"error":"X"}"#, false);
    assert_eq!((odd.name.as_deref(), odd.message), (Some("X"), None));
}

#[test]
fn bidi_controls_and_separators_are_not_shown() {
    let tricks =
        "a\u{202E}b\u{2066}c\u{2069}d\u{200F}e\u{061C}f\u{2028}g\u{2029}h\u{200B}i\u{FEFF}j";
    assert_eq!(clean(tricks), "a b c d e f g h i j");
    let body = serde_json::json!({"message": tricks, "error": "E\u{202E}F", "reqId": "r\u{2028}1"})
        .to_string();
    let info = ErrorInfo::parse(body.as_bytes(), false);
    assert_eq!(info.message.as_deref(), Some("a b c d e f g h i j"));
    assert_eq!(info.name.as_deref(), Some("E F"));
    assert_eq!(info.req_id.as_deref(), Some("r 1"));
}

#[test]
fn import_folders_are_cleaned_before_they_are_shown() {
    let body = r#"{"secrets":[],"imports":[{"secretPath":"/x\u2028y\u202e","environment":"co\u2066mmon","secrets":[
        {"secretKey":"K","secretValue":"v"}]}]}"#;
    let f = list(body, &prod("/"));
    assert_eq!(import_of(&f, "K").as_deref(), Some("co mmon:/x y"));
}

#[test]
fn what_the_client_sent_is_redacted_from_server_text() {
    let secret = "cl!ent-\"secret\"\\x";
    let token = "eyJhbGciOiJIUzI1NiJ9.e30.sig";
    let mut folder = FolderSecrets::new();
    folder.insert(
        "DB",
        StoredSecret::value(SecretString::from("pg-password-1")),
    );
    folder.insert("N", StoredSecret::value(SecretString::from("42")));
    let mut redactions = Redactions::default();
    redactions.add(secret);
    redactions.add(token);
    redactions.add_folder(&folder);
    // The login body echoed as JSON inside the message: the escaped form is caught too.
    let echoed = serde_json::json!({"clientId": "id", "clientSecret": secret}).to_string();
    let body = serde_json::json!({
        "message": format!("bad body {echoed} with Bearer {token}, value pg-password-1"),
        "error": format!("E{token}"),
        "reqId": "req-42x",
    })
    .to_string();
    let info = ErrorInfo::parse_redacted(body.as_bytes(), false, &redactions);
    let message = info.message.unwrap();
    assert_eq!(
        message,
        r#"bad body {"clientId":"id","clientSecret":"[REDACTED]"} with Bearer [REDACTED], value [REDACTED]"#
    );
    assert_eq!(info.name.as_deref(), Some("E[REDACTED]"));
    // A short value is redacted as a word only.
    assert_eq!(info.req_id.as_deref(), Some("req-42x"));
    assert_eq!(
        clean_redacted("try again in 42 seconds", &redactions),
        "try again in [REDACTED] seconds"
    );
    // Matched before controls become spaces and before the cap: no piece of it is left.
    let split = format!("{}{token}", "x".repeat(295));
    let shown = clean_redacted(&split, &redactions);
    assert_eq!(shown, format!("{}...", "x".repeat(295)));
    let with_newline = "line1\nline2-of-a-pem";
    let mut pem = Redactions::default();
    pem.add(with_newline);
    assert_eq!(
        clean_redacted(&format!("<{with_newline}>"), &pem),
        "<[REDACTED]>"
    );
}

#[test]
fn messages_are_capped_and_stripped() {
    let long = format!("a\u{1b}[31mb\r\nc{}", "x".repeat(1000));
    let body = serde_json::json!({"message": long, "error": "E\nF"}).to_string();
    let info = ErrorInfo::parse(body.as_bytes(), false);
    let message = info.message.unwrap();
    assert!(!message.chars().any(char::is_control));
    assert_eq!(message.chars().count(), 303);
    assert_eq!(info.name.as_deref(), Some("E F"));
}

#[test]
fn retry_hints() {
    use std::time::Duration;
    assert_eq!(
        parse_try_again("Rate limit exceeded. Please try again in 42 seconds"),
        Some(Duration::from_secs(42))
    );
    assert_eq!(
        parse_try_again("Try again in 1 second"),
        Some(Duration::from_secs(1))
    );
    assert_eq!(parse_try_again("try again in a minute"), None);
    assert_eq!(parse_try_again("try again in 5 minutes"), None);
    assert_eq!(parse_retry_after(" 60 "), Some(Duration::from_mins(1)));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    // However large the number, the wait is at most a day.
    assert_eq!(
        parse_retry_after("18446744073709551616"),
        Some(Duration::from_hours(24))
    );
    assert_eq!(
        parse_try_again("try again in 99999999999999999999999 seconds"),
        Some(Duration::from_hours(24))
    );
    let v70 = recording("v70-ratelimit-exceeded-returns-500");
    assert_eq!(
        v70.header("retry-after").and_then(parse_retry_after),
        Some(Duration::from_mins(1))
    );
}
