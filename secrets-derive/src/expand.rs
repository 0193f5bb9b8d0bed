//! Validated input -> the impls; the only module that writes tokens. Everything here is glue
//! around `secrets_core::__private`, where the logic lives.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens as _, format_ident, quote, quote_spanned};
use syn::ext::IdentExt as _;
use syn::spanned::Spanned as _;
use syn::{DeriveInput, Type};

use crate::ast::{Field, Input};
use crate::attr::{ContainerAttrs, Given};
use crate::ctxt::Ctxt;
use crate::{fallback, manifest, valid};

use self::table::key_table;

mod table;

/// The whole derive: parse, validate, then the impls or the errors with stubs.
pub(crate) fn derive(node: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attrs = ContainerAttrs::from_syn(&cx, &node.attrs);
    let input = Input::from_syn(&cx, node, &attrs);
    if let Some(input) = &input {
        valid::validate(&cx, input);
        manifest::check(&cx, input);
    }
    let mut tokens = match (cx.check(), input, crate_path(&attrs)) {
        (Ok(()), Some(input), Some(krate)) => impl_secrets(&input, &krate),
        (Err(err), _, _) => fallback::expand(node, &attrs, &err),
        (Ok(()), _, _) => unreachable!("an input that cannot be expanded was reported"),
    };
    // Also on an error, so that fixing the manifest rebuilds the crate.
    if let Some(given) = &attrs.manifest {
        tokens.extend(manifest::track(&given.value));
    }
    tokens
}

/// The path to `secrets_core`: `crate = "..."` or `::secrets_core`; `None` when `crate` is not
/// a path (reported).
pub(crate) fn crate_path(attrs: &ContainerAttrs) -> Option<TokenStream> {
    match &attrs.krate {
        None => Some(quote!(::secrets_core)),
        Some(Given {
            value: Some(path), ..
        }) => Some(path.to_token_stream()),
        Some(Given { value: None, .. }) => None,
    }
}

fn impl_secrets(input: &Input<'_>, krate: &TokenStream) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let name = ident.unraw().to_string();
    let path = input.attrs.path.as_ref().map(|p| {
        let path = p.value.value();
        quote!(.with_folder(#path))
    });
    let environment = input.attrs.environment.as_ref().map(|e| {
        let environment = e.value.value();
        quote!(.with_default_environment(#environment))
    });
    let table = key_table(input, krate, &name);
    let keys = &table.keys;
    let consts = &table.consts;

    let vars: Vec<_> = (0..input.fields.len())
        .map(|i| format_ident!("__secrets_f{}", i))
        .collect();
    let takes = input
        .fields
        .iter()
        .zip(&table.offsets)
        .map(|(field, offset)| take(krate, offset, field));
    let members: Vec<_> = input.fields.iter().map(|field| field.ident).collect();
    let built = if input.fields.is_empty() {
        quote!(::core::option::Option::Some(Self {}))
    } else {
        quote! {
            match (#(#vars,)*) {
                (#(::core::option::Option::Some(#vars),)*) => {
                    ::core::option::Option::Some(Self { #(#members: #vars),* })
                }
                _ => ::core::option::Option::None,
            }
        }
    };

    let inherent = impl_inherent(
        input.ident,
        input.generics,
        input.vis,
        krate,
        &quote!(#krate::__private::Loader::<Self>::new().load().await),
        &quote!(#krate::__private::Loader::<Self>::new().load_blocking()),
        &quote!(#krate::__private::Loader::<Self>::new()),
    );
    let debug = impl_debug(input, krate, &name);
    let shadows = shadow_user_items(&vars);

    quote! {
        const _: () = {
        #shadows

        #consts

        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #impl_generics #krate::__private::Secrets for #ident #ty_generics #where_clause {
            const SPEC: #krate::__private::StructSpec =
                #krate::__private::StructSpec::new(#name, #keys) #path #environment;

            fn from_resolved(
                mut __secrets_r: #krate::__private::Resolved,
            ) -> ::core::result::Result<Self, #krate::__private::Error> {
                match <Self as #krate::__private::Flatten>::take_flattened(&mut __secrets_r, 0) {
                    ::core::option::Option::Some(__secrets_v) if __secrets_r.is_ok() => {
                        ::core::result::Result::Ok(__secrets_v)
                    }
                    _ => ::core::result::Result::Err(__secrets_r.into_error()),
                }
            }
        }

        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #impl_generics #krate::__private::Flatten for #ident #ty_generics #where_clause {
            const NESTED: #krate::__private::StructSpec = <Self as #krate::__private::Secrets>::SPEC;

            #[allow(unused_variables)]
            fn take_flattened(
                __secrets_r: &mut #krate::__private::Resolved,
                __secrets_o: usize,
            ) -> ::core::option::Option<Self> {
                #[allow(unused_imports)]
                use #krate::__private::{ConvertFromSecret as _, ConvertSpecial as _};
                #(let #vars = #takes;)*
                #built
            }
        }

        #inherent

        #debug
        };
    }
}

/// Functions named like every local the generated code binds, declared in the block around the
/// impls. A binding cannot share its name with a constant or a unit struct in scope (E0530),
/// and hygiene does not keep a user's `const __secrets_v` out of a proc macro's patterns on
/// stable Rust; an item in the block shadows the user's item of that name, and a binding may
/// shadow a function.
fn shadow_user_items(vars: &[syn::Ident]) -> TokenStream {
    let names = [
        "__secrets_r",
        "__secrets_v",
        "__secrets_f",
        "__secrets_o",
        "__secrets_t",
        "__secrets_i",
        "__secrets_e",
    ]
    .into_iter()
    .map(|name| syn::Ident::new(name, Span::call_site()))
    .chain(vars.iter().cloned());
    quote! {
        #(
            #[allow(dead_code, non_snake_case)]
            fn #names() {}
        )*
    }
}

/// `__secrets_r.take(offset, |v| convert)` for one field, the conversion spanned on the field's
/// type so that an unsupported type is reported there; a `flatten` field takes the nested
/// struct's fields from `offset` on.
fn take(krate: &TokenStream, offset: &TokenStream, field: &Field<'_>) -> TokenStream {
    if field.attrs.flatten.is_some() {
        let ty = field.ty;
        let flatten = quote_spanned! {type_name_span(ty)=>
            <#ty as #krate::__private::Flatten>::take_flattened
        };
        return quote!(#flatten(__secrets_r, __secrets_o + #offset));
    }
    let method = if field.optional.is_some() {
        quote!(take_optional)
    } else {
        quote!(take)
    };
    let convert = convert(krate, field, field.value_ty(), field.list);
    quote!(__secrets_r.#method(__secrets_o + #offset, |__secrets_v: #krate::__private::__SecretString| #convert))
}

/// The conversion of the text in `__secrets_v` to `ty` (a list of `list` items when it is one).
fn convert(krate: &TokenStream, field: &Field<'_>, ty: &Type, list: Option<&Type>) -> TokenStream {
    let private = quote!(#krate::__private);
    let attrs = &field.attrs;
    let span = type_name_span(ty);
    if attrs.json.is_some() {
        let from_json = respan(quote!(#private::FromJson::from_json), span);
        return quote_spanned! {span=>
            #private::json::<#ty>(__secrets_v, #from_json)
        };
    }
    if let Some(item) = list {
        let separator = attrs
            .split
            .as_ref()
            .map_or_else(|| ",".to_owned(), |s| s.value.value());
        let item = convert(krate, field, item, None);
        return quote! {
            #private::split(__secrets_v, #separator, |__secrets_v: #private::__SecretString| #item)
        };
    }
    if let Some(Given {
        value: Some(path), ..
    }) = &attrs.with
    {
        return quote_spanned! {span=>
            #private::with(__secrets_v, |__secrets_t| {
                (#path)(__secrets_t).map_err(|__secrets_e| ::std::string::ToString::to_string(&__secrets_e))
            })
        };
    }
    if let Some(Given {
        value: Some(encoding),
        ..
    }) = &attrs.decode
    {
        let variant = format_ident!("{}", encoding.variant());
        let from_bytes = respan(quote!(#private::FromBytes::from_bytes), span);
        return quote_spanned! {span=>
            #private::decode::<#ty>(__secrets_v, #private::Encoding::#variant, #from_bytes)
        };
    }
    let from_secret = respan(quote!(#krate::FromSecret::from_secret), span);
    quote_spanned! {span=>
        (&&#private::Convert::<#ty>::new()).convert(__secrets_v, |__secrets_t| {
            #from_secret(__secrets_t).map_err(#private::reason)
        })
    }
}

/// `tokens` with every span set to `span`: a path whose trait bound may fail is reported where
/// its first token is, and a path from `quote!` starts at the derive.
pub(super) fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let proc_macro2::TokenTree::Group(group) = &tt {
                let mut new =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                new.set_span(span);
                tt = proc_macro2::TokenTree::Group(new);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// Where an error about a field type goes: the type's name (`Duration` of
/// `std::time::Duration`, `Vec` of `Vec<String>`), else its first token. rustc puts the error
/// of a method call on the method's name, a single token, and a proc macro cannot join spans
/// on stable, so the span of one token of the type is the most precise there is.
pub(super) fn type_name_span(ty: &Type) -> Span {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .segments
            .last()
            .map_or_else(|| ty.span(), |segment| segment.ident.span()),
        _ => ty.span(),
    }
}

/// `load()`, `load_blocking()` and `loader()` with the struct's visibility.
fn impl_inherent(
    ident: &syn::Ident,
    generics: &syn::Generics,
    vis: &syn::Visibility,
    krate: &TokenStream,
    load: &TokenStream,
    load_blocking: &TokenStream,
    loader: &TokenStream,
) -> TokenStream {
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #impl_generics #ident #ty_generics #where_clause {
            /// Loads every secret of this struct: from the secret store (Infisical, when the
            /// `INFISICAL_*` env vars configure it), else from each key's env var, its `_FILE`
            /// variable or its default.
            ///
            /// # Errors
            ///
            /// One report of every key that is missing, empty or invalid.
            #vis async fn load() -> ::core::result::Result<Self, #krate::__private::Error> {
                #load
            }

            /// [`load`](Self::load) for synchronous code (a plain `fn main()`): blocks this
            /// thread until the load is done; safe inside an async runtime too.
            ///
            /// # Errors
            ///
            /// One report of every key that is missing, empty or invalid.
            #vis fn load_blocking() -> ::core::result::Result<Self, #krate::__private::Error>
            where
                Self: ::core::marker::Send,
            {
                #load_blocking
            }

            /// A loader for this struct, to choose the env vars, a secrets directory or the
            /// secret store before loading.
            #[must_use]
            #vis fn loader() -> #krate::__private::Loader<Self> {
                #loader
            }

            /// Every key of this struct, its folder, env var, default and doc comment, without
            /// a value: for a `.env.example` or a README table.
            #[must_use]
            #vis fn describe() -> #krate::__private::Description {
                #krate::__private::Description::of(<Self as #krate::__private::Secrets>::SPEC)
            }
        }
    }
}

/// A `Debug` that names every field and shows no secret: `[REDACTED]`, `None` or
/// `Some([REDACTED])` for an optional field, the value itself for a `public` one.
fn impl_debug(input: &Input<'_>, krate: &TokenStream, name: &str) -> TokenStream {
    let ident = input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let fields = input.fields.iter().map(|field| {
        let name = &field.name;
        let member = field.ident;
        let shown = if field.attrs.flatten.is_some() {
            // The nested struct's own redacting `Debug`, reached through `Flatten` so that a
            // type that is not a secrets struct is reported once, as not flattenable.
            let ty = field.ty;
            let fmt = respan(
                quote!(<#ty as #krate::__private::Flatten>::fmt_flattened),
                type_name_span(ty),
            );
            quote!(&#krate::__private::DebugWith(&self.#member, #fmt))
        } else if field.attrs.public.is_some() {
            quote!(&self.#member)
        } else if field.optional.is_some() {
            quote!(&#krate::__private::RedactedOption::new(&self.#member))
        } else {
            quote!(&::core::format_args!("[REDACTED]"))
        };
        quote!(.field(#name, #shown))
    });
    quote! {
        #[automatically_derived]
        #[allow(unused_qualifications)]
        impl #impl_generics ::core::fmt::Debug for #ident #ty_generics #where_clause {
            fn fmt(&self, __secrets_f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                __secrets_f
                    .debug_struct(#name)
                    #(#fields)*
                    .finish()
            }
        }
    }
}

/// Stubs of everything the derive writes, with `unreachable!()` bodies: emitted next to the
/// errors so that code using the struct still type-checks.
pub(crate) fn impl_stubs(node: &DeriveInput, krate: &TokenStream) -> TokenStream {
    let ident = &node.ident;
    let name = ident.unraw().to_string();
    let (impl_generics, ty_generics, where_clause) = node.generics.split_for_impl();
    let unreachable = quote!(::core::unreachable!());
    let inherent = impl_inherent(
        ident,
        &node.generics,
        &node.vis,
        krate,
        &unreachable,
        &unreachable,
        &unreachable,
    );
    quote! {
        #[allow(unused_qualifications)]
        impl #impl_generics #krate::__private::Secrets for #ident #ty_generics #where_clause {
            const SPEC: #krate::__private::StructSpec = #krate::__private::StructSpec::new(#name, &[]);

            fn from_resolved(
                _: #krate::__private::Resolved,
            ) -> ::core::result::Result<Self, #krate::__private::Error> {
                #unreachable
            }
        }

        #[allow(unused_qualifications)]
        impl #impl_generics #krate::__private::Flatten for #ident #ty_generics #where_clause {
            const NESTED: #krate::__private::StructSpec = #krate::__private::StructSpec::new(#name, &[]);

            fn take_flattened(
                _: &mut #krate::__private::Resolved,
                _: usize,
            ) -> ::core::option::Option<Self> {
                #unreachable
            }
        }

        #inherent

        #[allow(unused_qualifications)]
        impl #impl_generics ::core::fmt::Debug for #ident #ty_generics #where_clause {
            fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #unreachable
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
