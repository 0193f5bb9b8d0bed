//! HTTPS servers: HTTP/2 where offered, and Infisical Cloud, which needs no probe of the API
//! version. A load of several folders from a server that offers HTTP/2 runs every
//! request on the connections its login and version probe opened, where HTTP/1.1 opens one
//! more (a TCP and a TLS handshake) for each folder listed at once past the second; with
//! `http1_only()`, or from a server that offers HTTP/1.1 only, the load is the same over
//! HTTP/1.1.

mod support;

use std::time::Duration;

use support::fake::{Identity, no_env};
use support::h2::{H2Front, Negotiated};
use support::relay::{CLOUD_HOST, HOST, TlsTerminator};

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, Route};
use secrets_core::{
    ExposeSecret, InfisicalClient, InfisicalClientBuilder, Loader, SecretString, Secrets,
};

const ID: Identity = Identity::new("client-id-http2", "client-secret-http2");

/// Four folders, listed at once.
#[derive(Secrets)]
#[secret(environment = "prod")]
struct FourFolders {
    database_url: SecretString,
    #[secret(path = "/agent")]
    agent_key: SecretString,
    #[secret(path = "/billing")]
    stripe_key: SecretString,
    #[secret(path = "/mail")]
    smtp_password: SecretString,
}

/// A folder whose listing with values is refused (one key of it is unreadable), read key by
/// key: one request per key, all at once.
#[derive(Secrets)]
#[secret(environment = "prod", path = "/locked")]
struct LockedFolder {
    audit_log: SecretString,
    billing: SecretString,
    crm: SecretString,
    dns: SecretString,
    email: SecretString,
}

fn data() -> FakeInfisicalBuilder {
    let mut data = ID
        .allow(FakeInfisical::builder())
        .secret("prod", "/", "DATABASE_URL", "postgres://db.internal/app")
        .secret("prod", "/agent", "AGENT_KEY", "agent-key-1")
        .secret("prod", "/billing", "STRIPE_KEY", "stripe-key-1")
        .secret("prod", "/mail", "SMTP_PASSWORD", "smtp-password-1")
        .unreadable_secret("prod", "/locked", "AUDIT_KEY", "not-for-this-identity");
    for key in ["AUDIT_LOG", "BILLING", "CRM", "DNS", "EMAIL"] {
        data = data.secret("prod", "/locked", key, format!("{key}-value"));
    }
    data
}

fn client(fake: &FakeInfisical, port: u16, ca_pem: &str) -> InfisicalClientBuilder {
    ID.client(&format!("https://{HOST}:{port}"))
        .ca_bundle_pem(ca_pem.to_owned())
        .resolve(HOST, std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .request_timeout(Duration::from_secs(10))
        .startup_deadline(Duration::from_secs(20))
        .project_id(fake.project_id())
}

async fn load<S: Secrets>(client: InfisicalClient) -> S {
    Loader::<S>::new()
        .env(no_env())
        .store(client)
        .load()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn four_values(app: &FourFolders) -> [&str; 4] {
    [
        app.database_url.expose_secret(),
        app.agent_key.expose_secret(),
        app.stripe_key.expose_secret(),
        app.smtp_password.expose_secret(),
    ]
}

const FOUR: [&str; 4] = [
    "postgres://db.internal/app",
    "agent-key-1",
    "stripe-key-1",
    "smtp-password-1",
];

#[tokio::test]
async fn four_folders_over_http2_need_no_connection_past_the_login_and_the_probe() {
    let fake = data().start().await;
    let front = H2Front::start(fake.addr()).await;
    let client = client(&fake, front.addr.port(), &front.ca_pem)
        .build()
        .unwrap();
    let app: FourFolders = load(client.clone()).await;
    assert_eq!(four_values(&app), FOUR);
    // The login, the probe and the four listings.
    assert_eq!(fake.total_requests(), 6);
    assert_eq!(
        front.connections(),
        [Negotiated::Http2, Negotiated::Http2],
        "one connection for the login, one for the probe sent beside it, and none more"
    );

    // Warm: the four listings again, on the same connections.
    let again: FourFolders = load(client).await;
    assert_eq!(four_values(&again), FOUR);
    assert_eq!(front.connections().len(), 2);
}

#[tokio::test]
async fn four_folders_over_http1_open_a_connection_for_each_folder_past_the_second() {
    let fake = data().start().await;
    let front = H2Front::start(fake.addr()).await;
    let client = client(&fake, front.addr.port(), &front.ca_pem)
        .http1_only()
        .build()
        .unwrap();
    let app: FourFolders = load(client).await;
    assert_eq!(four_values(&app), FOUR);
    assert_eq!(fake.total_requests(), 6);
    // The login's and the probe's connections carry two listings; the other two each wait
    // for a connection of their own.
    assert_eq!(front.connections(), [Negotiated::Http1; 4]);
}

#[tokio::test]
async fn a_server_that_offers_http1_only_is_read_over_http1() {
    let fake = data().start().await;
    // No ALPN at all: the server picks HTTP/1.1, as an older TLS end does.
    let tls = TlsTerminator::start(fake.addr()).await;
    let client = client(&fake, tls.addr.port(), &tls.ca_pem).build().unwrap();
    let app: FourFolders = load(client).await;
    assert_eq!(four_values(&app), FOUR);
    let plain = String::from_utf8_lossy(&tls.plain()).into_owned();
    assert!(plain.contains("GET /api/v4/secrets?"), "{plain}");
    assert!(plain.contains(" HTTP/1.1\r\n"), "{plain}");
}

#[tokio::test]
async fn a_folder_read_key_by_key_over_http2_shares_the_open_connections() {
    let fake = data().start().await;
    let front = H2Front::start(fake.addr()).await;
    let client = client(&fake, front.addr.port(), &front.ca_pem)
        .build()
        .unwrap();
    let locked: LockedFolder = load(client).await;
    let values = [
        locked.audit_log.expose_secret(),
        locked.billing.expose_secret(),
        locked.crm.expose_secret(),
        locked.dns.expose_secret(),
        locked.email.expose_secret(),
    ];
    assert_eq!(
        values,
        [
            "AUDIT_LOG-value",
            "BILLING-value",
            "CRM-value",
            "DNS-value",
            "EMAIL-value"
        ]
    );
    // A lone folder sends no probe: the login, the refused listing, the listing without
    // values and the five reads, every one on the login's connection.
    assert_eq!(fake.total_requests(), 8);
    assert_eq!(front.connections(), [Negotiated::Http2]);
}

/// Infisical Cloud serves the current API: a client of it lists four folders at once after
/// its login without asking first, and opens the login's connection only.
#[tokio::test]
async fn a_client_of_infisical_cloud_sends_no_probe() {
    let fake = data().start().await;
    let front = H2Front::start(fake.addr()).await;
    let client = ID
        .client(&format!("https://{CLOUD_HOST}"))
        .project_id(fake.project_id())
        .ca_bundle_pem(front.ca_pem.clone())
        .resolve(CLOUD_HOST, front.addr)
        .build()
        .unwrap();
    let app: FourFolders = load(client.clone()).await;
    assert_eq!(four_values(&app), FOUR);
    assert_eq!(client.stats().probes, 0);
    // The login and the four listings, each with the token.
    assert_eq!(fake.total_requests(), 5);
    assert_eq!(fake.request_count(Route::ListV4), 4);
    assert!(
        fake.requests()
            .iter()
            .filter(|r| r.route() == Route::ListV4)
            .all(secrets_core::testing::RecordedRequest::has_authorization)
    );
    assert_eq!(front.connections(), [Negotiated::Http2]);
}

/// A server whose HTTP/2 answers carry a header list past 16 KiB: every load fails with the
/// keys not loaded, in time, and nothing of the header is shown.
#[tokio::test]
async fn an_http2_answer_with_a_huge_header_list_fails_the_load_cleanly() {
    let fake = data().start().await;
    let huge = "SENTINEL-header-".repeat(1_500);
    let front = H2Front::start_adding(fake.addr(), Some(("x-padding", huge))).await;
    let client = client(&fake, front.addr.port(), &front.ca_pem)
        .max_retries(1)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(10))
        .build()
        .unwrap();
    let loaded = tokio::time::timeout(
        Duration::from_secs(15),
        Loader::<FourFolders>::new()
            .env(no_env())
            .store(client)
            .load(),
    )
    .await
    .expect("the load ended");
    let Err(error) = loaded else {
        panic!("no load from answers the client refuses");
    };
    let report = error.to_string();
    assert!(report.contains("DATABASE_URL"), "{report}");
    assert!(!report.contains("SENTINEL-header"), "{report}");
    assert_eq!(front.connections().first(), Some(&Negotiated::Http2));
}
