use secrets_core::Secrets;

#[derive(Secrets)]
struct AppSecrets {
    allowed_hosts: Option<Vec<String>>,
}

fn main() {}
