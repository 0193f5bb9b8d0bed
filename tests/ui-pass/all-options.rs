#![deny(warnings)]

use secrets_core::{SecretBox, SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod-eu", prefix = "AGENT_")]
pub struct AppSecrets {
    pub anthropic_api_key: SecretString,
    #[secret(name = "OPENFGA_API_TOKEN")]
    pub openfga_token: SecretString,
    #[secret(env = "PG_URL", path = "/db", fallback_on_store_error)]
    pub database_url: SecretString,
    #[secret(default = "8080", public)]
    pub port: u16,
    pub sentry_dsn: Option<SecretString>,
    pub r#type: std::option::Option<String>,
    #[secret(name = "signing.key", no_env)]
    pub signing_key: SecretBox<u64>,
    #[secret(default = "", allow_empty)]
    pub suffix: String,
    #[secret(public)]
    pub region: core::option::Option<String>,
    pub verbose: bool,
}

// A private struct of which only `loader()` is used: the unused `load()` is no warning.
#[derive(Secrets)]
struct Private {
    token: SecretString,
}

// A struct without fields loads trivially.
#[derive(Secrets)]
pub struct Nothing {}

fn main() {
    let _ = AppSecrets::loader();
    let _ = Private::loader();
    let _ = Nothing::load();
}
