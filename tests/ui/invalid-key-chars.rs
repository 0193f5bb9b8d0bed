use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(name = "database-url")]
    database_url: SecretString,
}

fn main() {}
