use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(name = "db/url", no_env)]
    database_url: SecretString,
}

fn main() {}
