use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod", manifest = "tests/manifests/no-such.manifest")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
