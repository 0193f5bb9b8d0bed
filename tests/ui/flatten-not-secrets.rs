use secrets_core::Secrets;

struct DatabaseSecrets {
    url: String,
}

#[derive(Secrets)]
struct AppSecrets {
    #[secret(flatten)]
    database: DatabaseSecrets,
}

fn main() {}
