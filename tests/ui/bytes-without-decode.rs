use secrets_core::{SecretBox, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    encryption_key: [u8; 32],
    signing_key: SecretBox<Vec<u8>>,
    nonce: Option<Vec<u8>>,
}

fn main() {}
