use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(env = "PG_URL", no_env)]
    database_url: SecretString,
}

fn main() {}
