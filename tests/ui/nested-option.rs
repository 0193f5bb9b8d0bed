use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    sentry_dsn: Option<Option<SecretString>>,
}

fn main() {}
