use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(name)]
    database_url: SecretString,
}

fn main() {}
