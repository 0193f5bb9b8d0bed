use secrets_core::Secrets;

#[derive(Secrets)]
struct AppSecrets;

fn main() {}
