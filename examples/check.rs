//! A service's `--check-secrets` flag: check the secrets against the store before a deploy,
//! print the report and exit non-zero when the service would not start, for a CI step.
//!
//! Run with `cargo run --example check -- --check-secrets`; it needs no network and no env
//! var (the store is an in-process fake Infisical on 127.0.0.1, with one secret missing and
//! one left over from a rename).

use std::process::ExitCode;

use secrets_core::testing::FakeInfisical;
use secrets_core::{Env, ExposeSecret, SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod")]
struct AppSecrets {
    /// The Anthropic API key of the agent.
    anthropic_api_key: SecretString,
    /// The API token of the authorization service.
    #[secret(name = "OPENFGA_API_TOKEN")]
    openfga_token: SecretString,
    /// The port to listen on.
    #[secret(default = "8080")]
    port: u16,
}

#[tokio::main]
async fn main() -> ExitCode {
    let fake = FakeInfisical::builder()
        .universal_auth("demo-client-id", "demo-client-secret")
        .secret(
            "prod",
            "/langgraph-agent",
            "ANTHROPIC_API_KEY",
            "sk-ant-demo-key",
        )
        // Renamed in the struct, left over in the store.
        .secret(
            "prod",
            "/langgraph-agent",
            "OPENFGA_TOKEN",
            "fga-demo-token",
        )
        .start()
        .await;
    // A real service reads the process environment: `AppSecrets::loader()` alone.
    let loader = AppSecrets::loader().env(Env::from_pairs(fake.env_vars()));

    if std::env::args().any(|arg| arg == "--check-secrets") {
        let report = loader.check().await;
        println!("{report}");
        return if report.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }

    match loader.load().await {
        Ok(secrets) => {
            println!(
                "listening on {} (API key of {} characters, OpenFGA token of {})",
                secrets.port,
                secrets.anthropic_api_key.expose_secret().len(),
                secrets.openfga_token.expose_secret().len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
