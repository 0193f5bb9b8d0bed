use secrets_core::Secrets;

#[derive(Secrets)]
struct AppSecrets {
    #[secret(default = 8080)]
    port: u16,
}

fn main() {}
