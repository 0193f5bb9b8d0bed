use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    database_url: SecretString,
    #[secret(name = "DATABASE_URL")]
    db: SecretString,
}

fn main() {}
