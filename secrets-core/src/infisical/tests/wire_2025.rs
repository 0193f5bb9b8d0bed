//! Every response of the June 2025 server that the client can receive, through the
//! client's own parsers (recordings in `tests/fixtures/infisical-2025-06`): listings, single
//! reads, logins and renewals.

use secrecy::ExposeSecret;

use super::recordings::*;
use crate::infisical::api::*;
use crate::infisical::merge::*;
use crate::source::Folder;
use crate::store::{FolderSecrets, StoredSecret, StoredValue};

fn listing(name: &str, folder: &Folder) -> FolderSecrets {
    let r = recording_2025(name);
    assert_eq!(r.status, 200, "{name}");
    parse_listing(r.body.as_bytes(), folder).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn value<'a>(name: &str, folder: &'a FolderSecrets, key: &str) -> &'a str {
    match folder.get(key).map(StoredSecret::stored_value) {
        Some(StoredValue::Value(v)) => v.expose_secret(),
        other => panic!("{name}: {key}: {other:?}"),
    }
}

fn is_unexpanded(folder: &FolderSecrets, key: &str) -> bool {
    matches!(
        folder.get(key).map(StoredSecret::stored_value),
        Some(StoredValue::UnexpandedReference)
    )
}

fn sorted_keys(folder: &FolderSecrets) -> Vec<&str> {
    let mut keys: Vec<&str> = folder.keys().collect();
    keys.sort_unstable();
    keys
}

const ROOT_KEYS: [&str; 7] = [
    "ANTHROPIC_API_KEY",
    "APP_ENV",
    "BROKEN_REF",
    "DATABASE_URL",
    "DB_PASSWORD",
    "JWT_SIGNING_SECRET",
    "READONLY_DATABASE_URL",
];
const READONLY_URL: &str = "postgres://readonly:prod-db-pass-1@db-replica.internal:5432/app";

/// prod `/` as the library's query lists it: expanded, `/shared` merged under it.
fn assert_library_root(name: &str) {
    let f = listing(name, &prod("/"));
    let mut keys = ROOT_KEYS.to_vec();
    keys.extend(["LOG_LEVEL", "SENTRY_DSN"]);
    keys.sort_unstable();
    assert_eq!(sorted_keys(&f), keys, "{name}");
    // The folder's own APP_ENV beats the imported one.
    assert_eq!(value(name, &f, "APP_ENV"), "production", "{name}");
    assert_eq!(f.get("APP_ENV").unwrap().import(), None, "{name}");
    assert_eq!(
        value(name, &f, "SENTRY_DSN"),
        "https://dummy@sentry.example/1"
    );
    assert_eq!(
        f.get("SENTRY_DSN").unwrap().import(),
        Some(&prod("/shared")),
        "{name}"
    );
    assert_eq!(
        value(name, &f, "READONLY_DATABASE_URL"),
        READONLY_URL,
        "{name}"
    );
    // A dangling reference comes back literally: reported, never used.
    assert!(is_unexpanded(&f, "BROKEN_REF"), "{name}");
}

#[test]
fn listings_2025() {
    for name in [
        "v16-v4-list-prod-root-library-query",
        "v18-v4-list-prod-root-if-none-match-stale",
        "v41-v3-raw-list-prod-root-library-query",
        "v77-v4-list-root-describe-mostly-library-query",
        "v82-v4-list-prod-root-viewer-role",
        "v91-cloudmode-ratelimit-last-allowed",
        "v95-selfhosted-list-after-399-lists-no-ratelimit",
    ] {
        assert_library_root(name);
    }
    // Defaults, and camelCase `includeImports` ignored: no expansion, no imports.
    for name in [
        "v10-v4-list-prod-root-defaults",
        "v13-v4-list-prod-root-includeImports-camelcase",
        "v40-v3-raw-list-prod-root",
        "v47-v3-raw-list-by-workspace-slug",
    ] {
        let f = listing(name, &prod("/"));
        assert_eq!(sorted_keys(&f), ROOT_KEYS, "{name}");
        assert!(is_unexpanded(&f, "READONLY_DATABASE_URL"), "{name}");
        assert_eq!(value(name, &f, "DB_PASSWORD"), "prod-db-pass-1", "{name}");
    }
    for name in [
        "v11-v4-list-prod-root-expand",
        "v29-v4-list-broken-reference-is-in-root",
    ] {
        let f = listing(name, &prod("/"));
        assert_eq!(sorted_keys(&f), ROOT_KEYS, "{name}");
        assert_eq!(value(name, &f, "READONLY_DATABASE_URL"), READONLY_URL);
        assert!(is_unexpanded(&f, "BROKEN_REF"), "{name}");
    }
    let imports = listing("v12-v4-list-prod-root-include-imports", &prod("/"));
    assert_eq!(imports.len(), 9);
    assert_eq!(value("v12", &imports, "APP_ENV"), "production");
    assert_eq!(value("v12", &imports, "LOG_LEVEL"), "info");
    assert!(is_unexpanded(&imports, "READONLY_DATABASE_URL"));

    // Recursive: one flat list; of the key in two folders the first listed is kept.
    for name in [
        "v14-v4-list-prod-root-recursive",
        "v15-v4-list-prod-root-recursive-expand-imports",
        "v43-v3-raw-list-prod-root-recursive-expand-imports",
    ] {
        let f = listing(name, &prod("/"));
        assert_eq!(f.len(), 16, "{name}");
        assert_eq!(value(name, &f, "APP_ENV"), "production", "{name}");
        assert_eq!(value(name, &f, "VISIBLE_KEY"), "visible-value", "{name}");
    }

    for name in [
        "v19-v4-list-prod-langgraph-agent-library-query",
        "v20-v4-list-prod-langgraph-agent-trailing-slash",
    ] {
        let f = listing(name, &prod("/langgraph-agent"));
        assert_eq!(f.len(), 5, "{name}");
        assert_eq!(
            value(name, &f, "AGENT_ANTHROPIC_API_KEY"),
            "sk-ant-dummy-prod-0001"
        );
        assert_eq!(
            value(name, &f, "AGENT_DB_URL"),
            "postgres://app:prod-db-pass-1@db.internal:5432/app?application_name=claude-sonnet"
        );
        assert_eq!(
            value(name, &f, "TLS_CA_PEM"),
            "-----BEGIN CERTIFICATE-----\nMIIBdummy\nline2\n-----END CERTIFICATE-----"
        );
    }
    let dev = listing("v21-v4-list-dev-root", &Folder::new("dev", "/"));
    assert_eq!(dev.len(), 4);
    assert_eq!(value("v21", &dev, "APP_ENV"), "development");

    // Empty folder, unknown environment, missing folder: all an empty listing.
    for name in [
        "v22-v4-list-staging-empty",
        "v23-v4-list-unknown-environment",
        "v24-v4-list-missing-folder",
        "v44-v3-raw-list-unknown-environment",
        "v45-v3-raw-list-missing-folder",
    ] {
        assert!(listing(name, &prod("/")).is_empty(), "{name}");
    }

    // Listed without values: every value withheld, the readable one too.
    let hidden = listing(
        "v72-v4-list-restricted-describe-mostly-viewSecretValue-false",
        &prod("/restricted"),
    );
    assert_eq!(sorted_keys(&hidden), ["HIDDEN_KEY", "VISIBLE_KEY"]);
    for key in ["HIDDEN_KEY", "VISIBLE_KEY"] {
        assert!(matches!(
            hidden.get(key).unwrap().stored_value(),
            StoredValue::Withheld
        ));
    }

    // A 304 has no body to parse; the listing is reused.
    for name in [
        "v17-v4-list-prod-root-if-none-match-304",
        "v42-v3-raw-list-if-none-match-304",
    ] {
        let r = recording_2025(name);
        assert_eq!((r.status, r.body.as_str()), (304, ""), "{name}");
        assert!(r.header("etag").is_some(), "{name}");
    }
}

/// Every full listing the June 2025 server sent carries an `ETag`, so the client tells an
/// unchanged one apart by its tag and never hashes a real server's body.
#[test]
fn every_listing_of_2025_is_tagged() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/infisical-2025-06"
    );
    let mut listings = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(name) = name.strip_suffix(".http") else {
            continue;
        };
        if !(name.contains("-v4-list-") || name.contains("-v3-raw-list-")) {
            continue;
        }
        let r = recording_2025(name);
        if r.status == 200 {
            listings += 1;
            assert!(r.header("etag").is_some(), "{name}");
        }
    }
    assert!(listings >= 5, "{listings} listings recorded");
}

#[test]
fn single_gets_2025() {
    let cases = [
        (
            "v30-v4-get-DATABASE_URL",
            "postgres://app:prod-db-pass-1@db.internal:5432/app",
        ),
        ("v31-v4-get-READONLY_DATABASE_URL-expand", READONLY_URL),
        (
            "v32-v4-get-AGENT_DB_URL-expand",
            "postgres://app:prod-db-pass-1@db.internal:5432/app?application_name=claude-sonnet",
        ),
        (
            "v33-v4-get-SENTRY_DSN-imported",
            "https://dummy@sentry.example/1",
        ),
        (
            "v46-v3-raw-get-DATABASE_URL",
            "postgres://app:prod-db-pass-1@db.internal:5432/app",
        ),
        ("v75-v4-get-VISIBLE_KEY-describe-mostly", "visible-value"),
    ];
    for (name, expected) in cases {
        let r = recording_2025(name);
        assert_eq!(r.status, 200, "{name}");
        match parse_single(r.body.as_bytes()).unwrap().stored_value() {
            StoredValue::Value(v) => assert_eq!(v.expose_secret(), expected, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    let broken = recording_2025("v37-v4-get-BROKEN_REF-expand");
    assert!(matches!(
        parse_single(broken.body.as_bytes()).unwrap().stored_value(),
        StoredValue::UnexpandedReference
    ));
    let hidden = recording_2025("v74-v4-get-HIDDEN_KEY-describe-mostly-viewSecretValue-false");
    assert!(matches!(
        parse_single(hidden.body.as_bytes()).unwrap().stored_value(),
        StoredValue::Withheld
    ));
}

#[test]
fn logins_and_renewals_2025() {
    let login: LoginResponse = serde_json::from_str(&recording_2025("v02-ua-login").body).unwrap();
    assert_eq!(
        (login.expires_in, login.access_token_max_ttl),
        (Some(2_592_000), Some(2_592_000))
    );
    let short: LoginResponse =
        serde_json::from_str(&recording_2025("v80-ua-login-short-ttl").body).unwrap();
    let renewed: LoginResponse =
        serde_json::from_str(&recording_2025("v81-token-renew-ok").body).unwrap();
    assert_eq!(
        (renewed.expires_in, renewed.access_token_max_ttl),
        (Some(5), Some(3600))
    );
    // 2025 renews to a new JWT.
    assert_ne!(
        renewed.access_token.expose_secret(),
        short.access_token.expose_secret()
    );
}
