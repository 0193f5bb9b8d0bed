//! The derive's output passes the strictest lints a user may set: CI runs clippy on this file,
//! `cargo test` the rustc part.
#![deny(
    warnings,
    unused_qualifications,
    unreachable_pub,
    missing_docs,
    rust_2018_idioms,
    clippy::all,
    clippy::pedantic
)]

use secrets_core::{SecretBox, SecretString, Secrets};

/// Every field shape the derive knows.
#[derive(Secrets)]
#[secret(path = "/lints", environment = "dev", prefix = "LINTS_")]
pub struct Linted {
    /// A secret.
    pub token: SecretString,
    /// A parsed value with a default.
    #[secret(default = "8080")]
    pub port: u16,
    /// An optional value.
    pub sentry_dsn: Option<SecretString>,
    /// A boolean.
    #[secret(name = "VERBOSE", env = "LINTS_VERBOSE_FLAG")]
    pub verbose: bool,
    /// A boxed secret.
    #[secret(no_env, allow_empty, fallback_on_store_error, path = "/lints/extra")]
    pub pin: SecretBox<u64>,
}

#[test]
fn the_derive_is_lint_clean() {
    let _ = Linted::loader();
    assert_eq!(<Linted as Secrets>::SPEC.keys().len(), 5);
}
