use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(no_env = true)]
    database_url: SecretString,
}

fn main() {}
