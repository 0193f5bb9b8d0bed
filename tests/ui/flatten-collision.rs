use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct DatabaseSecrets {
    host: String,
    password: SecretString,
}

#[derive(Secrets)]
struct AppSecrets {
    #[secret(flatten)]
    primary: DatabaseSecrets,
    #[secret(flatten)]
    replica: DatabaseSecrets,
    host: String,
}

fn main() {}
