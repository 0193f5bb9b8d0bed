//! `#[derive(Secrets)]` for `secrets-core`; see that crate's docs.
#![forbid(unsafe_code)]

mod ast;
mod attr;
mod ctxt;
mod expand;
mod fallback;
mod manifest;
#[allow(
    dead_code,
    reason = "the naming grammar is one file shared with secrets-core (this is a symlink to its names.rs): the run-time re-check uses helpers the derive does not"
)]
mod names;
mod suggest;
mod symbol;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Derives `Secrets`; documented where `secrets_core` re-exports it.
#[proc_macro_derive(Secrets, attributes(secret))]
pub fn derive_secrets(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
