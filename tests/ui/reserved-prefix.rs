use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(prefix = "XDG_")]
struct AppSecrets {
    database_url: SecretString,
    api_key: SecretString,
}

fn main() {}
