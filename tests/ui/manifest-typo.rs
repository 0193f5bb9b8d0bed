use secrets_core::{SecretString, Secrets};

// The manifest is relative to CARGO_MANIFEST_DIR, which trybuild sets to its project in
// target/tests/trybuild/secrets-suite: four levels up is the workspace.
#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod", manifest = "../../../../tests/manifests/secrets.manifest")]
struct AppSecrets {
    anthropic_api_kye: SecretString,
    database_url: SecretString,
    // Optional, or with a default: loads without the key, so not an error.
    sentry_dsn: Option<SecretString>,
    #[secret(default = "8080")]
    port: u16,
}

fn main() {}
