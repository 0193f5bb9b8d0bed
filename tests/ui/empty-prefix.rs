use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(prefix = "")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
