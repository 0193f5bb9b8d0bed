use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    #[secret(default = "https://sentry.invalid/1")]
    sentry_dsn: Option<SecretString>,
}

fn main() {}
