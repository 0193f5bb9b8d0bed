use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(nmae = "DB_URL")]
    database_url: SecretString,
}

fn main() {}
