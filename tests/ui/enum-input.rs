use secrets_core::Secrets;

#[derive(Secrets)]
enum AppSecrets {
    Token(String),
}

fn main() {}
