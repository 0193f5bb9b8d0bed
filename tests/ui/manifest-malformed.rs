use secrets_core::{SecretString, Secrets};

// The manifest is relative to CARGO_MANIFEST_DIR, which trybuild sets to its project in
// target/tests/trybuild/secrets-suite: four levels up is the workspace.
#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod", manifest = "../../../../tests/manifests/malformed.manifest")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
