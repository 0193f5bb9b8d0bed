use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    token: SecretString,
    token_file: SecretString,
}

fn main() {}
