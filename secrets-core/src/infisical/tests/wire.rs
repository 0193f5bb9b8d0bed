//! Listings, single reads and logins of the 2024-10 server, through the client's parsers.

use secrecy::ExposeSecret;

use super::recordings::*;
use crate::infisical::api::*;
use crate::infisical::merge::*;
use crate::source::Folder;
use crate::store::StoredValue;

#[test]
fn v10_plain_listing_parses_every_secret() {
    let r = recording("v10-list-raw-prod-root");
    assert_eq!(r.status, 200);
    let f = list(&r.body, &prod("/"));
    assert_eq!(f.len(), 6);
    assert_eq!(value(&f, "APP_ENV"), "production");
    assert_eq!(value(&f, "DB_PASSWORD"), "dummy-db-password");
    // Not expanded in this call: the reference is reported, its text dropped.
    assert!(matches!(
        f.get("READONLY_DATABASE_URL").unwrap().stored_value(),
        StoredValue::UnexpandedReference
    ));
}

#[test]
fn v11_expanded_reference_is_a_value() {
    let f = list(&recording("v11-list-raw-prod-root-expand").body, &prod("/"));
    assert_eq!(
        value(&f, "READONLY_DATABASE_URL"),
        "postgres://readonly:dummy-db-password@db-replica.internal:5432/app"
    );
}

#[test]
fn v12_folder_shadows_its_import() {
    let f = list(
        &recording("v12-list-raw-prod-root-include-imports").body,
        &prod("/"),
    );
    assert_eq!(value(&f, "APP_ENV"), "production");
    assert_eq!(import_of(&f, "APP_ENV"), None);
    assert_eq!(value(&f, "SENTRY_DSN"), "https://dummy@sentry.invalid/1");
    assert_eq!(import_of(&f, "SENTRY_DSN").as_deref(), Some("prod:/shared"));
    assert_eq!(value(&f, "LOG_LEVEL"), "info");
    assert_eq!(import_of(&f, "LOG_LEVEL").as_deref(), Some("prod:/shared"));
    assert_eq!(f.len(), 8);
}

#[test]
fn v13_recursive_duplicates_keep_the_first() {
    let r = recording("v13-list-raw-prod-root-recursive");
    let parsed: ListResponse = serde_json::from_str(&r.body).unwrap();
    let first_app_env = parsed
        .secrets
        .iter()
        .find(|s| s.key() == "APP_ENV")
        .unwrap()
        .value()
        .to_owned();
    let f = parsed.merge(&prod("/"));
    assert_eq!(value(&f, "APP_ENV"), first_app_env);
    assert!(f.get("LANGSMITH_API_KEY").is_some());
}

#[test]
fn v14_references_expanded_across_folders() {
    let f = list(
        &recording("v14-list-raw-prod-root-recursive-expand-imports").body,
        &prod("/"),
    );
    assert_eq!(
        value(&f, "AGENT_DB_URL"),
        "postgres://app:dummy-db-password@db.internal:5432/app?application_name=claude-3-5-sonnet-20241022"
    );
    assert_eq!(
        value(&f, "AGENT_ANTHROPIC_API_KEY"),
        "sk-ant-dummy-0000000000000000000000000000"
    );
}

#[test]
fn v15_v17_unexpanded_cross_path_references_are_flagged() {
    for name in [
        "v15-list-raw-prod-langgraph-agent",
        "v17-list-raw-prod-langgraph-agent-trailing-slash",
    ] {
        let f = list(&recording(name).body, &prod("/langgraph-agent"));
        assert!(
            matches!(
                f.get("AGENT_ANTHROPIC_API_KEY").unwrap().stored_value(),
                StoredValue::UnexpandedReference
            ),
            "{name}"
        );
        assert_eq!(value(&f, "AGENT_MODEL"), "claude-3-5-sonnet-20241022");
    }
}

#[test]
fn v16_cross_path_reference_expanded_and_multiline_kept() {
    let f = list(
        &recording("v16-list-raw-prod-langgraph-agent-expand").body,
        &prod("/langgraph-agent"),
    );
    assert_eq!(
        value(&f, "AGENT_ANTHROPIC_API_KEY"),
        "sk-ant-dummy-0000000000000000000000000000"
    );
    assert_eq!(
        value(&f, "AGENT_DB_URL"),
        "postgres://app:dummy-db-password@db.internal:5432/app?application_name=claude-3-5-sonnet-20241022"
    );
    assert!(value(&f, "TLS_CA_PEM").contains("\nMIIBdummydummydummy\n"));
}

#[test]
fn v18_v19_v49_v82_listings() {
    let dev = list(
        &recording("v18-list-raw-dev-root").body,
        &Folder::new("dev", "/"),
    );
    assert_eq!(value(&dev, "APP_ENV"), "development");
    assert_eq!(dev.len(), 4);
    for name in [
        "v19-list-raw-prod-root-by-workspace-slug",
        "v49-list-raw-admin-user-jwt",
        "v70-ratelimit-last-allowed-remaining-0",
        "v82-list-raw-prod-root-viewer-role",
    ] {
        let f = list(&recording(name).body, &prod("/"));
        assert_eq!(
            value(&f, "DATABASE_URL"),
            "postgres://app:dummy-db-password@db.internal:5432/app",
            "{name}"
        );
        assert_eq!(f.len(), 6, "{name}");
    }
}

#[test]
fn v20_v43_v45_empty_listings() {
    for name in [
        "v20-list-raw-staging-empty",
        "v43-list-raw-bad-environment",
        "v45-list-raw-missing-folder",
        "v52-v3-encrypted-list",
    ] {
        let r = recording(name);
        assert_eq!(r.status, 200);
        assert!(
            list(&r.body, &Folder::new("staging", "/")).is_empty(),
            "{name}"
        );
    }
}

#[test]
fn v30_v38_single_gets_parse() {
    let cases = [
        ("v30-get-raw-prod-DATABASE_URL", "DATABASE_URL"),
        (
            "v31-get-raw-prod-READONLY_DATABASE_URL",
            "READONLY_DATABASE_URL",
        ),
        (
            "v32-get-raw-prod-READONLY_DATABASE_URL-expand",
            "READONLY_DATABASE_URL",
        ),
        (
            "v33-get-raw-prod-langgraph-agent-AGENT_DB_URL-expand",
            "AGENT_DB_URL",
        ),
        ("v34-get-raw-prod-root-SENTRY_DSN-imported", "SENTRY_DSN"),
        ("v37-get-raw-prod-langgraph-agent-TLS_CA_PEM", "TLS_CA_PEM"),
        ("v38-get-raw-prod-DATABASE_URL-version-1", "DATABASE_URL"),
    ];
    for (name, key) in cases {
        let r = recording(name);
        let got: GetResponse = serde_json::from_str(&r.body).unwrap();
        assert_eq!(got.secret.key(), key, "{name}");
    }
    let v32: GetResponse =
        serde_json::from_str(&recording("v32-get-raw-prod-READONLY_DATABASE_URL-expand").body)
            .unwrap();
    assert!(!has_unexpanded_reference(v32.secret.value()));
    let v31: GetResponse =
        serde_json::from_str(&recording("v31-get-raw-prod-READONLY_DATABASE_URL").body).unwrap();
    assert!(has_unexpanded_reference(v31.secret.value()));
    let current: GetResponse = serde_json::from_str(&example("get-secret-v4.json")).unwrap();
    assert_eq!(current.secret.key(), "DATABASE_URL");
}

#[test]
fn current_listing_with_two_imports() {
    let f = list(
        &example("list-secrets-v4-with-imports.json"),
        &prod("/backend"),
    );
    assert_eq!(
        value(&f, "DATABASE_URL"),
        "postgres://app:dummy-password@db.internal:5432/app"
    );
    assert_eq!(value(&f, "LOG_LEVEL"), "info");
    assert_eq!(import_of(&f, "LOG_LEVEL"), None);
    assert!(matches!(
        f.get("FEATURE_FLAGS_URL").unwrap().stored_value(),
        StoredValue::UnexpandedReference
    ));
    // The later import block wins.
    assert_eq!(
        value(&f, "SENTRY_DSN"),
        "https://otherdummy@o0.ingest.example.invalid/2"
    );
    assert_eq!(import_of(&f, "SENTRY_DSN").as_deref(), Some("common:/"));
    assert_eq!(f.len(), 4);
}

#[test]
fn hidden_values_are_withheld() {
    let body = r#"{"secrets":[
        {"secretKey":"A","secretValue":"<hidden-by-infisical>","type":"shared"},
        {"secretKey":"B","secretValue":"whatever","secretValueHidden":true},
        {"secretKey":"C","secretValue":"shown","secretValueHidden":false}
    ],"imports":[{"secretPath":"/x","environment":"prod","secrets":[
        {"secretKey":"D","secretValue":"<hidden-by-infisical>","secretValueHidden":true}
    ]}]}"#;
    let f = list(body, &prod("/"));
    for key in ["A", "B", "D"] {
        assert!(
            matches!(f.get(key).unwrap().stored_value(), StoredValue::Withheld),
            "{key}"
        );
    }
    assert_eq!(value(&f, "C"), "shown");
    assert_eq!(import_of(&f, "D").as_deref(), Some("prod:/x"));
}

#[test]
fn personal_beats_shared_and_duplicates_do_not_panic() {
    let body = r#"{"secrets":[
        {"secretKey":"K","secretValue":"shared","type":"shared"},
        {"secretKey":"K","secretValue":"mine","type":"personal"},
        {"secretKey":"K","secretValue":"shared-again","type":"shared"},
        {"secretKey":"P","secretValue":"mine-first","type":"personal"},
        {"secretKey":"P","secretValue":"shared-later","type":"shared"},
        {"secretKey":"D","secretValue":"first"},
        {"secretKey":"D","secretValue":"second"}
    ]}"#;
    let f = list(body, &prod("/"));
    assert_eq!(value(&f, "K"), "mine");
    assert_eq!(value(&f, "P"), "mine-first");
    assert_eq!(value(&f, "D"), "first");
}

#[test]
fn defensive_shapes() {
    // No folderId, null imports, extra fields, import without environment.
    let body = r#"{"secrets":[],"imports":[{"secretPath":"/gone","secrets":[
        {"secretKey":"X","secretValue":"1","extra":{"a":[1,2]}}]}],"more":true}"#;
    let f = list(body, &prod("/"));
    assert_eq!(import_of(&f, "X").as_deref(), Some("prod:/gone"));
    assert!(list(r#"{"secrets":[],"imports":null}"#, &prod("/")).is_empty());
    // Wrong shapes are errors, not empty listings.
    assert!(serde_json::from_str::<ListResponse>("{}").is_err());
    assert!(serde_json::from_str::<ListResponse>(r#"{"secrets":{}}"#).is_err());
    assert!(serde_json::from_str::<ListResponse>(r#"{"secrets":[{"secretKey":"A"}]}"#).is_err());
}

#[test]
fn arrays_are_not_objects_at_any_level() {
    // serde's derive reads a struct from an array of its fields too; none of these is a
    // listing, however well the fields line up.
    for body in [
        "[[]]",
        r#"[[["DATABASE_URL","V"]]]"#,
        r#"[[["DATABASE_URL","V"]],[]]"#,
        r#"{"secrets":[["DATABASE_URL","V"]]}"#,
        r#"{"secrets":[],"imports":[["/x","prod",[]]]}"#,
        r#"{"secrets":[],"imports":[{"secretPath":"/x","secrets":[["DATABASE_URL","V"]]}]}"#,
    ] {
        assert!(
            serde_json::from_str::<ListResponse>(body).is_err(),
            "{body}"
        );
    }
    for body in [r#"["eyJ.a.b"]"#, r#"["eyJ.a.b",7200,86400]"#] {
        assert!(
            serde_json::from_str::<LoginResponse>(body).is_err(),
            "{body}"
        );
    }
    assert!(serde_json::from_str::<GetResponse>(r#"[["K","V"]]"#).is_err());
    // The objects themselves still parse.
    let f = list(
        r#"{"secrets":[{"secretKey":"A","secretValue":"1"}],"imports":[]}"#,
        &prod("/"),
    );
    assert_eq!(value(&f, "A"), "1");
}

#[test]
fn unexpanded_reference_detection() {
    assert!(has_unexpanded_reference("a${B}c"));
    assert!(has_unexpanded_reference("${env.folder.KEY}"));
    assert!(!has_unexpanded_reference("plain $HOME ${"));
    assert!(!has_unexpanded_reference("${}"));
    assert!(!has_unexpanded_reference("$ {X}"));
}

#[test]
fn login_responses_parse() {
    for name in [
        "v02-ua-login",
        "v06-ua-login-form-encoded",
        "v61-ua-login-for-revoke",
    ] {
        let login: LoginResponse = serde_json::from_str(&recording(name).body).unwrap();
        assert!(login.access_token.expose_secret().starts_with("eyJ"));
        assert_eq!(login.expires_in, Some(2_592_000));
    }
    let short: LoginResponse =
        serde_json::from_str(&recording("v80-ua-login-short-ttl").body).unwrap();
    assert_eq!(
        (short.expires_in, short.access_token_max_ttl),
        (Some(5), Some(3600))
    );
    let renew: LoginResponse = serde_json::from_str(&recording("v81-token-renew-ok").body).unwrap();
    assert_eq!(renew.expires_in, Some(5));
    let current: LoginResponse =
        serde_json::from_str(&example("universal-auth-login.json")).unwrap();
    assert_eq!(
        (current.expires_in, current.access_token_max_ttl),
        (Some(7200), Some(86400))
    );
}
