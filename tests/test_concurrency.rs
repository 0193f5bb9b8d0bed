//! Many loads through one client at once, and loads abandoned half way: one login is shared,
//! every load sees the same values, and a dropped `load()` leaves no task and no connection
//! behind beyond the client's pool.

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use support::fake::{Identity, no_env};
use support::relay::Relay;

use secrets_core::testing::{
    DEFAULT_PROJECT_ID, FakeInfisical, FakeInfisicalBuilder, Fault, Route,
};
use secrets_core::{ExposeSecret, InfisicalClient, SecretString, Secrets};
use tokio::runtime::Runtime;

const ID: Identity = Identity::new("client-id-concurrency", "client-secret-concurrency");
const LOADS: usize = 100;

/// Two folders, so every load lists twice.
#[derive(Secrets)]
#[secret(environment = "prod")]
struct App {
    database_url: SecretString,
    #[secret(default = "8080")]
    port: u16,
    #[secret(path = "/agent")]
    agent_key: SecretString,
}

fn data() -> FakeInfisicalBuilder {
    ID.allow(
        FakeInfisical::builder()
            .secret("prod", "/", "DATABASE_URL", "postgres://db.internal/app")
            .secret("prod", "/", "PORT", "9090")
            .secret("prod", "/agent", "AGENT_KEY", "agent-key-1"),
    )
}

fn client(url: &str) -> InfisicalClient {
    ID.client(url)
        .request_timeout(Duration::from_secs(10))
        .startup_deadline(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// What a load gave, as comparable text.
type Values = (String, u16, String);

async fn load(client: InfisicalClient) -> Values {
    let app = App::loader()
        .env(no_env())
        .store(client)
        .load()
        .await
        .unwrap();
    (
        app.database_url.expose_secret().to_owned(),
        app.port,
        app.agent_key.expose_secret().to_owned(),
    )
}

/// `LOADS` loads at once, each on its own task, through clones of one client.
async fn load_many(client: &InfisicalClient) -> Vec<Values> {
    let tasks: Vec<_> = (0..LOADS)
        .map(|_| tokio::spawn(load(client.clone())))
        .collect();
    let mut values = Vec::with_capacity(LOADS);
    for task in tasks {
        values.push(task.await.unwrap());
    }
    values
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_loads_share_one_login_and_see_the_same_values() {
    let fake = data().start().await;
    let client = client(fake.url());
    let values = load_many(&client).await;
    let expected: Values = (
        "postgres://db.internal/app".into(),
        9090,
        "agent-key-1".into(),
    );
    assert!(values.iter().all(|v| *v == expected), "{values:?}");
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    // One list per folder and load, and one probe of the API version without a token for the
    // client, sent while the shared login was under way.
    assert_eq!(fake.request_count(Route::ListV4), 2 * LOADS + 1);
    assert_eq!(client.stats().probes, 1);

    // The token expires; the next hundred loads share one new login between them.
    fake.expire_tokens();
    let values = load_many(&client).await;
    assert!(values.iter().all(|v| *v == expected), "{values:?}");
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_loads_share_one_failed_login_too() {
    let fake = data().start().await;
    let wrong = InfisicalClient::builder()
        .base_url(fake.url())
        .project_id(DEFAULT_PROJECT_ID)
        .universal_auth(ID.client_id, SecretString::from("wrong"))
        .build()
        .unwrap();
    // Held back until all loads have started, so they run as one.
    fake.fail_next(
        Route::UniversalAuthLogin,
        1,
        Fault::Delay(Duration::from_millis(300)),
    );
    let tasks: Vec<_> = (0..LOADS)
        .map(|_| {
            let client = wrong.clone();
            tokio::spawn(async move {
                App::loader()
                    .env(no_env())
                    .store(client)
                    .load()
                    .await
                    .err()
                    .unwrap()
                    .to_string()
            })
        })
        .collect();
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.unwrap());
    }
    assert!(reports.iter().all(|r| *r == reports[0]), "{reports:?}");
    assert!(reports[0].contains("Invalid credentials"), "{}", reports[0]);
    assert_eq!(
        fake.request_count(Route::UniversalAuthLogin),
        1,
        "no lockout risk"
    );
    // Only the probe of the API version, which carries no token: no listing.
    assert_eq!(fake.request_count(Route::ListV4), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_load_that_starts_while_another_runs_gets_the_whole_deadline() {
    // Every listing takes 3 s of a 4 s deadline. The second load starts 2 s into the first:
    // it needs until 5 s, past the first load's deadline but within its own.
    let fake = data().start().await;
    let client = ID
        .client(fake.url())
        .request_timeout(Duration::from_secs(10))
        .startup_deadline(Duration::from_secs(4))
        .build()
        .unwrap();
    let load = |client: InfisicalClient| async move {
        App::loader()
            .env(no_env())
            .store(client)
            .load()
            .await
            .map(|app| app.agent_key.expose_secret().to_owned())
            .map_err(|e| e.to_string())
    };
    // A first load teaches the client that the server has `/api/v4` (with one probe without a
    // token, sent alongside the login): that wait is not what this test measures.
    assert_eq!(load(client.clone()).await.as_deref(), Ok("agent-key-1"));
    fake.fail_always(Route::ListV4, Fault::Delay(Duration::from_secs(3)));
    let first = tokio::spawn(load(client.clone()));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let second = tokio::spawn(load(client.clone()));
    assert_eq!(first.await.unwrap().as_deref(), Ok("agent-key-1"));
    assert_eq!(second.await.unwrap().as_deref(), Ok("agent-key-1"));
    // The login is still shared.
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    assert_eq!(fake.request_count(Route::ListV4), 1 + 2 + 4);
}

// ---------------------------------------------------------------------------------------
// Dropped loads

/// A cold load of two folders opens two connections (the login's, and the version probe's
/// beside it) and lists both folders on them; a second load through the same client opens
/// none.
#[tokio::test]
async fn loads_through_one_client_reuse_its_connections() {
    let fake = data().start().await;
    let client = client(fake.url());
    let _ = load(client.clone()).await;
    assert_eq!(fake.total_requests(), 4, "login, probe and two listings");
    assert_eq!(fake.connections(), 2);
    let _ = load(client.clone()).await;
    assert_eq!(fake.total_requests(), 6);
    assert_eq!(fake.connections(), 2, "a second load opened a connection");
}

fn runtime(workers: usize) -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .unwrap()
}

/// Waits (at most 3 s) until `done` holds; returns whether it did.
async fn eventually(done: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[test]
fn a_dropped_load_leaves_no_task_and_no_connection_behind() {
    // The fake and the relay run on a runtime of their own, so the client's runtime counts
    // only the client's tasks.
    let server_side = runtime(1);
    let fake = server_side.block_on(data().start());
    let relay = server_side.block_on(Relay::start(fake.addr()));
    let open = || relay.open.load(Ordering::SeqCst);

    let client_side = runtime(2);
    client_side.block_on(async {
        let alive = || {
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
        };
        let tasks_before = alive();
        assert_eq!(open(), 0);
        let cases = [
            (
                Route::UniversalAuthLogin,
                Fault::Delay(Duration::from_secs(5)),
                "mid-login",
            ),
            (
                Route::ListV4,
                Fault::Delay(Duration::from_secs(5)),
                "mid-listing",
            ),
            (
                Route::ListV4,
                Fault::Trickle {
                    chunk_delay: Duration::from_millis(500),
                },
                "mid-body",
            ),
        ];
        for (route, fault, when) in cases {
            let client = client(&relay.url);
            fake.fail_next(route, 2, fault);
            let dropped = tokio::time::timeout(Duration::from_millis(400), load(client.clone()));
            assert!(dropped.await.is_err(), "{when}: the load was still running");
            // Nothing is left half done (a held lock, a failed login, a spent deadline): the
            // same client loads at once.
            fake.clear_faults();
            let started = Instant::now();
            load(client.clone()).await;
            assert!(started.elapsed() < Duration::from_secs(5), "{when}");
            assert!(open() >= 1, "{when}: the pool keeps a connection");
            // What remains is the pool, and it goes with the client: a connection still
            // waiting for the dropped request's answer (due seconds later) would stay open,
            // with its task.
            drop(client);
            assert!(
                eventually(|| open() == 0).await,
                "{when}: {} connections still open",
                open()
            );
            assert!(
                eventually(|| alive() <= tasks_before).await,
                "{when}: {} tasks alive, {tasks_before} before",
                alive()
            );
        }
    });
    drop(fake);
    server_side.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn many_dropped_loads_leave_nothing_behind() {
    let server_side = runtime(1);
    let fake = server_side.block_on(data().start());
    let relay = server_side.block_on(Relay::start(fake.addr()));
    let client_side = runtime(2);
    client_side.block_on(async {
        let client = client(&relay.url);
        let alive = || {
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
        };
        load(client.clone()).await;
        let tasks_before = alive();
        let open_before = relay.open.load(Ordering::SeqCst);
        fake.set_latency(Duration::from_secs(5));
        let mut loads = tokio::task::JoinSet::new();
        for _ in 0..20 {
            loads.spawn(tokio::time::timeout(
                Duration::from_millis(200),
                load(client.clone()),
            ));
        }
        while let Some(result) = loads.join_next().await {
            assert!(result.unwrap().is_err(), "the load was still running");
        }
        fake.set_latency(Duration::ZERO);
        assert!(
            eventually(|| alive() <= tasks_before).await,
            "{} tasks alive, {tasks_before} before",
            alive()
        );
        assert!(
            eventually(|| relay.open.load(Ordering::SeqCst) <= open_before).await,
            "{} connections open, {open_before} before",
            relay.open.load(Ordering::SeqCst)
        );
        load(client).await;
    });
    drop(fake);
    server_side.shutdown_timeout(Duration::from_secs(1));
}
