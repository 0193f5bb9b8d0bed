//! What a real 2025 Infisical server showed (recordings in
//! `secrets-core/tests/fixtures/infisical-2025-06/`), end to end through the loader and the
//! fake: one `/api/v4` probe per client against an older server, and folders where the
//! identity may read some values but not all.

mod support;

use support::fake::{Identity, client_from_env, fake_env};

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, Fault, Route, ServerMode};
use secrets_core::{
    Error, ExposeSecret, Loader, ProblemKind, SecretString, Secrets, Source,
    spec::{KeySpec, Resolved, StructSpec},
    store::{Folder, StoreErrorKind},
};

const ID: Identity = Identity::new("client-id-2025", "SENTINEL-client-secret-77d1");

/// One key in each of three folders of `prod`.
struct ThreeFolders;

impl Secrets for ThreeFolders {
    const SPEC: StructSpec = StructSpec::new(
        "ThreeFolders",
        &[
            KeySpec::new("ROOT_KEY", "root_key"),
            KeySpec::new("AGENT_KEY", "agent_key").with_folder("/agent"),
            KeySpec::new("SHARED_KEY", "shared_key").with_folder("/shared"),
        ],
    )
    .with_default_environment("prod");

    fn from_resolved(mut resolved: Resolved) -> Result<Self, Error> {
        for index in 0..3 {
            resolved.take::<SecretString>(index, Ok);
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
        .universal_auth(ID.client_id, ID.client_secret)
}

#[tokio::test]
async fn an_old_server_costs_one_v4_probe_per_client_not_one_per_folder() {
    let fake = three_folders(ServerMode::Legacy2024).start().await;
    let client = client_from_env(&fake_env(&fake, &[]));
    Loader::<ThreeFolders>::new()
        .store(client.clone())
        .load()
        .await
        .unwrap();
    assert_eq!(
        fake.request_count(Route::ListV4),
        1,
        "one v4 404 in all: the probe sent without a token alongside the login"
    );
    assert_eq!(client.stats().probes, 1);
    assert_eq!(
        fake.request_count(Route::ListV3),
        3,
        "one v3 list per folder"
    );

    Loader::<ThreeFolders>::new()
        .store(client)
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
    let client = client_from_env(&fake_env(&fake, &[]));
    for _ in 0..2 {
        Loader::<ThreeFolders>::new()
            .store(client.clone())
            .load()
            .await
            .unwrap();
    }
    // Three folders twice, and one probe of the API version for the client.
    assert_eq!(fake.request_count(Route::ListV4), 6 + 1);
    assert_eq!(fake.request_count(Route::ListV3), 0);
    assert_eq!(
        fake.request_count(Route::GetV4),
        0,
        "no key read on its own"
    );
    assert_eq!(client.stats().key_requests, 0);
}

// ---------------------------------------------------------------------------------------
// A folder with a value the identity may not read (recordings v71-v77)

const VISIBLE_VALUE: &str = "SENTINEL-visible-value-31c0";
const HIDDEN_VALUE: &str = "SENTINEL-hidden-value-b58e";

/// The keys of `/restricted` a struct may want: one readable, one not, one the folder lacks;
/// and one in `/`, which the identity may read whole.
const VISIBLE: KeySpec = KeySpec::new("VISIBLE_KEY", "visible")
    .with_env_var("VISIBLE_KEY")
    .with_folder("/restricted");
const HIDDEN: KeySpec = KeySpec::new("HIDDEN_KEY", "hidden")
    .with_env_var("HIDDEN_KEY")
    .with_folder("/restricted");
const ABSENT: KeySpec = KeySpec::new("ABSENT_KEY", "absent")
    .with_env_var("ABSENT_KEY")
    .with_folder("/restricted");
const ROOT: KeySpec = KeySpec::new("APP_ENV", "app_env");

/// The values of a struct's `N` keys, in field order.
struct Values<const N: usize>(Vec<SecretString>);

fn values_of<const N: usize>(mut resolved: Resolved) -> Result<Values<N>, Error> {
    let values: Vec<Option<SecretString>> = (0..N).map(|i| resolved.take(i, Ok)).collect();
    if resolved.is_ok() {
        Ok(Values(values.into_iter().map(Option::unwrap).collect()))
    } else {
        Err(resolved.into_error())
    }
}

/// `VISIBLE_KEY`, `ABSENT_KEY` and `APP_ENV`: every key the identity may read.
impl Secrets for Values<3> {
    const SPEC: StructSpec =
        StructSpec::new("Readable", &[VISIBLE, ABSENT, ROOT]).with_default_environment("prod");

    fn from_resolved(resolved: Resolved) -> Result<Self, Error> {
        values_of(resolved)
    }
}

/// `VISIBLE_KEY`, `HIDDEN_KEY`, `ABSENT_KEY` and `APP_ENV`.
impl Secrets for Values<4> {
    const SPEC: StructSpec = StructSpec::new("Restricted", &[VISIBLE, HIDDEN, ABSENT, ROOT])
        .with_default_environment("prod");

    fn from_resolved(resolved: Resolved) -> Result<Self, Error> {
        values_of(resolved)
    }
}

/// The data set of the recordings' `describe-mostly` identity: `/restricted` holds
/// `VISIBLE_KEY` and `HIDDEN_KEY`, whose value it may not read.
fn restricted(mode: ServerMode) -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .mode(mode)
        .secret("prod", "/", "APP_ENV", "production")
        .secret("prod", "/restricted", "VISIBLE_KEY", VISIBLE_VALUE)
        .unreadable_secret("prod", "/restricted", "HIDDEN_KEY", HIDDEN_VALUE)
        .universal_auth(ID.client_id, ID.client_secret)
}

/// The list requests of `/restricted` that asked for values.
fn value_lists_of_restricted(fake: &FakeInfisical, route: Route) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.route() == route)
        // Not the probe of the API version: it carries no token and reads nothing.
        .filter(|r| r.has_authorization())
        .filter(|r| r.query_param("secretPath").as_deref() == Some("/restricted"))
        .filter(|r| r.query_param("viewSecretValue").as_deref() != Some("false"))
        .count()
}

#[tokio::test]
async fn one_unreadable_value_withholds_only_its_key() {
    let fake = restricted(ServerMode::Current).start().await;
    let env = fake_env(
        &fake,
        &[("HIDDEN_KEY", "from-env"), ("ABSENT_KEY", "absent-env")],
    );
    let error = Loader::<Values<4>>::new()
        .env(env)
        .load()
        .await
        .err()
        .expect("HIDDEN_KEY is withheld");
    let problems = error.problems();
    assert_eq!(problems.len(), 1, "{error}");
    assert_eq!(problems[0].key(), Some("HIDDEN_KEY"), "{error}");
    assert!(
        matches!(problems[0].kind(), ProblemKind::Withheld(folder) if *folder == Folder::new("prod", "/restricted")),
        "{error}"
    );
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(HIDDEN_VALUE), "{shown}");
        assert!(!shown.contains(VISIBLE_VALUE), "{shown}");
    }
}

#[tokio::test]
async fn readable_keys_of_a_restricted_folder_load_key_by_key() {
    let fake = restricted(ServerMode::Current).start().await;
    let client = client_from_env(&fake_env(&fake, &[]));
    let env = fake_env(&fake, &[("ABSENT_KEY", "absent-env")]);
    let (values, provenance) = Loader::<Values<3>>::new()
        .env(env.clone())
        .store(client.clone())
        .load_with_provenance()
        .await
        .unwrap();
    let shown: Vec<&str> = values.0.iter().map(ExposeSecret::expose_secret).collect();
    assert_eq!(shown, [VISIBLE_VALUE, "absent-env", "production"]);
    assert_eq!(
        provenance.get("VISIBLE_KEY").unwrap().source(),
        Some(&Source::Store {
            store: "Infisical",
            folder: Folder::new("prod", "/restricted"),
            import: None,
        })
    );
    assert_eq!(
        provenance.get("ABSENT_KEY").unwrap().source(),
        Some(&Source::Env("ABSENT_KEY".to_owned()))
    );
    assert!(
        provenance
            .notes()
            .iter()
            .any(|n| n
                == "read key by key: the identity may not read every value in prod:/restricted"),
        "{provenance}"
    );
    // `/` and `/restricted` listed with values, `/restricted` again without; then one read of
    // the one wanted key the folder has. And one probe of the API version, without a token.
    assert_eq!(fake.request_count(Route::ListV4), 3 + 1);
    assert_eq!(fake.request_count(Route::GetV4), 1);
    assert_eq!(value_lists_of_restricted(&fake, Route::ListV4), 1);
    let gets: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.route() == Route::GetV4)
        .map(|r| r.path().to_owned())
        .collect();
    assert_eq!(gets, ["/api/v4/secrets/VISIBLE_KEY"]);
    assert_eq!(client.stats().key_requests, 1);

    // The next load through the same client does not ask for the refused listing again.
    Loader::<Values<3>>::new()
        .env(env)
        .store(client.clone())
        .load()
        .await
        .unwrap();
    assert_eq!(value_lists_of_restricted(&fake, Route::ListV4), 1);
    assert_eq!(fake.request_count(Route::ListV4), 5 + 1);
    assert_eq!(fake.request_count(Route::GetV4), 2);
    assert_eq!(client.stats().key_requests, 2);
}

#[tokio::test]
async fn a_server_without_v4_is_read_key_by_key_on_v3() {
    // A June 2025 server: no `/api/v4` yet, but per-secret permissions on `/api/v3`.
    let fake = restricted(ServerMode::Current).start().await;
    fake.fail_always(
        Route::ListV4,
        Fault::Body {
            status: 404,
            content_type: "application/json; charset=utf-8".to_owned(),
            body: br#"{"message":"Route GET:/api/v4/secrets not found","error":"Not Found","statusCode":404}"#.to_vec(),
        },
    );
    let env = fake_env(
        &fake,
        &[("HIDDEN_KEY", "from-env"), ("ABSENT_KEY", "absent-env")],
    );
    let error = Loader::<Values<4>>::new()
        .env(env.clone())
        .load()
        .await
        .err()
        .unwrap();
    assert_eq!(error.problems().len(), 1, "{error}");
    assert_eq!(error.problems()[0].key(), Some("HIDDEN_KEY"), "{error}");
    assert_eq!(value_lists_of_restricted(&fake, Route::ListV3), 1);
    assert_eq!(
        fake.request_count(Route::GetV3),
        2,
        "VISIBLE_KEY and HIDDEN_KEY"
    );
    assert_eq!(fake.request_count(Route::GetV4), 0);
    let (values, _) = Loader::<Values<3>>::new()
        .env(env)
        .load_with_provenance()
        .await
        .unwrap();
    assert_eq!(values.0[0].expose_secret(), VISIBLE_VALUE);
}

#[tokio::test]
async fn a_forbidden_folder_is_not_read_key_by_key() {
    // A 403 that is not about values (no read permission at all) fails the folder as before.
    let fake = restricted(ServerMode::Current).start().await;
    fake.fail_always(Route::ListV4, Fault::Status(403));
    let error = Loader::<Values<3>>::new()
        .env(fake_env(&fake, &[("ABSENT_KEY", "absent-env")]))
        .load()
        .await
        .err()
        .unwrap();
    // One problem per folder, naming all three keys between them.
    assert_eq!(error.problems().len(), 2, "{error}");
    assert_eq!(error.report().unwrap().keys_not_loaded(), 3, "{error}");
    assert_eq!(fake.request_count(Route::GetV4), 0);
}

#[tokio::test]
async fn a_server_refusing_the_key_reads_too_fails_the_folder_at_once() {
    // A listing without values refused like the listing with values: the folder fails after
    // two listings, it does not go round until the startup deadline.
    let fake = restricted(ServerMode::Current).start().await;
    fake.fail_always(
        Route::ListV4,
        Fault::Body {
            status: 403,
            content_type: "application/json; charset=utf-8".to_owned(),
            body: br#"{"reqId":"req-1","statusCode":403,"message":"You are not allowed to readValue on secrets","details":[],"error":"PermissionDenied"}"#.to_vec(),
        },
    );
    let error = Loader::<Values<3>>::new()
        .env(fake_env(&fake, &[("ABSENT_KEY", "absent-env")]))
        .load()
        .await
        .err()
        .unwrap();
    assert_eq!(error.problems().len(), 2, "{error}");
    assert_eq!(error.report().unwrap().keys_not_loaded(), 3, "{error}");
    for problem in error.problems() {
        match problem.kind() {
            ProblemKind::Store(e) => assert_eq!(e.kind(), StoreErrorKind::Forbidden, "{error}"),
            other => panic!("{other:?}"),
        }
    }
    let restricted_lists = fake
        .requests()
        .iter()
        .filter(|r| r.has_authorization())
        .filter(|r| r.query_param("secretPath").as_deref() == Some("/restricted"))
        .count();
    assert_eq!(
        restricted_lists, 2,
        "the refused listing, then the one without values"
    );
    assert_eq!(fake.request_count(Route::GetV4), 0);
}
