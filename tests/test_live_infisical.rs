//! Live secrets against the fake Infisical, through a derived struct and the `INFISICAL_*`
//! variables: rotation, `304`s that parse nothing, refreshes that would break a key, token
//! renewal and re-login, an outage, rate limits, rotated files, and the end of the task.
//!
//! Real time with short intervals: waits have generous timeouts, and assertions are on
//! outcomes and counts, never on elapsed time.

mod support;

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::fake::{Identity, client_from_env, fake_env};

use secrets_core::testing::{
    FakeInfisical, FakeInfisicalBuilder, Fault, RecordedRequest, Route, ServerMode,
};
use secrets_core::{Env, ExposeSecret, InfisicalClient, Live, SecretString, Secrets, Source};

const ID: Identity = Identity::new("live-client", "SENTINEL-live-client-secret-41d2");
const FIRST_URL: &str = "postgres://SENTINEL-first@db.internal/app";
const ROTATED_URL: &str = "postgres://SENTINEL-rotated@db.internal/app";

/// Refresh interval of every watch here: the shortest a watch takes.
const INTERVAL: Duration = Duration::from_secs(1);
/// How long a test waits for something that should happen within a few intervals.
const PATIENCE: Duration = Duration::from_secs(20);

#[derive(Secrets)]
#[secret(environment = "prod")]
struct AppSecrets {
    database_url: SecretString,
    port: u16,
}

fn data(mode: ServerMode) -> FakeInfisicalBuilder {
    FakeInfisical::builder()
        .mode(mode)
        .secret("prod", "/", "DATABASE_URL", FIRST_URL)
        .secret("prod", "/", "PORT", "8080")
        .universal_auth(ID.client_id, ID.client_secret)
}

/// Watches through the client the variables configure, as `AppSecrets::watch` does.
async fn watch(env: Env) -> Live<AppSecrets> {
    AppSecrets::loader()
        .env(env)
        .watch(INTERVAL)
        .jitter(0.0)
        .max_backoff(INTERVAL)
        .start()
        .await
        .unwrap()
}

/// Watches through `client` (a clone of it, so the test can read its stats).
async fn watch_with(env: Env, client: &InfisicalClient) -> Live<AppSecrets> {
    AppSecrets::loader()
        .env(env)
        .store(client.clone())
        .watch(INTERVAL)
        .jitter(0.0)
        .max_backoff(INTERVAL)
        .start()
        .await
        .unwrap()
}

/// Waits until `done` holds, polling; panics with `what` when it does not within the patience.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let poll = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert!(
        tokio::time::timeout(PATIENCE, poll).await.is_ok(),
        "timed out waiting until {what}"
    );
}

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The statuses the fake answered on `route`, oldest first (`None`: not answered yet).
fn statuses(fake: &FakeInfisical, route: Route) -> Vec<Option<u16>> {
    fake.requests()
        .iter()
        .filter(|r| r.route() == route)
        .map(RecordedRequest::status)
        .collect()
}

/// Every answered request of `route` succeeded (`200`, or `304` for a listing).
fn all_succeeded(fake: &FakeInfisical, route: Route) -> bool {
    statuses(fake, route)
        .iter()
        .all(|s| matches!(s, None | Some(200 | 304)))
}

fn revision(live: &Live<AppSecrets>, key: &str) -> u64 {
    live.history()
        .iter()
        .find(|h| h.key() == key)
        .unwrap()
        .revision()
}

#[tokio::test]
async fn a_rotated_value_is_picked_up_within_one_interval() {
    let fake = data(ServerMode::Current).start().await;
    let mut live = watch(fake_env(&fake, &[])).await;
    assert_eq!(live.current().database_url.expose_secret(), FIRST_URL);
    let first = live.provenance().get("DATABASE_URL").unwrap().fingerprint();

    fake.set_secret("prod", "/", "DATABASE_URL", ROTATED_URL);
    within("the rotation", live.changed()).await;
    assert_eq!(live.current().database_url.expose_secret(), ROTATED_URL);
    assert_eq!(live.version(), 2);
    assert_eq!(
        (revision(&live, "DATABASE_URL"), revision(&live, "PORT")),
        (2, 1)
    );
    let rotated = live.provenance().get("DATABASE_URL").unwrap().fingerprint();
    assert_ne!(first, rotated);
    let shown = format!("{live:?} {:?} {}", live.history(), live.provenance());
    for secret in [FIRST_URL, ROTATED_URL, ID.client_secret] {
        assert!(!shown.contains(secret), "{shown}");
    }
}

/// Refreshes of an unchanged folder are answered `304` and reuse the parsed listing: on the
/// current API and on the 2024 server's v3 route alike.
#[tokio::test]
async fn an_unchanged_folder_costs_a_304_and_no_parse() {
    for (mode, route) in [
        (ServerMode::Current, Route::ListV4),
        (ServerMode::Legacy2024, Route::ListV3),
    ] {
        let fake = data(mode).start().await;
        let env = fake_env(&fake, &[]);
        let client = client_from_env(&env);
        let live = watch_with(env, &client).await;
        assert_eq!(client.stats().parsed_listings, 1, "{mode:?}");

        eventually("two refreshes were answered 304", || {
            client.stats().not_modified >= 2
        })
        .await;
        let stats = client.stats();
        assert_eq!(stats.parsed_listings, 1, "{mode:?}: {stats:?}");
        let answered = statuses(&fake, route);
        assert_eq!(answered[0], Some(200), "{mode:?}");
        assert!(
            answered[1..].iter().all(|s| matches!(s, None | Some(304))),
            "{mode:?}: {answered:?}"
        );
        assert_eq!(live.version(), 1);
        assert!(live.last_error().is_none());
    }
}

#[tokio::test]
async fn a_refresh_that_would_make_a_key_invalid_keeps_the_old_set_and_reports() {
    let fake = data(ServerMode::Current).start().await;
    let mut live = watch(fake_env(&fake, &[])).await;
    let held = live.current();

    fake.set_secret("prod", "/", "DATABASE_URL", ROTATED_URL);
    fake.set_secret("prod", "/", "PORT", "eighty");
    eventually("the invalid refresh is reported", || {
        live.last_error().is_some()
    })
    .await;
    let error = live.last_error().unwrap();
    let report = error.to_string();
    assert!(report.contains("invalid PORT (field port)"), "{report}");
    assert!(
        !report.contains("eighty") && !report.contains("SENTINEL"),
        "{report}"
    );
    assert!(Arc::ptr_eq(&held, &live.current()), "no half-valid set");
    assert_eq!(live.current().database_url.expose_secret(), FIRST_URL);
    assert_eq!(live.version(), 1);

    fake.set_secret("prod", "/", "PORT", "9090");
    within("the recovery", live.changed()).await;
    assert!(live.last_error().is_none());
    assert_eq!(live.current().port, 9090);
    assert_eq!(live.current().database_url.expose_secret(), ROTATED_URL);
}

/// A token with a short TTL is renewed before it expires, and only renewed: one login.
async fn renews_without_logging_in_again(mode: ServerMode) {
    let fake = data(mode).token_ttl(Duration::from_secs(3)).start().await;
    let env = fake_env(&fake, &[]);
    let client = client_from_env(&env);
    let live = watch_with(env, &client).await;

    eventually("the token was renewed", || {
        fake.request_count(Route::TokenRenew) >= 1
    })
    .await;
    // The renewed token (a new one on current servers, the same on 2024 ones) keeps working.
    let route = match mode {
        ServerMode::Current => Route::ListV4,
        _ => Route::ListV3,
    };
    let listed = fake.request_count(route);
    eventually("two more refreshes", || {
        fake.request_count(route) >= listed + 2
    })
    .await;
    assert!(all_succeeded(&fake, route), "{:?}", statuses(&fake, route));
    assert!(all_succeeded(&fake, Route::TokenRenew));
    let stats = client.stats();
    assert_eq!(stats.logins, 1, "{mode:?}: {stats:?}");
    assert_eq!(
        usize::try_from(stats.renewals).unwrap(),
        fake.request_count(Route::TokenRenew)
    );
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    assert!(live.last_error().is_none());
}

#[tokio::test]
async fn a_current_token_is_renewed_into_a_new_one() {
    renews_without_logging_in_again(ServerMode::Current).await;
}

#[tokio::test]
async fn a_2024_token_is_renewed_in_place() {
    renews_without_logging_in_again(ServerMode::Legacy2024).await;
}

/// The 2024 server deletes a token whose renewal it refused: the client logs in again rather
/// than use it.
#[tokio::test]
async fn a_refused_renewal_means_a_new_login() {
    let fake = data(ServerMode::Legacy2024)
        .token_ttl(Duration::from_secs(2))
        .start()
        .await;
    fake.fail_always(Route::TokenRenew, Fault::Status(401));
    let env = fake_env(&fake, &[]);
    let client = client_from_env(&env);
    let live = watch_with(env, &client).await;

    eventually("a refused renewal and a second login", || {
        fake.request_count(Route::TokenRenew) >= 1
            && fake.request_count(Route::UniversalAuthLogin) >= 2
    })
    .await;
    let listed = fake.request_count(Route::ListV3);
    eventually("two more refreshes", || {
        fake.request_count(Route::ListV3) >= listed + 2
    })
    .await;
    assert!(all_succeeded(&fake, Route::ListV3));
    assert!(
        statuses(&fake, Route::TokenRenew)
            .iter()
            .all(|s| matches!(s, None | Some(401)))
    );
    assert!(live.last_error().is_none());
    assert!(client.stats().logins >= 2);
}

/// With the max TTL close, a renewal would be refused (and the token deleted): the client logs
/// in again without trying.
#[tokio::test]
async fn near_the_max_ttl_the_client_logs_in_again() {
    let fake = data(ServerMode::Current)
        .token_ttl(Duration::from_secs(2))
        .token_max_ttl(Duration::from_secs(3))
        .start()
        .await;
    let env = fake_env(&fake, &[]);
    let client = client_from_env(&env);
    let live = watch_with(env, &client).await;

    eventually("a second login", || {
        fake.request_count(Route::UniversalAuthLogin) >= 2
    })
    .await;
    let listed = fake.request_count(Route::ListV4);
    eventually("two more refreshes", || {
        fake.request_count(Route::ListV4) >= listed + 2
    })
    .await;
    assert_eq!(fake.request_count(Route::TokenRenew), 0);
    assert_eq!(client.stats().renewals, 0);
    assert!(all_succeeded(&fake, Route::ListV4));
    assert!(live.last_error().is_none());
}

/// A login reply whose token lifetimes are `u64::MAX` seconds: the refreshes go on, on that
/// one token (they used to panic in the refresh task, which then stopped without a word).
#[tokio::test]
async fn a_token_that_lives_u64_max_seconds_keeps_the_watch_refreshing() {
    let token = "SENTINEL-live-forever-token-5e1b";
    let body = serde_json::json!({
        "accessToken": token,
        "expiresIn": u64::MAX,
        "accessTokenMaxTTL": u64::MAX,
        "tokenType": "Bearer",
    })
    .to_string();
    let fake = data(ServerMode::Current).access_token(token).start().await;
    fake.fail_always(
        Route::UniversalAuthLogin,
        Fault::Body {
            status: 200,
            content_type: "application/json; charset=utf-8".to_owned(),
            body: body.into_bytes(),
        },
    );
    let env = fake_env(&fake, &[]);
    let client = client_from_env(&env);
    let mut live = watch_with(env, &client).await;

    eventually("three refreshes", || live.refreshes() >= 3).await;
    assert!(live.last_error().is_none(), "{:?}", live.last_error());
    assert!(all_succeeded(&fake, Route::ListV4));
    assert_eq!(client.stats().logins, 1);
    fake.set_secret("prod", "/", "DATABASE_URL", ROTATED_URL);
    within("the rotation", live.changed()).await;
    assert_eq!(live.current().database_url.expose_secret(), ROTATED_URL);
}

/// `watch(Duration::ZERO)` refreshes once a second, not in a loop as fast as the server answers.
#[tokio::test]
async fn a_zero_interval_is_taken_as_one_second() {
    let fake = data(ServerMode::Current).start().await;
    let env = fake_env(&fake, &[]);
    let client = client_from_env(&env);
    let live = AppSecrets::loader()
        .env(env)
        .store(client.clone())
        .watch(Duration::ZERO)
        .jitter(0.0)
        .start()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    // The first load and at most two refreshes, plus one for a clock that runs late.
    let listed = fake.request_count(Route::ListV4);
    assert!(listed <= 4, "{listed} list requests in 2 s");
    assert_eq!(
        usize::try_from(client.stats().list_requests).unwrap(),
        listed
    );
    eventually("a refresh", || live.refreshes() >= 1).await;
    assert!(live.last_error().is_none());
}

/// A `Write` the test reads back: the log lines of a scoped subscriber.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn count(&self, needle: &str) -> usize {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .matches(needle)
            .count()
    }
}

/// An expired token fails every refresh the same way, each time with a fresh `reqId`: one
/// warning and one call of the hook for all of them, and the `reqId` still in the report.
#[tokio::test]
async fn the_same_failure_with_new_request_ids_is_reported_once() {
    // The test runs on one thread, the refresh task included: a scoped subscriber sees it all.
    let logs = Logs::default();
    let writer = logs.clone();
    let _subscriber = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish(),
    );
    let token = "SENTINEL-live-fixed-token-90a3";
    let fake = data(ServerMode::Current).access_token(token).start().await;
    let client = InfisicalClient::builder()
        .base_url(fake.url())
        .project_id(fake.project_id())
        .access_token(SecretString::from(token))
        .build()
        .unwrap();
    let calls = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&calls);
    let live = AppSecrets::loader()
        .env(Env::from_pairs(Vec::<(String, String)>::new()))
        .store(client)
        .watch(INTERVAL)
        .jitter(0.0)
        .max_backoff(Duration::from_secs(1))
        .on_failure(move |error| seen.lock().unwrap().push(error.to_string()))
        .start()
        .await
        .unwrap();
    assert!(fake.expire_token(token));

    eventually("a failed refresh", || live.last_error().is_some()).await;
    let first = live.last_error().unwrap().to_string();
    let refreshes = live.refreshes();
    eventually("five more failed refreshes", || {
        live.refreshes() >= refreshes + 5
    })
    .await;
    let last = live.last_error().unwrap().to_string();
    assert!(
        first.contains("TokenError") && first.contains("reqId"),
        "{first}"
    );
    assert_ne!(first, last, "each failure has its own reqId");
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(
        logs.count("refresh failed, keeping the last good set"),
        1,
        "{}",
        String::from_utf8_lossy(&logs.0.lock().unwrap())
    );
    assert!(!calls[0].contains(token));

    // A different failure is a change of state: reported again.
    fake.fail_always(Route::ListV4, Fault::Status(503));
    eventually("the outage is reported", || {
        live.last_error()
            .is_some_and(|e| e.to_string().contains("503"))
    })
    .await;
    assert_eq!(logs.count("refresh failed, keeping the last good set"), 2);
}

#[tokio::test]
async fn an_outage_keeps_the_last_good_set_then_recovers() {
    let fake = data(ServerMode::Current).start().await;
    // A one-second budget per refresh, so a refresh gives up on a down server quickly.
    let mut live = watch(fake_env(&fake, &[("INFISICAL_STARTUP_TIMEOUT", "1")])).await;

    fake.fail_always(Route::ListV4, Fault::Status(503));
    eventually("the outage is reported", || live.last_error().is_some()).await;
    let report = live.last_error().unwrap().to_string();
    assert!(report.contains("503"), "{report}");
    assert_eq!(live.current().database_url.expose_secret(), FIRST_URL);

    fake.clear_faults();
    fake.set_secret("prod", "/", "DATABASE_URL", ROTATED_URL);
    within("the recovery", live.changed()).await;
    assert!(live.last_error().is_none());
    assert_eq!(live.current().database_url.expose_secret(), ROTATED_URL);
}

#[tokio::test]
async fn a_rate_limit_is_waited_out() {
    let fake = data(ServerMode::Current).start().await;
    let live = watch(fake_env(&fake, &[("INFISICAL_STARTUP_TIMEOUT", "1")])).await;

    fake.fail_always(
        Route::ListV4,
        Fault::RateLimited {
            retry_after_secs: 30,
        },
    );
    eventually("the rate limit is reported", || live.last_error().is_some()).await;
    let throttled = fake.request_count(Route::ListV4);
    // Four intervals later: the refresh waits for the 30 s the server asked for.
    tokio::time::sleep(INTERVAL * 4).await;
    assert_eq!(fake.request_count(Route::ListV4), throttled);
    assert_eq!(live.current().database_url.expose_secret(), FIRST_URL);
}

/// A Kubernetes secret volume rotates the file under the process: the next refresh reads it,
/// while the key Infisical has stays as it was.
#[tokio::test]
async fn a_rotated_file_is_picked_up() {
    let fake = FakeInfisical::builder()
        .secret("prod", "/", "DATABASE_URL", FIRST_URL)
        .universal_auth(ID.client_id, ID.client_secret)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("PORT"), "8080\n").unwrap();
    let mut live = AppSecrets::loader()
        .env(fake_env(&fake, &[]))
        .secrets_dir(dir.path())
        .watch(INTERVAL)
        .jitter(0.0)
        .start()
        .await
        .unwrap();
    assert_eq!(live.current().port, 8080);

    std::fs::write(dir.path().join("PORT"), "9090\n").unwrap();
    within("the rotated file", live.changed()).await;
    assert_eq!(live.current().port, 9090);
    assert_eq!(
        (revision(&live, "DATABASE_URL"), revision(&live, "PORT")),
        (1, 2)
    );
    let history = live.history();
    let port = history.iter().find(|h| h.key() == "PORT").unwrap();
    assert_eq!(
        port.entry().source(),
        Some(&Source::SecretsDir(dir.path().join("PORT")))
    );
}

/// The `_FILE` convention, env-only: the file is read again on every refresh.
#[tokio::test]
async fn a_rotated_file_variable_target_is_picked_up() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), FIRST_URL).unwrap();
    let env = Env::from_pairs([
        ("DATABASE_URL_FILE", file.path().to_str().unwrap()),
        ("PORT", "8080"),
    ]);
    let mut live = watch(env).await;
    assert_eq!(live.current().database_url.expose_secret(), FIRST_URL);

    std::fs::write(file.path(), format!("{ROTATED_URL}\n")).unwrap();
    within("the rotated file", live.changed()).await;
    assert_eq!(live.current().database_url.expose_secret(), ROTATED_URL);
    assert_eq!(revision(&live, "DATABASE_URL"), 2);
}

#[tokio::test]
async fn dropping_the_handle_stops_the_refresh_task() {
    let fake = data(ServerMode::Current).start().await;
    let live = watch(fake_env(&fake, &[])).await;
    eventually("two refreshes", || live.refreshes() >= 2).await;
    // Configured from the variables once: one client, one login, conditional listings.
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    let answered = statuses(&fake, Route::ListV4);
    assert!(answered[1..].contains(&Some(304)), "{answered:?}");

    drop(live);
    // A request already on the wire may still land; nothing is sent after that.
    tokio::time::sleep(INTERVAL).await;
    let after_drop = fake.total_requests();
    tokio::time::sleep(INTERVAL * 3).await;
    assert_eq!(fake.total_requests(), after_drop);
}
