use secrets_core::Secrets;

#[derive(Secrets)]
struct AppSecrets {
    path: std::path::PathBuf,
}

fn main() {}
