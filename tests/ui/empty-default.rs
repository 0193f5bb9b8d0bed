use secrets_core::Secrets;

#[derive(Secrets)]
struct AppSecrets {
    #[secret(default = "")]
    suffix: String,
}

fn main() {}
