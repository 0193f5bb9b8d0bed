//! The fake's listings and single gets answer like the real servers': v3 and v4 routes, the
//! recursive and conditional lists, replayed against the October 2024 recordings in
//! `ServerMode::Legacy2024`, the June 2025 recordings and the current-API examples in
//! `ServerMode::Current`.

mod support;

use reqwest::header;
use secrets_core::testing::{Route, ServerMode};
use serde_json::{Value, json};

use support::datasets::{
    EXAMPLE_PID, LIB, LIST_COMMENT, PID, PID_2025, USER_JWT, VIEWER_ID, data_set_2025,
    example_data_set, recorded_data_set, sorted_secrets, v3_list, v4_get_2025, v4_list,
    v4_list_2025,
};
use support::recorded::{
    assert_agrees, assert_json_agrees, client, example, get, login, login_as, recorded,
    recorded_2025, send,
};

#[tokio::test]
async fn legacy_lists_match_recordings() {
    let fake = recorded_data_set(ServerMode::Legacy2024).start().await;
    let token = login(&fake).await;
    let cases = [
        ("v10-list-raw-prod-root", v3_list("&secretPath=/")),
        ("v11-list-raw-prod-root-expand", v3_list("&secretPath=/&expandSecretReferences=true")),
        ("v12-list-raw-prod-root-include-imports", v3_list("&secretPath=/&include_imports=true")),
        ("v13-list-raw-prod-root-recursive", v3_list("&secretPath=/&recursive=true")),
        (
            "v14-list-raw-prod-root-recursive-expand-imports",
            v3_list("&secretPath=/&recursive=true&expandSecretReferences=true&include_imports=true"),
        ),
        ("v15-list-raw-prod-langgraph-agent", v3_list("&secretPath=/langgraph-agent")),
        (
            "v16-list-raw-prod-langgraph-agent-expand",
            v3_list("&secretPath=/langgraph-agent&expandSecretReferences=true"),
        ),
        ("v17-list-raw-prod-langgraph-agent-trailing-slash", v3_list("&secretPath=/langgraph-agent/")),
        (
            "v18-list-raw-dev-root",
            format!("/api/v3/secrets/raw?workspaceId={PID}&environment=dev&secretPath=/"),
        ),
        (
            "v19-list-raw-prod-root-by-workspace-slug",
            "/api/v3/secrets/raw?workspaceSlug=langgraph-agent-demo&environment=prod&secretPath=/".to_owned(),
        ),
        (
            "v20-list-raw-staging-empty",
            format!("/api/v3/secrets/raw?workspaceId={PID}&environment=staging&secretPath=/"),
        ),
        (
            "v43-list-raw-bad-environment",
            format!("/api/v3/secrets/raw?workspaceId={PID}&environment=nope&secretPath=/"),
        ),
        (
            "v44-list-raw-missing-environment",
            format!("/api/v3/secrets/raw?workspaceId={PID}&secretPath=/"),
        ),
        ("v45-list-raw-missing-folder", v3_list("&secretPath=/does-not-exist")),
        (
            "v46-list-raw-unknown-workspace",
            "/api/v3/secrets/raw?workspaceId=00000000-1111-4222-8333-444444444444&environment=prod&secretPath=/"
                .to_owned(),
        ),
        ("v47-list-raw-bad-bool-param", v3_list("&secretPath=/&expandSecretReferences=yes")),
    ];
    for (fixture, path) in cases {
        assert_agrees(&recorded(fixture), &get(&fake, &token, &path).await);
    }

    // The same list with a user session (v49) and with the viewer identity (v82).
    let user = get(&fake, USER_JWT, &v3_list("&secretPath=/")).await;
    assert_agrees(&recorded("v49-list-raw-admin-user-jwt"), &user);
    let viewer = login_as(&fake, VIEWER_ID).await;
    let as_viewer = get(&fake, &viewer, &v3_list("&secretPath=/")).await;
    assert_agrees(&recorded("v82-list-raw-prod-root-viewer-role"), &as_viewer);
}

#[tokio::test]
async fn legacy_single_gets_match_recordings() {
    let fake = recorded_data_set(ServerMode::Legacy2024).start().await;
    let token = login(&fake).await;
    let raw = |name: &str, query: &str| {
        format!("/api/v3/secrets/raw/{name}?workspaceId={PID}&environment=prod{query}")
    };
    let cases = [
        ("v30-get-raw-prod-DATABASE_URL", raw("DATABASE_URL", "")),
        (
            "v31-get-raw-prod-READONLY_DATABASE_URL",
            raw("READONLY_DATABASE_URL", "&secretPath=/"),
        ),
        (
            "v32-get-raw-prod-READONLY_DATABASE_URL-expand",
            raw(
                "READONLY_DATABASE_URL",
                "&secretPath=/&expandSecretReferences=true",
            ),
        ),
        (
            "v33-get-raw-prod-langgraph-agent-AGENT_DB_URL-expand",
            raw(
                "AGENT_DB_URL",
                "&secretPath=/langgraph-agent&expandSecretReferences=true",
            ),
        ),
        (
            "v34-get-raw-prod-root-SENTRY_DSN-imported",
            raw("SENTRY_DSN", "&secretPath=/&include_imports=true"),
        ),
        (
            "v35-get-raw-prod-root-SENTRY_DSN-no-imports",
            raw("SENTRY_DSN", "&secretPath=/"),
        ),
        (
            "v36-get-raw-prod-MISSING_KEY",
            raw("MISSING_KEY", "&secretPath=/"),
        ),
        (
            "v37-get-raw-prod-langgraph-agent-TLS_CA_PEM",
            raw("TLS_CA_PEM", "&secretPath=/langgraph-agent"),
        ),
        (
            "v38-get-raw-prod-DATABASE_URL-version-1",
            raw("DATABASE_URL", "&version=1"),
        ),
        (
            "v48-get-raw-bad-environment",
            format!("/api/v3/secrets/raw/DATABASE_URL?workspaceId={PID}&environment=nope"),
        ),
    ];
    for (fixture, path) in cases {
        assert_agrees(&recorded(fixture), &get(&fake, &token, &path).await);
    }
}

#[tokio::test]
async fn legacy_server_has_no_v4_routes() {
    let fake = recorded_data_set(ServerMode::Legacy2024).start().await;
    let token = login(&fake).await;
    for (fixture, path) in [
        (
            "v50-v4-secrets-list",
            format!("/api/v4/secrets?projectId={PID}&environment=prod&secretPath=/"),
        ),
        (
            "v51-v4-secret-get",
            format!("/api/v4/secrets/DATABASE_URL?projectId={PID}&environment=prod"),
        ),
    ] {
        let fixture = recorded(fixture);
        let got = get(&fake, &token, &path).await;
        assert_agrees(&fixture, &got);
        // Fastify's own body, byte for byte, key order included.
        assert_eq!(got.body, fixture.body, "{}", fixture.name);
    }
    assert_eq!(fake.request_count(Route::ListV4), 1);
    assert_eq!(fake.request_count(Route::GetV4), 1);

    let docker = recorded_data_set(ServerMode::Legacy2024)
        .html_404_for_unknown_routes(true)
        .start()
        .await;
    let got = get(
        &docker,
        &token,
        &format!("/api/v4/secrets?projectId={PID}&environment=prod"),
    )
    .await;
    assert_eq!(got.status, 404);
    assert_eq!(got.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(got.body.starts_with("<!DOCTYPE html>"), "{}", got.body);
}

#[tokio::test]
async fn current_v4_lists_match_2025_recordings() {
    let fake = data_set_2025().start().await;
    let token = login(&fake).await;
    let root = "&environment=prod&secretPath=/";
    let cases = [
        ("v10-v4-list-prod-root-defaults", v4_list_2025(root)),
        (
            "v11-v4-list-prod-root-expand",
            v4_list_2025(&format!("{root}&expandSecretReferences=true")),
        ),
        (
            "v12-v4-list-prod-root-include-imports",
            v4_list_2025(&format!("{root}&include_imports=true")),
        ),
        (
            "v13-v4-list-prod-root-includeImports-camelcase",
            v4_list_2025(&format!("{root}&includeImports=true")),
        ),
        (
            "v16-v4-list-prod-root-library-query",
            v4_list_2025(&format!("{root}&{LIB}")),
        ),
        (
            "v19-v4-list-prod-langgraph-agent-library-query",
            v4_list_2025(&format!(
                "&environment=prod&secretPath=/langgraph-agent&{LIB}"
            )),
        ),
        (
            "v20-v4-list-prod-langgraph-agent-trailing-slash",
            v4_list_2025(&format!(
                "&environment=prod&secretPath=/langgraph-agent/&{LIB}"
            )),
        ),
        (
            "v21-v4-list-dev-root",
            v4_list_2025(&format!("&environment=dev&secretPath=/&{LIB}")),
        ),
        (
            "v22-v4-list-staging-empty",
            v4_list_2025(&format!("&environment=staging&secretPath=/&{LIB}")),
        ),
        (
            "v23-v4-list-unknown-environment",
            v4_list_2025(&format!("&environment=nosuchenv&secretPath=/&{LIB}")),
        ),
        (
            "v24-v4-list-missing-folder",
            v4_list_2025(&format!(
                "&environment=prod&secretPath=/does-not-exist&{LIB}"
            )),
        ),
        (
            "v25-v4-list-unknown-project",
            format!("/api/v4/secrets?projectId=00000000-0000-4000-8000-000000000000{root}"),
        ),
        (
            "v26-v4-list-missing-project-id",
            "/api/v4/secrets?environment=prod&secretPath=/".to_owned(),
        ),
        (
            "v27-v4-list-bad-bool-param",
            v4_list_2025(&format!("{root}&expandSecretReferences=yes")),
        ),
        (
            "v28-v4-list-workspaceId-instead-of-projectId",
            format!("/api/v4/secrets?workspaceId={PID_2025}{root}"),
        ),
        (
            "v29-v4-list-broken-reference-is-in-root",
            v4_list_2025(&format!("{root}&expandSecretReferences=true")),
        ),
    ];
    for (fixture, path) in cases {
        assert_agrees(&recorded_2025(fixture), &get(&fake, &token, &path).await);
    }
}

#[tokio::test]
async fn current_recursive_and_conditional_lists_match_2025_recordings() {
    let fake = data_set_2025().start().await;
    let token = login(&fake).await;
    let root = "&environment=prod&secretPath=/";
    // Recursive lists: the same secrets, in no particular order.
    for (fixture, query) in [
        ("v14-v4-list-prod-root-recursive", "&recursive=true"),
        (
            "v15-v4-list-prod-root-recursive-expand-imports",
            "&recursive=true&expandSecretReferences=true&include_imports=true",
        ),
    ] {
        let fixture = recorded_2025(fixture);
        let got = get(&fake, &token, &v4_list_2025(&format!("{root}{query}"))).await;
        assert_eq!(got.status, fixture.status, "{}", fixture.name);
        assert_json_agrees(
            &fixture.name,
            &sorted_secrets(fixture.json()),
            &sorted_secrets(got.json()),
        );
    }

    // `If-None-Match`: the fake's own etag answers 304 with an empty body, a stale one 200.
    let library = v4_list_2025(&format!("{root}&{LIB}"));
    let first = get(&fake, &token, &library).await;
    let tag = first.header("etag").expect("etag").to_owned();
    let not_modified = send(
        client()
            .get(format!("{}{library}", fake.url()))
            .bearer_auth(&token)
            .header(header::IF_NONE_MATCH, &tag),
    )
    .await;
    let fixture = recorded_2025("v17-v4-list-prod-root-if-none-match-304");
    assert_eq!(not_modified.status, fixture.status);
    assert_eq!(not_modified.body, fixture.body);
    assert_eq!(not_modified.header("etag"), Some(tag.as_str()));
    let stale = send(
        client()
            .get(format!("{}{library}", fake.url()))
            .bearer_auth(&token)
            .header(header::IF_NONE_MATCH, "\"stale\""),
    )
    .await;
    assert_agrees(
        &recorded_2025("v18-v4-list-prod-root-if-none-match-stale"),
        &stale,
    );
}

#[tokio::test]
async fn current_v4_single_gets_match_2025_recordings() {
    let fake = data_set_2025().start().await;
    let token = login(&fake).await;
    let cases = [
        (
            "v30-v4-get-DATABASE_URL",
            v4_get_2025("DATABASE_URL", "&environment=prod&secretPath=/"),
        ),
        (
            "v31-v4-get-READONLY_DATABASE_URL-expand",
            v4_get_2025(
                "READONLY_DATABASE_URL",
                "&environment=prod&secretPath=/&expandSecretReferences=true",
            ),
        ),
        (
            "v32-v4-get-AGENT_DB_URL-expand",
            v4_get_2025(
                "AGENT_DB_URL",
                "&environment=prod&secretPath=/langgraph-agent&expandSecretReferences=true",
            ),
        ),
        (
            "v33-v4-get-SENTRY_DSN-imported",
            v4_get_2025(
                "SENTRY_DSN",
                "&environment=prod&secretPath=/&include_imports=true",
            ),
        ),
        (
            "v34-v4-get-SENTRY_DSN-no-imports",
            v4_get_2025("SENTRY_DSN", "&environment=prod&secretPath=/"),
        ),
        (
            "v35-v4-get-MISSING_KEY",
            v4_get_2025("MISSING_KEY", "&environment=prod&secretPath=/"),
        ),
        (
            "v36-v4-get-unknown-environment",
            v4_get_2025("DATABASE_URL", "&environment=nosuchenv&secretPath=/"),
        ),
        (
            "v37-v4-get-BROKEN_REF-expand",
            v4_get_2025(
                "BROKEN_REF",
                "&environment=prod&secretPath=/&expandSecretReferences=true",
            ),
        ),
    ];
    for (fixture, path) in cases {
        assert_agrees(&recorded_2025(fixture), &get(&fake, &token, &path).await);
    }
}

#[tokio::test]
async fn current_v3_routes_match_2025_recordings() {
    let fake = data_set_2025().start().await;
    let token = login(&fake).await;
    let v3 = |query: &str| format!("/api/v3/secrets/raw?workspaceId={PID_2025}{query}");
    let root = "&environment=prod&secretPath=/";
    let cases = [
        ("v40-v3-raw-list-prod-root", v3(root)),
        (
            "v41-v3-raw-list-prod-root-library-query",
            v3(&format!("{root}&{LIB}")),
        ),
        (
            "v44-v3-raw-list-unknown-environment",
            v3(&format!("&environment=nosuchenv&secretPath=/&{LIB}")),
        ),
        (
            "v45-v3-raw-list-missing-folder",
            v3(&format!(
                "&environment=prod&secretPath=/does-not-exist&{LIB}"
            )),
        ),
        (
            "v46-v3-raw-get-DATABASE_URL",
            format!("/api/v3/secrets/raw/DATABASE_URL?workspaceId={PID_2025}{root}"),
        ),
        (
            "v47-v3-raw-list-by-workspace-slug",
            format!("/api/v3/secrets/raw?workspaceSlug=langgraph-agent-demo{root}"),
        ),
        (
            "v48-v3-raw-get-unknown-environment",
            format!(
                "/api/v3/secrets/raw/DATABASE_URL?workspaceId={PID_2025}&environment=nosuchenv&secretPath=/"
            ),
        ),
    ];
    for (fixture, path) in cases {
        assert_agrees(&recorded_2025(fixture), &get(&fake, &token, &path).await);
    }
    let fixture = recorded_2025("v43-v3-raw-list-prod-root-recursive-expand-imports");
    let got = get(
        &fake,
        &token,
        &v3(&format!(
            "{root}&recursive=true&expandSecretReferences=true&include_imports=true"
        )),
    )
    .await;
    assert_eq!(got.status, fixture.status);
    assert_json_agrees(
        &fixture.name,
        &sorted_secrets(fixture.json()),
        &sorted_secrets(got.json()),
    );
}

#[tokio::test]
async fn current_list_matches_example() {
    let fake = example_data_set(LIST_COMMENT).start().await;
    let token = login(&fake).await;
    let got = get(
        &fake,
        &token,
        &v4_list("&secretPath=/backend&expandSecretReferences=true&includeImports=true&include_imports=true&recursive=false&viewSecretValue=true&includePersonalOverrides=false"),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.body);
    // Where the hand-written example and the June 2025 server differ, the server wins: its
    // import items have an empty `workspace`, no reminder fields and no `actor` (v16, v77).
    let mut expected = example("list-secrets-v4-with-imports");
    // Nor an `actor` where none is known (the example's `null`).
    for secret in expected["secrets"].as_array_mut().expect("secrets") {
        let secret = secret.as_object_mut().expect("secret");
        if secret.get("actor") == Some(&Value::Null) {
            secret.remove("actor");
        }
    }
    for block in expected["imports"].as_array_mut().expect("imports") {
        for secret in block["secrets"].as_array_mut().expect("secrets") {
            let secret = secret.as_object_mut().expect("secret");
            for key in ["secretReminderNote", "secretReminderRepeatDays", "actor"] {
                secret.remove(key);
            }
            secret.insert("workspace".to_owned(), json!(""));
        }
    }
    assert_json_agrees("list-secrets-v4-with-imports", &expected, &got.json());
}

#[tokio::test]
async fn current_single_get_matches_example() {
    let fake = example_data_set("").start().await;
    let token = login(&fake).await;
    let got = get(
        &fake,
        &token,
        &format!("/api/v4/secrets/DATABASE_URL?projectId={EXAMPLE_PID}&environment=prod&secretPath=/backend"),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.body);
    // The June 2025 server's single get has no rotation fields (recording v30).
    let mut expected = example("get-secret-v4");
    let secret = expected["secret"].as_object_mut().expect("secret");
    secret.remove("isRotatedSecret");
    secret.remove("rotationId");
    assert_json_agrees("get-secret-v4", &expected, &got.json());
}

/// Current servers serve v3 raw lists in the current shape, `imports` always present.
#[tokio::test]
async fn current_v3_lists_have_current_fields() {
    let fake = recorded_data_set(ServerMode::Current).start().await;
    let token = login(&fake).await;
    let got = get(&fake, &token, &v3_list("&secretPath=/")).await.json();
    assert_eq!(got["imports"], json!([]));
    let first = &got["secrets"][0];
    for key in [
        "secretValueHidden",
        "secretMetadata",
        "isRotatedSecret",
        "rotationId",
    ] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    // No `actor` unless one was set: the June 2025 server sends none (recording v40).
    assert!(first.get("metadata").is_none() && first.get("actor").is_none());
    assert_eq!(first["workspace"], PID);

    let with_imports = get(
        &fake,
        &token,
        &v3_list("&secretPath=/&include_imports=true"),
    )
    .await
    .json();
    // Import items: empty `workspace`, no reminder fields (June 2025, recording v41).
    let imported = &with_imports["imports"][0]["secrets"][0];
    assert_eq!(imported["workspace"], "");
    assert!(imported.get("secretReminderNote").is_none());
    assert!(imported.get("tags").is_none() && imported.get("createdAt").is_none());
}
