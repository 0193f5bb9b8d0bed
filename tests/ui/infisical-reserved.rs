use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(name = "INFISICAL_TOKEN")]
    token: SecretString,
}

fn main() {}
