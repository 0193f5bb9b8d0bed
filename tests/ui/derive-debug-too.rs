use secrets_core::{SecretString, Secrets};

#[derive(Debug, Secrets)]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
