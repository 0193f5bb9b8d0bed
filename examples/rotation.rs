//! Live secrets: a database password rotates in Infisical while the service runs, and the
//! service picks the new value up without a restart, printing that it changed but never what
//! it is.
//!
//! It runs against the in-process fake Infisical of `secrets_core::testing`, so it needs no
//! server and no credentials, and it exits by itself. Run with `cargo run --example rotation`.

use std::process::ExitCode;
use std::time::Duration;

use secrets_core::testing::FakeInfisical;
use secrets_core::{Env, ExposeSecret, InfisicalClient, SecretString, Secrets, live::KeyHistory};

#[derive(Secrets)]
#[secret(environment = "prod")]
struct AppSecrets {
    database_url: SecretString,
    #[secret(default = "8080")]
    port: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let fake = FakeInfisical::builder()
        .secret(
            "prod",
            "/",
            "DATABASE_URL",
            "postgres://app:first-password@db.internal/app",
        )
        .universal_auth("rotation-example", "rotation-example-secret")
        .start()
        .await;
    // What a deployment sets; here they point at the fake.
    let env = Env::from_pairs(fake.env_vars());
    // One client for the whole watch; a clone of it reads the request counts at the end.
    let client = InfisicalClient::from_env(&env)
        .map_err(|e| e.to_string())?
        .ok_or("Infisical is not configured")?;

    let mut live = AppSecrets::loader()
        .env(env)
        .store(client.clone())
        .watch(Duration::from_secs(1))
        .jitter(0.0)
        .start()
        .await
        .map_err(|e| e.to_string())?;
    report(&live.history(), "DATABASE_URL", "loaded");
    println!("listening on port {}", live.current().port);
    let before = live.current();

    // A few refreshes with nothing new: each is a `304 Not Modified`, with nothing parsed.
    tokio::time::sleep(Duration::from_millis(2500)).await;

    // An operator (or Infisical's secret rotation) changes the password.
    fake.set_secret(
        "prod",
        "/",
        "DATABASE_URL",
        "postgres://app:second-password@db.internal/app",
    );
    tokio::time::timeout(Duration::from_secs(10), live.changed())
        .await
        .map_err(|_| "the rotation was not picked up within 10 s".to_owned())?;
    report(&live.history(), "DATABASE_URL", "rotated");
    let after = live.current();
    if same_host(&before.database_url, &after.database_url) {
        println!("same database host, new credentials");
    }

    // Connections opened from now on use `live.current().database_url`; the old snapshot
    // stays valid for whoever still holds it.
    let stats = client.stats();
    println!(
        "{} list requests: {} parsed, {} answered 304 Not Modified",
        stats.list_requests, stats.parsed_listings, stats.not_modified
    );
    if let Some(error) = live.last_error() {
        return Err(format!("the last refresh failed: {error}"));
    }
    // Dropping the handle stops the refresh task.
    drop(live);
    Ok(())
}

/// Whether two database URLs point at the same host (the part after `@`), compared without
/// printing either.
fn same_host(a: &SecretString, b: &SecretString) -> bool {
    let host = |url: &SecretString| url.expose_secret().rsplit('@').next().map(str::to_owned);
    host(a) == host(b)
}

/// Prints a key's revision and value fingerprint, never the value.
fn report(history: &[KeyHistory], key: &str, what: &str) {
    if let Some(entry) = history.iter().find(|h| h.key() == key) {
        let fingerprint = entry
            .entry()
            .fingerprint()
            .map_or_else(|| "none".to_owned(), |f| f.to_string());
        let source = entry
            .entry()
            .source()
            .map_or_else(|| "nowhere".to_owned(), ToString::to_string);
        println!(
            "{key} {what} (revision {}, fingerprint {fingerprint}) from {source}",
            entry.revision()
        );
    }
}
