use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod", manifest = "tests/manifests/malformed.manifest")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
