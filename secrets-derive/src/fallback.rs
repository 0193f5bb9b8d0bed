//! What a failed derive emits: every error, plus stub impls so that the code using the struct
//! still type-checks and the errors above are the only ones (thiserror's `fallback.rs`).

use proc_macro2::TokenStream;
use syn::DeriveInput;

use crate::attr::ContainerAttrs;
use crate::expand;

pub(crate) fn expand(node: &DeriveInput, attrs: &ContainerAttrs, err: &syn::Error) -> TokenStream {
    let mut tokens = err.to_compile_error();
    // Without a usable path to the runtime crate the stubs could only add an unresolved-path
    // error to the one about `crate = "..."`.
    if let Some(krate) = expand::crate_path(attrs) {
        tokens.extend(expand::impl_stubs(node, &krate));
    }
    tokens
}
