//! What a real 2025 Infisical server showed (recordings in
//! `secrets-core/tests/fixtures/infisical-2025-06/`), end to end through the loader and the
//! fake: one `/api/v4` probe per client against an older server, and folders where the
//! identity may read some values but not all.

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, Route, ServerMode};
use secrets_core::{Env, Error, InfisicalClient, KeySpec, Loader, Resolved, Secrets, StructSpec};

const CLIENT_ID: &str = "client-id-2025";
const CLIENT_SECRET: &str = "SENTINEL-client-secret-77d1";

/// One key in each of three folders of `prod`.
struct ThreeFolders;

impl Secrets for ThreeFolders {
    const SPEC: StructSpec = StructSpec::new(
        "ThreeFolders",
        &[
            KeySpec::new("ROOT_KEY", "root_key"),
            KeySpec::new("AGENT_KEY", "agent_key").path("/agent"),
            KeySpec::new("SHARED_KEY", "shared_key").path("/shared"),
        ],
    )
    .environment("prod");

    fn from_resolved(mut resolved: Resolved) -> Result<Self, Error> {
        for index in 0..3 {
            resolved.take::<secrets_core::SecretString>(index, Ok);
        }
        if resolved.is_ok() {
            Ok(Self)
        } else {
            Err(resolved.into_error())
        }
    }
}

fn three_folders(mode: ServerMode) -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .mode(mode)
        .secret("prod", "/", "ROOT_KEY", "root-value")
        .secret("prod", "/agent", "AGENT_KEY", "agent-value")
        .secret("prod", "/shared", "SHARED_KEY", "shared-value")
        .universal_auth(CLIENT_ID, CLIENT_SECRET)
}

fn client_of(fake: &FakeInfisical) -> InfisicalClient {
    InfisicalClient::from_env(&Env::from_pairs(fake.env_vars()))
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn an_old_server_costs_one_v4_probe_per_client_not_one_per_folder() {
    let fake = three_folders(ServerMode::Legacy2024).start().await;
    let client = client_of(&fake);
    Loader::<ThreeFolders>::new()
        .infisical(client.clone())
        .load()
        .await
        .unwrap();
    assert_eq!(fake.request_count(Route::ListV4), 1, "one v4 404 in all");
    assert_eq!(
        fake.request_count(Route::ListV3),
        3,
        "one v3 list per folder"
    );

    Loader::<ThreeFolders>::new()
        .infisical(client)
        .load()
        .await
        .unwrap();
    assert_eq!(
        fake.request_count(Route::ListV4),
        1,
        "no probe on the next load"
    );
    assert_eq!(fake.request_count(Route::ListV3), 6);
}

#[tokio::test]
async fn a_current_server_is_listed_concurrently_once_known() {
    let fake = three_folders(ServerMode::Current).start().await;
    let client = client_of(&fake);
    for _ in 0..2 {
        Loader::<ThreeFolders>::new()
            .infisical(client.clone())
            .load()
            .await
            .unwrap();
    }
    assert_eq!(fake.request_count(Route::ListV4), 6);
    assert_eq!(fake.request_count(Route::ListV3), 0);
}
