use secrets_core::Secrets;

#[derive(Secrets)]
union AppSecrets {
    port: u16,
}

fn main() {}
