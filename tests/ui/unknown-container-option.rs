use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(folder = "/backend")]
struct AppSecrets {
    database_url: SecretString,
}

fn main() {}
