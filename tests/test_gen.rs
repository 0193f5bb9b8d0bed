//! The derive's output compiles whatever the user's scope holds: the prelude's names shadowed,
//! no prelude at all, raw identifiers, and every warning denied.
#![deny(warnings)]
#![allow(non_camel_case_types, dead_code)]

use secrets_core::{Env, ExposeSecret, SecretString, Secrets};

// Shadow everything generated code could name without a path.
struct Result;
struct Option;
struct Ok;
struct Err;
struct Some;
struct None;
struct String;
struct Box;
struct Vec;
mod core {}
mod std {}
mod __private {}

/// Raw identifiers and fields named like the generated locals.
#[derive(Secrets)]
#[secret(path = "/gen", environment = "test")]
pub struct Shadowed {
    /// `TYPE`.
    pub r#type: SecretString,
    /// `MATCH`.
    pub r#match: ::core::option::Option<u16>,
    /// `FLAG`.
    #[secret(default = "true")]
    pub flag: bool,
    /// `OTHER`, store only.
    #[secret(name = "OTHER", no_env)]
    pub other: ::core::option::Option<::std::string::String>,
    /// Named like the resolved values.
    __secrets_r: u8,
    /// Named like a value being converted.
    __secrets_v: u8,
    /// Named like the first field's local.
    __secrets_f0: u8,
}

/// Items in scope named like every local the generated code binds: a binding cannot shadow a
/// constant or a unit struct, so the derive must keep its locals apart from these.
pub mod item_names {
    #![allow(non_upper_case_globals)]

    use secrets_core::{SecretString, Secrets};

    /// Named like the resolved values.
    pub const __secrets_r: u8 = 0;
    /// Named like a value being converted.
    pub const __secrets_v: u8 = 0;
    /// Named like the formatter of `Debug`.
    pub struct __secrets_f;
    /// Named like the first and second fields' locals.
    pub struct __secrets_f0;
    /// Named like the second field's local.
    pub static __secrets_f1: u8 = 0;

    /// Two fields, so that both `__secrets_f0` and `__secrets_f1` are bound.
    #[derive(Secrets)]
    pub struct ItemNames {
        /// `TOKEN`.
        pub token: SecretString,
        /// `PORT`.
        pub port: u16,
    }
}

/// A module without the prelude.
pub mod no_prelude {
    #![no_implicit_prelude]

    /// Everything by absolute path.
    #[derive(::secrets_core::Secrets)]
    pub struct NoPrelude {
        /// `TOKEN`.
        pub token: ::secrets_core::SecretString,
        /// `PORT`.
        pub port: ::core::option::Option<u16>,
    }
}

#[tokio::test]
async fn shadowed_names_do_not_leak_into_generated_code() {
    let env = Env::from_pairs([
        ("TYPE", "t"),
        ("MATCH", "7"),
        // heck drops leading underscores: `__secrets_r` is `SECRETS_R`.
        ("SECRETS_R", "1"),
        ("SECRETS_V", "2"),
        ("SECRETS_F0", "3"),
    ]);
    let s = Shadowed::loader().env(env).load().await.unwrap();
    assert_eq!(s.r#type.expose_secret(), "t");
    assert_eq!(s.r#match, ::core::option::Option::Some(7));
    assert!(s.flag);
    assert!(s.other.is_none());
    assert_eq!((s.__secrets_r, s.__secrets_v, s.__secrets_f0), (1, 2, 3));
}

#[tokio::test]
async fn no_prelude_is_needed() {
    let env = Env::from_pairs([("TOKEN", "x")]);
    let s = no_prelude::NoPrelude::loader()
        .env(env)
        .load()
        .await
        .unwrap();
    assert_eq!(s.token.expose_secret(), "x");
    assert_eq!(s.port, ::core::option::Option::None);
}

#[tokio::test]
async fn items_named_like_generated_locals_are_left_alone() {
    let env = Env::from_pairs([("TOKEN", "x"), ("PORT", "8080")]);
    let s = item_names::ItemNames::loader()
        .env(env)
        .load()
        .await
        .unwrap();
    assert_eq!(s.token.expose_secret(), "x");
    assert_eq!(s.port, 8080);
    assert_eq!(
        ::std::format!("{s:?}"),
        "ItemNames { token: [REDACTED], port: [REDACTED] }"
    );
    let _ = (
        item_names::__secrets_r,
        item_names::__secrets_v,
        item_names::__secrets_f,
        item_names::__secrets_f0,
        item_names::__secrets_f1,
    );
}
