use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "backend")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
