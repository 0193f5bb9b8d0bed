//! `#[derive(Secrets)]` for `secrets-core`; see that crate's docs.

use proc_macro::TokenStream;

/// Derives `secrets_core::Secrets`; see the `secrets-core` docs.
#[proc_macro_derive(Secrets, attributes(secret))]
pub fn derive_secrets(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}
