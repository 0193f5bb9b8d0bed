use secrets_core::Secrets;

#[derive(Secrets)]
struct AppSecrets {
    allowed_hosts: Option<std::collections::HashSet<String>>,
}

fn main() {}
