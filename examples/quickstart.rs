//! Loads a struct of secrets from an in-process fake Infisical and the environment, then shows
//! the one report a service prints when it must not start.
//!
//! Run with `cargo run --example quickstart`; it needs no network and no env var.

use secrets_core::testing::FakeInfisical;
use secrets_core::{Env, ExposeSecret};

// The struct: `#[derive(Secrets)]` on five fields, in `quickstart/secrets.rs`. Its
// `.env.example` and README table are generated from it (`AppSecrets::describe()`) and kept
// in step by a test: `quickstart.env.example`, `quickstart.secrets.md`.
#[path = "quickstart/secrets.rs"]
mod secrets;

use secrets::AppSecrets;

#[tokio::main]
async fn main() {
    // A fake Infisical on 127.0.0.1 with a machine identity and two secrets in one folder.
    let fake = FakeInfisical::builder()
        .universal_auth("demo-client-id", "demo-client-secret")
        .secret(
            "prod",
            "/langgraph-agent",
            "ANTHROPIC_API_KEY",
            "sk-ant-demo-key",
        )
        .secret(
            "prod",
            "/langgraph-agent",
            "OPENFGA_API_TOKEN",
            "fga-demo-token",
        )
        .start()
        .await;

    // What the service's environment would hold: the Infisical CLI's variables, plus one
    // secret that is not in Infisical. Read through a map: the process environment is untouched.
    let infisical = fake.env_vars();

    println!("== a service whose secrets are all there\n");
    let env = Env::from_pairs(infisical.clone().into_iter().chain([(
        "DATABASE_URL".to_owned(),
        "postgres://app@localhost/app".to_owned(),
    )]));
    match AppSecrets::loader().env(env).load_with_provenance().await {
        Ok((secrets, provenance)) => {
            println!("loaded: {secrets:?}");
            // A real service hands these to its clients; the example only shows their shape.
            println!(
                "port {}, database URL of {} characters, API key of {}, OpenFGA token of {}, Sentry {}",
                secrets.port,
                secrets.database_url.expose_secret().len(),
                secrets.anthropic_api_key.expose_secret().len(),
                secrets.openfga_token.expose_secret().len(),
                if secrets.sentry_dsn.is_some() {
                    "on"
                } else {
                    "off"
                },
            );
            println!("\nwhere each key came from:\n{provenance}");
        }
        Err(e) => println!("unexpected: {e}"),
    }

    println!("\n== the same service, with its environment broken three ways\n");
    fake.remove_secret("prod", "/langgraph-agent", "OPENFGA_API_TOKEN");
    let env = Env::from_pairs(infisical.into_iter().chain([
        ("PORT".to_owned(), "80a".to_owned()),
        ("SENTRY_DSN".to_owned(), String::new()),
    ]));
    match AppSecrets::loader().env(env).load().await {
        Ok(_) => println!("unexpected: loaded"),
        Err(e) => println!("{e}"),
    }
    println!(
        "\n({} requests reached Infisical: one login and one list per load)",
        fake.total_requests()
    );
}
