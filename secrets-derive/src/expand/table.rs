//! The `SPEC` key table of a struct: one `KeySpec` per field, or with `flatten` fields a
//! `const` table whose nested names are prefixed at compile time, with the `const` assertions
//! that keep nested keys from colliding.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens as _, format_ident, quote, quote_spanned};

use heck::ToShoutySnakeCase as _;

use super::{respan, type_name_span};
use crate::ast::{Field, Input, Origin};

/// The key table of a struct: its `SPEC` keys expression, the `const` items it needs, and
/// where each field's keys start in it.
pub(super) struct KeyTable {
    pub(super) keys: TokenStream,
    pub(super) consts: TokenStream,
    pub(super) offsets: Vec<TokenStream>,
}

/// `&[KeySpec::new(..), ..]` for a struct of plain fields; with `flatten` fields, a `const`
/// table built by `KeyTable`, the nested structs' names prefixed at compile time, and one
/// `const` assertion per pair of a nested struct and another field that their keys and env
/// vars do not collide.
pub(super) fn key_table(input: &Input<'_>, krate: &TokenStream, name: &str) -> KeyTable {
    let private = quote!(#krate::__private);
    if input.fields.iter().all(|f| f.attrs.flatten.is_none()) {
        let keys = input.fields.iter().map(|field| key_spec(krate, field));
        return KeyTable {
            keys: quote!(&[#(#keys),*]),
            consts: TokenStream::new(),
            offsets: (0..input.fields.len())
                .map(|i| Literal::usize_suffixed(i).into_token_stream())
                .collect(),
        };
    }
    let nested = |field: &Field<'_>| {
        let ty = field.ty;
        let flatten = respan(
            quote!(<#ty as #private::Flatten>::NESTED),
            type_name_span(ty),
        );
        quote!(#flatten)
    };
    let sizes: Vec<TokenStream> = input
        .fields
        .iter()
        .map(|field| {
            if field.attrs.flatten.is_some() {
                let spec = nested(field);
                quote!(#spec.keys().len())
            } else {
                quote!(1usize)
            }
        })
        .collect();
    let offsets: Vec<TokenStream> = (0..input.fields.len())
        .map(|i| {
            let before = &sizes[..i];
            quote!((0usize #(+ #before)*))
        })
        .collect();
    let mut consts = TokenStream::new();
    let mut steps = Vec::new();
    for (i, field) in input.fields.iter().enumerate() {
        if field.attrs.flatten.is_none() {
            let key = key_spec(krate, field);
            steps.push(quote!(.key(#key)));
            continue;
        }
        let spec = nested(field);
        let prefix = field
            .attrs
            .prefix
            .as_ref()
            .map_or_else(String::new, |p| p.value.value());
        let names = format_ident!("__SECRETS_NAMES_{}", i);
        consts.extend(quote! {
            const #names: [u8; #private::prefixed_len(#spec, #prefix)] =
                #private::prefixed_names(#spec, #prefix);
        });
        steps.push(quote!(.flatten(#spec, #prefix, &#names)));
    }
    let total = quote!((0usize #(+ #sizes)*));
    consts.extend(quote! {
        const __SECRETS_KEYS: [#private::KeySpec; #total] =
            #private::KeyTable::<{ #total }>::new() #(#steps)* .finish();
    });
    consts.extend(clash_checks(input, &private, name, &offsets, &sizes));
    KeyTable {
        keys: quote!(&__SECRETS_KEYS),
        consts,
        offsets,
    }
}

/// One `const` assertion per pair of a nested struct and another field: their keys and env
/// vars do not collide. Reported on the second field of the pair, naming both.
fn clash_checks(
    input: &Input<'_>,
    private: &TokenStream,
    name: &str,
    offsets: &[TokenStream],
    sizes: &[TokenStream],
) -> TokenStream {
    let mut consts = TokenStream::new();
    for (j, second) in input.fields.iter().enumerate() {
        for (i, first) in input.fields[..j].iter().enumerate() {
            let message = match (&first.attrs.flatten, &second.attrs.flatten) {
                (None, None) => continue,
                (Some(_), Some(_)) => format!(
                    "the flattened fields `{}` and `{}` of `{name}` have a key or env var in common: give one of them a prefix, e.g. `#[secret(flatten, prefix = \"{}_\")]`",
                    first.name,
                    second.name,
                    second.name.to_shouty_snake_case()
                ),
                (Some(_), None) | (None, Some(_)) => {
                    let (group, other) = if first.attrs.flatten.is_some() {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    format!(
                        "a key or env var of the flattened field `{}` of `{name}` is also field `{}`'s: give `{}` a prefix, e.g. `#[secret(flatten, prefix = \"{}_\")]`, or rename `{}`",
                        group.name,
                        other.name,
                        group.name,
                        group.name.to_shouty_snake_case(),
                        other.name
                    )
                }
            };
            let message = message.replace('{', "{{").replace('}', "}}");
            let (a, a_len, b, b_len) = (&offsets[i], &sizes[i], &offsets[j], &sizes[j]);
            // Reported on the second field of the pair.
            consts.extend(quote_spanned! {second.ident.span()=>
                const _: () = ::core::assert!(
                    !#private::clashes(&__SECRETS_KEYS, #a, #a_len, #b, #b_len),
                    #message
                );
            });
        }
    }
    consts
}

/// `KeySpec::new("KEY", "field").with_env_var("KEY").with_file_var("KEY_FILE")...` for one field.
fn key_spec(krate: &TokenStream, field: &Field<'_>) -> TokenStream {
    let key = &field.key.value;
    let name = &field.name;
    let env = field.env.as_ref().map(|env| {
        let env = &env.value;
        let file_var = field.file_var();
        quote!(.with_env_var(#env).with_file_var(#file_var))
    });
    let default = field.attrs.default.as_ref().map(|d| {
        let default = d.value.value();
        quote!(.with_default(#default))
    });
    let optional = field.optional.map(|_| quote!(.optional()));
    let named_by_field = (field.key.origin == Origin::FieldName).then(|| quote!(.named_by_field()));
    let path = field.attrs.path.as_ref().map(|p| {
        let path = p.value.value();
        quote!(.with_folder(#path))
    });
    let allow_empty = field
        .attrs
        .allow_empty
        .as_ref()
        .map(|_| quote!(.allow_empty()));
    let fallback = field
        .attrs
        .fallback_on_store_error
        .as_ref()
        .map(|_| quote!(.fallback_on_store_error()));
    let doc = field
        .doc
        .as_ref()
        .map(|doc| quote!(.with_doc_comment(#doc)));
    quote! {
        #krate::__private::KeySpec::new(#key, #name)
            #env #default #optional #path #allow_empty #fallback #named_by_field #doc
    }
}
