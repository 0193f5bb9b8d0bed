//! Every required key is in the manifest; optional and defaulted keys need not be.

use secrets_core::{SecretString, Secrets};

// The manifest is relative to CARGO_MANIFEST_DIR, which trybuild sets to its project in
// target/tests/trybuild/secrets-suite: four levels up is the workspace.
#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod", manifest = "../../../../tests/manifests/secrets.manifest")]
struct AppSecrets {
    anthropic_api_key: SecretString,
    #[secret(name = "OPENFGA_API_TOKEN")]
    openfga_token: SecretString,
    database_url: SecretString,
    sentry_dsn: Option<SecretString>,
    #[secret(default = "8080")]
    port: u16,
}

fn main() {
    let _ = AppSecrets::describe();
}
