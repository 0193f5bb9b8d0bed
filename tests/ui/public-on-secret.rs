use secrets_core::{SecretBox, SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(public)]
    database_url: SecretString,
    #[secret(public)]
    pin: Option<SecretBox<u32>>,
    #[secret(public)]
    port: u16,
}

fn main() {}
