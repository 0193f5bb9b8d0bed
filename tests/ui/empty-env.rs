use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(env = "")]
    database_url: SecretString,
}

fn main() {}
