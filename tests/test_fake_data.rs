//! What the fake does with its data set, beyond the recordings: references, multiline values,
//! hidden and unreadable values, personal overrides, imports, unknown folders and projects,
//! and secrets changed while it runs.

mod support;

use secrets_core::testing::{FakeInfisical, FakeSecret, ServerMode};
use serde_json::{Value, json};

use support::datasets::{
    CLIENT_SECRET, DESCRIBE_ID, LIB, PID_2025, data_set_2025, v3_list_for, v4_get_2025,
    v4_list_2025, v4_list_for,
};
use support::recorded::{assert_agrees, get, post_json, recorded_2025};

#[tokio::test]
async fn references_expand_nested_and_leave_unknown_ones() {
    let mut builder = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "HOST", "db.internal")
        .secret("prod", "/", "URL", "postgres://${HOST}/${prod.a.b.NAME}")
        .secret("prod", "/a/b", "NAME", "${USER}_db")
        .secret("prod", "/a/b", "USER", "app")
        .secret(
            "prod",
            "/",
            "MISSING",
            "${NOPE} ${staging.X} ${prod.no.such.KEY}",
        )
        .secret("prod", "/", "EMPTY", "")
        .secret("prod", "/", "TO_EMPTY", "[${EMPTY}]")
        .secret("prod", "/", "CYCLE_A", "a${CYCLE_B}")
        .secret("prod", "/", "CYCLE_B", "b${CYCLE_A}")
        .secret("prod", "/", "ODD", "${with space}")
        .secret("prod", "/", "with space", "x")
        .secret("prod", "/", "OPEN", "${HOST");
    // A chain of 12: only 10 levels are followed.
    builder = builder.secret("prod", "/", "CHAIN_0", "end");
    for i in 1..=12 {
        builder = builder.secret(
            "prod",
            "/",
            format!("CHAIN_{i}"),
            format!("${{CHAIN_{}}}", i - 1),
        );
    }
    let fake = builder.start().await;
    let got = get(
        &fake,
        "t",
        &format!(
            "/api/v4/secrets?projectId={}&environment=prod&secretPath=/&expandSecretReferences=true",
            fake.project_id()
        ),
    )
    .await;
    assert_eq!(got.status, 200, "{}", got.body);
    let body = got.json();
    let value = |key: &str| {
        body["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["secretKey"] == key)
            .unwrap_or_else(|| panic!("{key} not listed"))["secretValue"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(value("URL"), "postgres://db.internal/app_db");
    assert_eq!(value("MISSING"), "${NOPE} ${staging.X} ${prod.no.such.KEY}");
    assert_eq!(value("TO_EMPTY"), "[${EMPTY}]");
    assert!(value("CYCLE_A").starts_with("ababab") && value("CYCLE_A").contains("${CYCLE_"));
    // Current servers only recognise `[A-Za-z0-9_.-]` inside `${}`.
    assert_eq!(value("ODD"), "${with space}");
    assert_eq!(value("OPEN"), "${HOST");
    assert_eq!(value("CHAIN_10"), "end");
    assert_eq!(value("CHAIN_12"), "${CHAIN_1}");

    let legacy = FakeInfisical::builder()
        .mode(ServerMode::Legacy2024)
        .access_token("t")
        .secret("prod", "/", "ODD", "${with space}")
        .secret("prod", "/", "with space", "x")
        .start()
        .await;
    let got = get(
        &legacy,
        "t",
        &v3_list_for(legacy.project_id(), "&expandSecretReferences=true"),
    )
    .await;
    assert_eq!(
        got.json()["secrets"][0]["secretValue"],
        "x",
        "2024 took any characters"
    );
}

#[tokio::test]
async fn multiline_values_with_skip_encoding_come_back_quoted() {
    let fake = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "PEM", "line1\nline2")
        .secret_with(
            FakeSecret::new("prod", "/", "WRAPPED", "${PEM}").skip_multiline_encoding(true),
        )
        .start()
        .await;
    let got = get(
        &fake,
        "t",
        &v4_list_for(fake.project_id(), "&expandSecretReferences=true"),
    )
    .await
    .json();
    assert_eq!(got["secrets"][1]["secretValue"], "\"line1\\nline2\"");
    assert_eq!(got["secrets"][1]["skipMultilineEncoding"], true);
    let raw = get(&fake, "t", &v4_list_for(fake.project_id(), ""))
        .await
        .json();
    assert_eq!(raw["secrets"][1]["secretValue"], "${PEM}");
}

#[tokio::test]
async fn hidden_values() {
    let fake = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "SHOWN", "visible")
        .hidden_secret("prod", "/", "HIDDEN_KEY", "value")
        .start()
        .await;
    let pid = fake.project_id().to_owned();
    let got = get(&fake, "t", &v4_list_for(&pid, "")).await.json();
    assert_eq!(got["secrets"][0]["secretValue"], "visible");
    assert_eq!(got["secrets"][0]["secretValueHidden"], false);
    assert_eq!(got["secrets"][1]["secretValue"], "<hidden-by-infisical>");
    assert_eq!(got["secrets"][1]["secretValueHidden"], true);

    let got = get(&fake, "t", &v4_list_for(&pid, "&viewSecretValue=false"))
        .await
        .json();
    for secret in got["secrets"].as_array().unwrap() {
        assert_eq!(secret["secretValue"], "<hidden-by-infisical>");
        assert_eq!(secret["secretValueHidden"], true);
    }
    let single = get(
        &fake,
        "t",
        &format!("/api/v4/secrets/HIDDEN_KEY?projectId={pid}&environment=prod"),
    )
    .await;
    assert_eq!(
        single.json()["secret"]["secretValue"],
        "<hidden-by-infisical>"
    );

    // The 2024 server had no hidden values.
    let legacy = FakeInfisical::builder()
        .mode(ServerMode::Legacy2024)
        .access_token("t")
        .hidden_secret("prod", "/", "HIDDEN_KEY", "value")
        .start()
        .await;
    let got = get(&legacy, "t", &v3_list_for(legacy.project_id(), ""))
        .await
        .json();
    assert_eq!(got["secrets"][0]["secretValue"], "value");
    assert!(got["secrets"][0].get("secretValueHidden").is_none());
}

#[tokio::test]
async fn unreadable_values_match_2025_recordings() {
    let fake = data_set_2025().start().await;
    let got = post_json(
        &fake,
        "/api/v1/auth/universal-auth/login",
        &json!({ "clientId": DESCRIBE_ID, "clientSecret": CLIENT_SECRET }),
    )
    .await;
    assert_agrees(&recorded_2025("v70-ua-login-describe-mostly"), &got);
    let token = got.json()["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let restricted = "&environment=prod&secretPath=/restricted";
    let cases = [
        (
            "v71-v4-list-restricted-describe-mostly-library-query",
            v4_list_2025(&format!("{restricted}&{LIB}")),
        ),
        (
            "v72-v4-list-restricted-describe-mostly-viewSecretValue-false",
            v4_list_2025(&format!(
                "{restricted}&{}",
                LIB.replace("viewSecretValue=true", "viewSecretValue=false")
            )),
        ),
        (
            "v73-v4-get-HIDDEN_KEY-describe-mostly",
            v4_get_2025("HIDDEN_KEY", restricted),
        ),
        (
            "v74-v4-get-HIDDEN_KEY-describe-mostly-viewSecretValue-false",
            v4_get_2025("HIDDEN_KEY", &format!("{restricted}&viewSecretValue=false")),
        ),
        (
            "v75-v4-get-VISIBLE_KEY-describe-mostly",
            v4_get_2025("VISIBLE_KEY", restricted),
        ),
        (
            "v76-v3-raw-list-restricted-describe-mostly",
            format!(
                "/api/v3/secrets/raw?workspaceId={PID_2025}{restricted}&expandSecretReferences=true&include_imports=true"
            ),
        ),
        (
            "v77-v4-list-root-describe-mostly-library-query",
            v4_list_2025(&format!("&environment=prod&secretPath=/&{LIB}")),
        ),
    ];
    for (fixture, path) in cases {
        assert_agrees(&recorded_2025(fixture), &get(&fake, &token, &path).await);
    }
}

#[tokio::test]
async fn personal_overrides() {
    let fake = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "DATABASE_URL", "shared")
        .personal_secret("prod", "/", "DATABASE_URL", "mine")
        .personal_secret("prod", "/", "ONLY_MINE", "x")
        .start()
        .await;
    let pid = fake.project_id().to_owned();
    let entries = |body: &Value| {
        body["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{}={}:{}",
                    s["secretKey"].as_str().unwrap(),
                    s["secretValue"].as_str().unwrap(),
                    s["type"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    let v3 = get(&fake, "t", &v3_list_for(&pid, "")).await.json();
    assert_eq!(
        entries(&v3),
        [
            "DATABASE_URL=shared:shared",
            "DATABASE_URL=mine:personal",
            "ONLY_MINE=x:personal"
        ]
    );
    let v4 = get(&fake, "t", &v4_list_for(&pid, "")).await.json();
    assert_eq!(entries(&v4), ["DATABASE_URL=shared:shared"]);
    let v4 = get(
        &fake,
        "t",
        &v4_list_for(&pid, "&includePersonalOverrides=true"),
    )
    .await
    .json();
    assert_eq!(
        entries(&v4),
        ["DATABASE_URL=mine:personal", "ONLY_MINE=x:personal"]
    );
    let single = get(
        &fake,
        "t",
        &format!("/api/v4/secrets/DATABASE_URL?projectId={pid}&environment=prod&type=personal"),
    )
    .await;
    assert_eq!(single.json()["secret"]["secretValue"], "mine");
}

#[tokio::test]
async fn imports_are_listed_in_order_and_not_merged() {
    let fake = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "OWN", "own")
        .secret("prod", "/first", "K", "first")
        .secret("prod", "/first", "NESTED_OVERRIDE", "first")
        .secret("prod", "/second", "K", "second")
        .secret("prod", "/nested", "NESTED_OVERRIDE", "nested")
        .secret("prod", "/nested", "NESTED_ONLY", "nested")
        .import("prod", "/", "prod", "/first")
        .import("prod", "/", "prod", "/second")
        .import("prod", "/", "prod", "/gone")
        .import("prod", "/first", "prod", "/nested")
        .start()
        .await;
    let pid = fake.project_id().to_owned();
    // Only `include_imports` works on the June 2025 server (recording v13).
    let got = get(&fake, "t", &v4_list_for(&pid, "&include_imports=true"))
        .await
        .json();
    let blocks = got["imports"].as_array().unwrap();
    let paths: Vec<&str> = blocks
        .iter()
        .map(|b| b["secretPath"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["/first", "/second", "/gone"]);
    let keys: Vec<(&str, &str)> = blocks[0]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["secretKey"].as_str().unwrap(),
                s["secretValue"].as_str().unwrap(),
            )
        })
        .collect();
    // The imported folder's own secrets shadow its nested imports.
    assert_eq!(
        keys,
        [
            ("K", "first"),
            ("NESTED_OVERRIDE", "first"),
            ("NESTED_ONLY", "nested")
        ]
    );
    // An import of a folder that does not exist has no `folderId`.
    assert!(blocks[2].get("folderId").is_none());
    assert_eq!(blocks[2]["secrets"], json!([]));
    assert_eq!(got["secrets"].as_array().unwrap().len(), 1);

    // A single get searches imports from the last one back.
    let single = get(
        &fake,
        "t",
        &format!("/api/v4/secrets/K?projectId={pid}&environment=prod&include_imports=true"),
    )
    .await;
    assert_eq!(single.json()["secret"]["secretValue"], "second");
    let without = get(
        &fake,
        "t",
        &format!("/api/v4/secrets/K?projectId={pid}&environment=prod"),
    )
    .await;
    assert_eq!(without.status, 404);
    assert_eq!(without.json()["message"], "Secret with name 'K' not found");
}

#[tokio::test]
async fn unknown_folders_and_projects() {
    let current = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "K", "v")
        .folder("prod", "/empty")
        .start()
        .await;
    let pid = current.project_id().to_owned();
    let empty = get(
        &current,
        "t",
        &format!("/api/v4/secrets?projectId={pid}&environment=prod&secretPath=/empty"),
    )
    .await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.json(), json!({ "secrets": [], "imports": [] }));
    let missing = get(
        &current,
        "t",
        &format!("/api/v4/secrets?projectId={pid}&environment=dev&secretPath=/"),
    )
    .await;
    // An unknown environment lists as empty (June 2025, recording v23).
    assert_eq!(missing.status, 200);
    assert_eq!(missing.json(), json!({ "secrets": [], "imports": [] }));
    let bad_name = get(
        &current,
        "t",
        &format!("/api/v4/secrets?projectId={pid}&environment=prod&secretPath=/a:b"),
    )
    .await;
    assert_eq!(bad_name.status, 400);
    let other = get(
        &current,
        "t",
        "/api/v4/secrets?projectId=other&environment=prod",
    )
    .await;
    assert_eq!(other.status, 404);
    assert_eq!(
        other.json()["message"],
        "Project with ID 'other' not found during bot lookup. Are you sure you are using the correct project ID?"
    );
    let no_env = get(&current, "t", &format!("/api/v4/secrets?projectId={pid}")).await;
    assert_eq!(no_env.status, 400);
    assert_eq!(
        no_env.json()["message"],
        "Missing project id or environment"
    );
    let single = get(
        &current,
        "t",
        &format!("/api/v4/secrets/K?projectId={pid}&environment=prod&secretPath=/nope"),
    )
    .await;
    assert_eq!(single.status, 404);
    assert_eq!(
        single.json()["message"],
        "Folder with path '/nope' in environment with slug 'prod' not found"
    );
}

#[tokio::test]
async fn secrets_change_while_running() {
    let fake = FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "K", "one")
        .start()
        .await;
    let pid = fake.project_id().to_owned();
    let single = format!("/api/v4/secrets/K?projectId={pid}&environment=prod");
    fake.set_secret("prod", "/", "K", "two");
    fake.set_secret("prod", "/svc", "NEW", "new");
    let got = get(&fake, "t", &single).await.json();
    assert_eq!(got["secret"]["secretValue"], "two");
    assert_eq!(got["secret"]["version"], 2);
    let old = get(&fake, "t", &format!("{single}&version=1")).await.json();
    assert_eq!(old["secret"]["secretValue"], "one");
    assert_eq!(old["secret"]["version"], 1);
    let listed = get(
        &fake,
        "t",
        &format!("/api/v4/secrets?projectId={pid}&environment=prod&secretPath=/svc"),
    )
    .await;
    assert_eq!(listed.json()["secrets"][0]["secretValue"], "new");

    fake.remove_secret("prod", "/", "K");
    assert_eq!(get(&fake, "t", &single).await.status, 404);
    fake.put_secret(FakeSecret::new("prod", "/", "K", "three").comment("back"));
    let got = get(&fake, "t", &single).await.json();
    assert_eq!(got["secret"]["secretComment"], "back");
    assert_eq!(got["secret"]["version"], 1);
}
