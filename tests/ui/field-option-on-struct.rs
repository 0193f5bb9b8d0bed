use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(no_env)]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
