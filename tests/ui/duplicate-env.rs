use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(env = "TOKEN")]
    api_token: SecretString,
    token: SecretString,
}

fn main() {}
