use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(decode = "hex")]
    token: SecretString,
    #[secret(decode = "base-64")]
    key: Vec<u8>,
    #[secret(decode = "base64")]
    keys: Vec<[u8; 32]>,
}

fn main() {}
