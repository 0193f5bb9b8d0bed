//! The data sets behind the recorded responses: the October 2024 recordings
//! (`infisical-2024-10/`), the June 2025 recordings (`infisical-2025-06/`) and the current-API
//! examples (`infisical-api-examples/`), each with the identities and project it was recorded
//! with, and the request paths the recordings used.

use std::time::Duration;

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, FakeSecret, ServerMode};
use serde_json::Value;

/// One secret and one static token (`t`): enough for a test of the fake's controls.
pub(crate) async fn simple_fake() -> FakeInfisical {
    FakeInfisical::builder()
        .access_token("t")
        .secret("prod", "/", "DATABASE_URL", "postgres://db/app")
        .start()
        .await
}

// ---------------------------------------------------------------------------------------
// October 2024 recordings

/// The project of the recorded data set.
pub(crate) const PID: &str = "78b8bba2-eb64-4416-9935-d2095d45f33f";
pub(crate) const CLIENT_ID: &str = "0ace00fc-568a-44dc-b855-62670920a657";
pub(crate) const CLIENT_SECRET: &str =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// The second identity of the recordings (viewer role, short TTL).
pub(crate) const VIEWER_ID: &str = "cf52b100-91fd-42da-9608-4f304549fcbc";
/// Stands in for the admin user's session JWT of fixture v49.
pub(crate) const USER_JWT: &str = "user-session-jwt";

/// The secrets of the recorded data set, in the order of their ids on the real server, which
/// is the order it lists them in. The fake lists in creation order, so creating them in this
/// order makes every listing comparable element by element.
pub(crate) const LEGACY_SECRETS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "prod",
        "/langgraph-agent",
        "AGENT_ANTHROPIC_API_KEY",
        "${prod.ANTHROPIC_API_KEY}",
        "cross-path reference to prod:/ANTHROPIC_API_KEY",
    ),
    ("prod", "/shared", "LOG_LEVEL", "info", ""),
    (
        "prod",
        "/",
        "JWT_SIGNING_SECRET",
        "dummy-jwt-signing-secret-0123456789abcdef",
        "HS256 key (dummy)",
    ),
    (
        "prod",
        "/langgraph-agent",
        "LANGSMITH_API_KEY",
        "lsv2_dummy_00000000000000000000",
        "",
    ),
    (
        "prod",
        "/langgraph-agent",
        "AGENT_MODEL",
        "claude-3-5-sonnet-20241022",
        "",
    ),
    (
        "dev",
        "/",
        "DATABASE_URL",
        "postgres://app:dev-password@localhost:5432/app_dev",
        "",
    ),
    ("dev", "/", "APP_ENV", "development", ""),
    (
        "dev",
        "/",
        "JWT_SIGNING_SECRET",
        "dev-jwt-signing-secret",
        "",
    ),
    (
        "prod",
        "/shared",
        "APP_ENV",
        "shared-should-be-shadowed",
        "same key as prod:/APP_ENV",
    ),
    (
        "prod",
        "/",
        "ANTHROPIC_API_KEY",
        "sk-ant-dummy-0000000000000000000000000000",
        "",
    ),
    ("prod", "/", "APP_ENV", "production", ""),
    (
        "prod",
        "/langgraph-agent",
        "TLS_CA_PEM",
        "-----BEGIN CERTIFICATE-----\nMIIBdummydummydummy\nZZZZdummydummydummy==\n-----END CERTIFICATE-----",
        "multi-line value",
    ),
    (
        "dev",
        "/",
        "ANTHROPIC_API_KEY",
        "sk-ant-dev-dummy-1111111111111111111111111",
        "",
    ),
    (
        "prod",
        "/langgraph-agent",
        "AGENT_DB_URL",
        "${prod.DATABASE_URL}?application_name=${AGENT_MODEL}",
        "cross-path + local reference",
    ),
    (
        "prod",
        "/shared",
        "SENTRY_DSN",
        "https://dummy@sentry.invalid/1",
        "",
    ),
    (
        "prod",
        "/",
        "READONLY_DATABASE_URL",
        "postgres://readonly:${DB_PASSWORD}@db-replica.internal:5432/app",
        "local reference to DB_PASSWORD",
    ),
    (
        "prod",
        "/",
        "DATABASE_URL",
        "postgres://app:dummy-db-password@db.internal:5432/app",
        "primary database (dummy)",
    ),
    ("prod", "/", "DB_PASSWORD", "dummy-db-password", ""),
];

/// The data set of the October 2024 recordings (fixtures README): prod `/`,
/// `/langgraph-agent`, `/shared` imported into `/`, dev, an empty staging.
pub(crate) fn recorded_data_set(mode: ServerMode) -> FakeInfisicalBuilder {
    let mut builder = FakeInfisical::builder()
        .mode(mode)
        .project(PID)
        .project_slug("langgraph-agent-demo")
        .universal_auth(CLIENT_ID, CLIENT_SECRET)
        .universal_auth(VIEWER_ID, CLIENT_SECRET)
        .access_token(USER_JWT);
    for (env, path, key, value, comment) in LEGACY_SECRETS {
        builder = builder.secret_with(FakeSecret::new(*env, *path, *key, *value).comment(*comment));
    }
    builder
        .environment("staging")
        .import("prod", "/", "prod", "/shared")
}

pub(crate) fn v3_list(query: &str) -> String {
    format!("/api/v3/secrets/raw?workspaceId={PID}&environment=prod{query}")
}

// ---------------------------------------------------------------------------------------
// June 2025 recordings (`ServerMode::Current`)

/// The project of the 2025 recordings.
pub(crate) const PID_2025: &str = "ad4d72e9-595a-449d-8de5-4084583c1624";
/// The identity that may read every value but `HIDDEN_KEY`'s (`describe-mostly`).
pub(crate) const DESCRIBE_ID: &str = "describe-mostly-client-id";
/// The query the library sends (`<LIB>` of the recordings' README).
pub(crate) const LIB: &str = "expandSecretReferences=true&includeImports=true&include_imports=true&recursive=false&viewSecretValue=true&includePersonalOverrides=false";

/// The secrets of the 2025 data set in the order of their ids on the real server.
pub(crate) const SECRETS_2025: &[(&str, &str, &str, &str, &str)] = &[
    (
        "prod",
        "/",
        "ANTHROPIC_API_KEY",
        "sk-ant-dummy-prod-0001",
        "",
    ),
    ("prod", "/restricted", "VISIBLE_KEY", "visible-value", ""),
    ("prod", "/", "APP_ENV", "production", ""),
    ("prod", "/shared", "LOG_LEVEL", "info", ""),
    (
        "prod",
        "/langgraph-agent",
        "TLS_CA_PEM",
        "-----BEGIN CERTIFICATE-----\nMIIBdummy\nline2\n-----END CERTIFICATE-----",
        "",
    ),
    ("dev", "/", "ANTHROPIC_API_KEY", "sk-ant-dummy-dev", ""),
    ("prod", "/", "DB_PASSWORD", "prod-db-pass-1", ""),
    ("dev", "/", "APP_ENV", "development", ""),
    (
        "prod",
        "/langgraph-agent",
        "AGENT_ANTHROPIC_API_KEY",
        "${prod.ANTHROPIC_API_KEY}",
        "",
    ),
    (
        "prod",
        "/restricted",
        "HIDDEN_KEY",
        "hidden-value-should-not-show",
        "",
    ),
    (
        "prod",
        "/langgraph-agent",
        "AGENT_MODEL",
        "claude-sonnet",
        "",
    ),
    (
        "prod",
        "/langgraph-agent",
        "LANGSMITH_API_KEY",
        "lsv2-dummy-0001",
        "",
    ),
    (
        "prod",
        "/",
        "DATABASE_URL",
        "postgres://app:prod-db-pass-1@db.internal:5432/app",
        "primary",
    ),
    (
        "prod",
        "/shared",
        "APP_ENV",
        "shared-should-be-shadowed",
        "",
    ),
    ("prod", "/", "BROKEN_REF", "x-${SOON_DELETED}-y", ""),
    (
        "prod",
        "/shared",
        "SENTRY_DSN",
        "https://dummy@sentry.example/1",
        "",
    ),
    (
        "prod",
        "/",
        "READONLY_DATABASE_URL",
        "postgres://readonly:${DB_PASSWORD}@db-replica.internal:5432/app",
        "",
    ),
    ("dev", "/", "JWT_SIGNING_SECRET", "jwt-dev", ""),
    (
        "dev",
        "/",
        "DATABASE_URL",
        "postgres://app:dev@localhost:5432/app",
        "",
    ),
    (
        "prod",
        "/",
        "JWT_SIGNING_SECRET",
        "jwt-prod-0123456789abcdef",
        "",
    ),
    (
        "prod",
        "/langgraph-agent",
        "AGENT_DB_URL",
        "${prod.DATABASE_URL}?application_name=${AGENT_MODEL}",
        "",
    ),
];

/// The data set of the June 2025 recordings (their README): prod `/` importing `/shared`,
/// `/langgraph-agent`, `/restricted` with a value the identities may not read, dev, an empty
/// staging. `describe-mostly` may not read `HIDDEN_KEY`'s value.
pub(crate) fn data_set_2025() -> FakeInfisicalBuilder {
    let mut builder = FakeInfisical::builder()
        .mode(ServerMode::Current)
        .project(PID_2025)
        .project_slug("langgraph-agent-demo")
        .universal_auth(CLIENT_ID, CLIENT_SECRET)
        .universal_auth(VIEWER_ID, CLIENT_SECRET)
        .universal_auth(DESCRIBE_ID, CLIENT_SECRET);
    for (env, path, key, value, comment) in SECRETS_2025 {
        builder = builder.secret_with(FakeSecret::new(*env, *path, *key, *value).comment(*comment));
    }
    builder
        .unreadable_for(DESCRIBE_ID, "prod", "/restricted", "HIDDEN_KEY")
        .environment("staging")
        .import("prod", "/", "prod", "/shared")
}

pub(crate) fn v4_list_2025(query: &str) -> String {
    format!("/api/v4/secrets?projectId={PID_2025}{query}")
}

pub(crate) fn v4_get_2025(name: &str, query: &str) -> String {
    format!("/api/v4/secrets/{name}?projectId={PID_2025}{query}")
}

/// The recorded body with its `secrets` sorted by folder and key (a recursive list comes back
/// in no particular order).
pub(crate) fn sorted_secrets(mut body: Value) -> Value {
    if let Some(Value::Array(secrets)) = body.get_mut("secrets") {
        secrets.sort_by_key(|s| (s["secretPath"].to_string(), s["secretKey"].to_string()));
    }
    body
}

// ---------------------------------------------------------------------------------------
// Current API examples

pub(crate) const LIST_COMMENT: &str =
    "Value built from ${DB_USER} and ${DB_PASSWORD}; shown here already expanded";
pub(crate) const EXAMPLE_PID: &str = "5d2c8e4a-7b19-4f3e-a0c6-91e2b7d4f8a3";

/// The data set behind `list-secrets-v4-with-imports.json` and `get-secret-v4.json` (the two
/// examples disagree on the comment of `DATABASE_URL`).
pub(crate) fn example_data_set(database_url_comment: &str) -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .mode(ServerMode::Current)
        .project(EXAMPLE_PID)
        .universal_auth(CLIENT_ID, CLIENT_SECRET)
        .token_ttl(Duration::from_hours(2))
        .token_max_ttl(Duration::from_hours(24))
        .secret_with(
            FakeSecret::new(
                "prod",
                "/backend",
                "DATABASE_URL",
                "postgres://app:dummy-password@db.internal:5432/app",
            )
            .comment(database_url_comment)
            .version(3)
            .actor("identity", "backend-prod")
            .metadata("owner", "platform-team")
            .tag_with_color("database", "#2563eb"),
        )
        .secret_with(FakeSecret::new("prod", "/backend", "LOG_LEVEL", "info"))
        .secret_with(
            FakeSecret::new(
                "prod",
                "/backend",
                "FEATURE_FLAGS_URL",
                "https://${env.config.FLAGS_HOST}/v1",
            )
            .comment("Reference left unexpanded because the target key does not exist")
            .version(2),
        )
        .secret_with(
            FakeSecret::new(
                "prod",
                "/shared",
                "SENTRY_DSN",
                "https://dummykey@o0.ingest.example.invalid/1",
            )
            .version(5),
        )
        .secret_with(
            FakeSecret::new("prod", "/shared", "LOG_LEVEL", "warn")
                .comment("Shadowed by the folder's own LOG_LEVEL=info"),
        )
        .secret_with(
            FakeSecret::new(
                "common",
                "/",
                "SENTRY_DSN",
                "https://otherdummy@o0.ingest.example.invalid/2",
            )
            .comment("Later import: wins over the /shared import under server/CLI precedence")
            .version(2),
        )
        .import("prod", "/backend", "prod", "/shared")
        .import("prod", "/backend", "common", "/")
}

pub(crate) fn v4_list(query: &str) -> String {
    format!("/api/v4/secrets?projectId={EXAMPLE_PID}&environment=prod{query}")
}

pub(crate) fn v3_list_for(project: &str, query: &str) -> String {
    format!("/api/v3/secrets/raw?workspaceId={project}&environment=prod&secretPath=/{query}")
}

pub(crate) fn v4_list_for(project: &str, query: &str) -> String {
    format!("/api/v4/secrets?projectId={project}&environment=prod&secretPath=/{query}")
}
