use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(crate = "secrets core")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
