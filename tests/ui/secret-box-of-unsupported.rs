use secrets_core::{SecretBox, Secrets};

#[derive(Secrets)]
struct AppSecrets {
    // A type alias hides the bytes from the derive; the compiler still names the inner type.
    signing_key: SecretBox<Bytes>,
}

type Bytes = Vec<u8>;

fn main() {}
