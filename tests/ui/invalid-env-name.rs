use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(env = "db.url")]
    database_url: SecretString,
}

fn main() {}
