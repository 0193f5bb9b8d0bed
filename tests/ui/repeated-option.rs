use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(name = "DB_URL")]
    #[secret(name = "DATABASE_URL")]
    database_url: SecretString,
}

fn main() {}
