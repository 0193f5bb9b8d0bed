use secrets_core::Secrets;

struct ServiceAccount {
    client_email: String,
}

#[derive(Secrets)]
struct AppSecrets {
    #[secret(json)]
    service_account: ServiceAccount,
}

fn main() {}
