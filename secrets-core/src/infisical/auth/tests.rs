//! Credentials, the classification of login and renewal replies, and the token plan.

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
    let Credentials::AccessToken(t) = Credentials::access_token("st.id.secret.key".into()) else {
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
