use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(environment = "Production")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
