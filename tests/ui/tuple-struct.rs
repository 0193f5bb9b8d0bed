use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets(SecretString);

fn main() {}
