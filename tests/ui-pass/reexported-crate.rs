#![deny(warnings)]

// A crate that re-exports secrets_core under its own path points the derive at it.
mod support {
    pub mod secrets {
        pub use secrets_core::*;
    }
}

#[derive(support::secrets::Secrets)]
#[secret(crate = "crate::support::secrets")]
pub struct AppSecrets {
    pub database_url: support::secrets::SecretString,
}

fn main() {
    let _ = AppSecrets::loader();
}
