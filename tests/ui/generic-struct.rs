use secrets_core::Secrets;

#[derive(Secrets)]
struct AppSecrets<T> {
    port: T,
}

fn main() {}
