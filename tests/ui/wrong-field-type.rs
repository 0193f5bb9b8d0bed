use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    database_url: SecretString,
    timeout: std::time::Duration,
}

fn main() {}
