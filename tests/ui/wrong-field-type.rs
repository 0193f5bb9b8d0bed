use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    database_url: SecretString,
    started: std::time::Instant,
}

fn main() {}
