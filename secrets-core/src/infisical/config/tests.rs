//! `INFISICAL_*` variables to a client, and the problems they are reported as.

use super::*;
use crate::infisical::InfisicalClient;
use crate::store::SecretStore;

mod proxy;

const SECRET: &str = "SENTINEL-4b5d-client-secret";

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

fn ready(pairs: &[(&str, &str)]) -> InfisicalClient {
    match from_env(&env(pairs)) {
        FromEnv::Ready(client) => client,
        FromEnv::Invalid(problems) => panic!("invalid: {problems:?}"),
        FromEnv::NotConfigured => panic!("not configured"),
    }
}

fn invalid(pairs: &[(&str, &str)]) -> Vec<String> {
    match from_env(&env(pairs)) {
        FromEnv::Invalid(problems) => {
            for problem in &problems {
                assert!(!problem.contains(SECRET), "{problem}");
            }
            problems
        }
        FromEnv::Ready(client) => panic!("ready: {client:?}"),
        FromEnv::NotConfigured => panic!("not configured"),
    }
}

fn one_problem_naming(pairs: &[(&str, &str)], names: &[&str]) {
    let problems = invalid(pairs);
    assert_eq!(problems.len(), 1, "{problems:?}");
    for name in names {
        assert!(problems[0].contains(name), "{name} not in {problems:?}");
    }
}

fn ua<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        (CLIENT_ID, "client-1"),
        (CLIENT_SECRET, SECRET),
        (PROJECT_ID, "p1"),
    ];
    pairs.extend_from_slice(extra);
    pairs
}

fn method(client: &InfisicalClient) -> &'static str {
    client.inner.credentials.method()
}

fn bearer(client: &InfisicalClient) -> String {
    match &client.inner.credentials {
        Credentials::AccessToken(t) => secrecy::ExposeSecret::expose_secret(t).to_owned(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nothing_set_is_env_only() {
    assert!(matches!(from_env(&env(&[])), FromEnv::NotConfigured));
    assert!(matches!(
        from_env(&env(&[
            (STARTUP_TIMEOUT, "5"),
            (REQUEST_TIMEOUT, "2"),
            ("OTHER", "x")
        ])),
        FromEnv::NotConfigured
    ));
    // Empty values count as unset.
    assert!(matches!(
        from_env(&env(&[(TOKEN, "  ")])),
        FromEnv::NotConfigured
    ));
    assert!(InfisicalClient::from_env(&env(&[])).unwrap().is_none());
}

#[test]
fn universal_auth_with_scope_and_defaults() {
    let client = ready(&ua(&[(ENVIRONMENT, "prod"), (SECRET_PATH, "/backend/")]));
    assert_eq!(method(&client), "Universal Auth");
    assert_eq!(client.base_url(), DEFAULT_URL);
    assert_eq!(client.project_id(), "p1");
    assert_eq!(client.environment(), Some("prod"));
    assert_eq!(client.default_path(), Some("/backend"));
    let plain = ready(&ua(&[]));
    assert_eq!((plain.environment(), plain.default_path()), (None, None));
    let settings = client.inner.transport.settings();
    assert_eq!(settings.startup_deadline, Duration::from_secs(30));
    assert_eq!(settings.request_timeout, Duration::from_secs(10));
    assert!(!format!("{client:?}").contains(SECRET));
    assert!(InfisicalClient::from_env(&env(&ua(&[]))).unwrap().is_some());
}

#[test]
fn urls_from_either_variable() {
    let client = ready(&ua(&[(DOMAIN, "https://eu.infisical.com/api/")]));
    assert_eq!(client.base_url(), "https://eu.infisical.com");
    let client = ready(&ua(&[(API_URL, "https://self.example/api")]));
    assert_eq!(client.base_url(), "https://self.example");
    let client = ready(&ua(&[
        (DOMAIN, "https://a.example"),
        (API_URL, "https://b.example"),
    ]));
    assert_eq!(client.base_url(), "https://a.example");
    let client = ready(&ua(&[(DOMAIN, "http://127.0.0.1:8080")]));
    assert_eq!(client.base_url(), "http://127.0.0.1:8080");
    one_problem_naming(&ua(&[(DOMAIN, "not a url")]), &[DOMAIN, "not a URL"]);
    one_problem_naming(
        &ua(&[(API_URL, "http://infisical.internal")]),
        &[API_URL, "https://"],
    );
}

#[test]
fn access_tokens_come_first() {
    let client = ready(&[
        (UA_ACCESS_TOKEN, "tok-a"),
        (TOKEN, "tok-b"),
        (PROJECT_ID, "p"),
    ]);
    assert_eq!(bearer(&client), "tok-a");
    let client = ready(&[(TOKEN, "st.id.secret.key"), (PROJECT_ID, "p")]);
    assert_eq!(bearer(&client), "st.id.secret");
    // A complete earlier method wins over a half-set later one.
    let client = ready(&[(TOKEN, "tok-b"), (CLIENT_ID, "c"), (PROJECT_ID, "p")]);
    assert_eq!(method(&client), "access token");
}

#[test]
fn token_file_must_be_readable() {
    let path = std::env::temp_dir().join(format!("secrets-core-config-{}", std::process::id()));
    std::fs::write(&path, "tok\n").unwrap();
    let file = path.to_str().unwrap();
    let client = ready(&[
        (TOKEN_FILE, file),
        (PROJECT_ID, "p"),
        (CLIENT_ID, "ignored"),
    ]);
    assert_eq!(method(&client), "token file");
    std::fs::write(&path, "\n").unwrap();
    one_problem_naming(
        &[(TOKEN_FILE, file), (PROJECT_ID, "p")],
        &[TOKEN_FILE, "empty"],
    );
    std::fs::remove_file(&path).unwrap();
    one_problem_naming(
        &[(TOKEN_FILE, file), (PROJECT_ID, "p")],
        &[TOKEN_FILE, file],
    );
}

#[test]
fn half_universal_auth_names_the_missing_variable() {
    one_problem_naming(&[(CLIENT_ID, "c"), (PROJECT_ID, "p")], &[CLIENT_SECRET]);
    one_problem_naming(&[(CLIENT_SECRET, SECRET), (PROJECT_ID, "p")], &[CLIENT_ID]);
}

#[test]
fn urls_are_shown_without_credentials_query_or_fragment() {
    for (raw, shown) in [
        (
            "https://u:p@x.example/api",
            "https://[REDACTED]@x.example/api",
        ),
        ("u:p@x.example", "[REDACTED]@x.example"),
        (
            "https://x.example/api?token=t#f",
            "https://x.example/api?[REDACTED]",
        ),
        ("https://x.example/#t", "https://x.example/#[REDACTED]"),
        (" https://x.example ", "https://x.example"),
        // An `@` in the query is not the end of credentials.
        ("https://h/?login=ops@SECRET", "https://h/?[REDACTED]"),
        ("https://h/api#a@SECRET", "https://h/api#[REDACTED]"),
        (
            "https://u:p@h/?login=ops@SECRET",
            "https://[REDACTED]@h/?[REDACTED]",
        ),
        // A password holding `/`, `?` or `#` is not shown in part.
        ("https://u:p/w@h/x", "https://[REDACTED]@h/x"),
        ("https://u:p?w@h/x", "https://[REDACTED]?[REDACTED]"),
        (
            "https://h?login=ops@SECRET",
            "https://[REDACTED]?[REDACTED]",
        ),
    ] {
        assert_eq!(shown_url(raw), shown, "{raw}");
    }
    let url = format!("https://admin:{SECRET}@x.example");
    // `invalid` checks that no problem holds the secret.
    one_problem_naming(
        &[(DOMAIN, &url), (TOKEN, "t"), (PROJECT_ID, "p")],
        &[DOMAIN],
    );
}

#[test]
fn a_query_is_not_shown_even_with_an_at_sign() {
    let url = format!("https://h/?login=ops@{SECRET}");
    for problem in invalid(&[(DOMAIN, &url), (TOKEN, "t"), (PROJECT_ID, "p")]) {
        assert!(problem.contains(DOMAIN), "{problem}");
        assert!(problem.contains("https://h/"), "{problem}");
        assert!(!problem.contains("login="), "{problem}");
    }
    let err = InfisicalClient::builder()
        .base_url(&url)
        .project_id("p")
        .access_token(SecretString::from("t"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(!err.contains(SECRET) && !err.contains("login="), "{err}");
    let url = format!("https://ops:{SECRET}@h/?login=ops@{SECRET}");
    let shown = shown_url(&url);
    assert!(!shown.contains(SECRET) && !shown.contains("ops"), "{shown}");
    // The builder's `Debug` shows its URL the same way.
    let shown = format!("{:?}", InfisicalClient::builder().base_url(&url));
    assert!(
        shown.contains("https://[REDACTED]@h/?[REDACTED]"),
        "{shown}"
    );
    assert!(
        !shown.contains(SECRET) && !shown.contains("login="),
        "{shown}"
    );
}

#[test]
fn credentials_and_project_need_each_other() {
    one_problem_naming(&[(CLIENT_ID, "c"), (CLIENT_SECRET, SECRET)], &[PROJECT_ID]);
    one_problem_naming(&[(TOKEN, "t")], &[PROJECT_ID]);
    one_problem_naming(
        &[(PROJECT_ID, "p")],
        &["no Infisical credentials", CLIENT_ID, TOKEN],
    );
    // Only a URL, or only a scope: both halves are missing.
    assert_eq!(invalid(&[(DOMAIN, "https://x.example")]).len(), 2);
    assert_eq!(invalid(&[(ENVIRONMENT, "prod")]).len(), 2);
    // The same channel as a load's: a report whose problems are configuration problems.
    let err = InfisicalClient::from_env(&env(&[(PROJECT_ID, "p")])).unwrap_err();
    assert!(!err.problems().is_empty(), "{err}");
    assert!(
        err.problems()
            .iter()
            .all(|p| matches!(p.kind(), crate::ProblemKind::Config(_))),
        "{err}"
    );
}

#[test]
fn kubernetes_auth_from_either_identity_variable() {
    let path = std::env::temp_dir().join(format!("secrets-core-k8s-{}", std::process::id()));
    std::fs::write(&path, "jwt").unwrap();
    let file = path.to_str().unwrap();
    for identity in [MACHINE_IDENTITY_ID, KUBERNETES_IDENTITY_ID] {
        let client = ready(&[
            (identity, "id-1"),
            (KUBERNETES_TOKEN_PATH, file),
            (PROJECT_ID, "p"),
        ]);
        match &client.inner.credentials {
            Credentials::Kubernetes {
                identity_id,
                token_path,
            } => assert_eq!(
                (identity_id.as_str(), token_path.as_path()),
                ("id-1", path.as_path())
            ),
            other => panic!("{other:?}"),
        }
    }
    std::fs::remove_file(&path).unwrap();
    one_problem_naming(
        &[
            (MACHINE_IDENTITY_ID, "id-1"),
            (KUBERNETES_TOKEN_PATH, file),
            (PROJECT_ID, "p"),
        ],
        &[KUBERNETES_TOKEN_PATH, file],
    );
    one_problem_naming(
        &[(KUBERNETES_TOKEN_PATH, file), (PROJECT_ID, "p")],
        &[MACHINE_IDENTITY_ID],
    );
    if !Path::new(DEFAULT_KUBERNETES_TOKEN_PATH).exists() {
        one_problem_naming(
            &[(MACHINE_IDENTITY_ID, "id-1"), (PROJECT_ID, "p")],
            &[DEFAULT_KUBERNETES_TOKEN_PATH, KUBERNETES_TOKEN_PATH],
        );
    }
}

#[test]
fn scope_values_are_checked() {
    one_problem_naming(&ua(&[(ENVIRONMENT, "Prod")]), &[ENVIRONMENT]);
    one_problem_naming(&ua(&[(SECRET_PATH, "/a b")]), &[SECRET_PATH]);
    assert_eq!(
        ready(&ua(&[(SECRET_PATH, "backend")])).default_path(),
        Some("/backend")
    );
}

#[test]
fn tuning_variables() {
    let client = ready(&ua(&[(STARTUP_TIMEOUT, "2.5"), (REQUEST_TIMEOUT, "3")]));
    let settings = client.inner.transport.settings();
    assert_eq!(settings.startup_deadline, Duration::from_millis(2500));
    assert_eq!(settings.request_timeout, Duration::from_secs(3));
    one_problem_naming(&ua(&[(STARTUP_TIMEOUT, "soon")]), &[STARTUP_TIMEOUT]);
    one_problem_naming(&ua(&[(REQUEST_TIMEOUT, "0")]), &[REQUEST_TIMEOUT]);
}

#[test]
fn timeouts_take_human_durations_too() {
    let client = ready(&ua(&[
        (STARTUP_TIMEOUT, "1m30s"),
        (REQUEST_TIMEOUT, "250ms"),
    ]));
    let settings = client.inner.transport.settings();
    assert_eq!(settings.startup_deadline, Duration::from_secs(90));
    assert_eq!(settings.request_timeout, Duration::from_millis(250));
    one_problem_naming(&ua(&[(STARTUP_TIMEOUT, "25h")]), &[STARTUP_TIMEOUT]);
    one_problem_naming(&ua(&[(REQUEST_TIMEOUT, "0s")]), &[REQUEST_TIMEOUT]);
}

#[test]
fn ca_bundle_must_be_readable_pem() {
    one_problem_naming(&ua(&[(CA_BUNDLE, "/nonexistent/ca.pem")]), &[CA_BUNDLE]);
    let path = std::env::temp_dir().join(format!("secrets-core-ca-{}", std::process::id()));
    std::fs::write(&path, "not a certificate").unwrap();
    let problems = invalid(&ua(&[(CA_BUNDLE, path.to_str().unwrap())]));
    std::fs::remove_file(&path).unwrap();
    assert!(problems[0].contains("CA bundle"), "{problems:?}");
}

#[cfg(unix)]
#[test]
fn non_unicode_values_are_reported() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let env = Env::from_pairs([
        (PROJECT_ID.to_owned(), OsString::from("p")),
        (TOKEN.to_owned(), OsString::from_vec(vec![0xff, 0xfe])),
    ]);
    let FromEnv::Invalid(problems) = from_env(&env) else {
        panic!("expected invalid");
    };
    assert!(
        problems
            .iter()
            .any(|p| p.contains(TOKEN) && p.contains("UTF-8")),
        "{problems:?}"
    );
}
