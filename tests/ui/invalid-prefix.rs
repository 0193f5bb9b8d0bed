use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(prefix = "app-")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
