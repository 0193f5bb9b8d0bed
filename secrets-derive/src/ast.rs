//! The derive input as the rest of the macro sees it: a struct with named fields, each with its
//! attributes and its resolved key, env var and file variable.

use heck::ToShoutySnakeCase as _;
use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::{
    Data, DeriveInput, Fields, GenericArgument, Generics, Ident, PathArguments, Type, Visibility,
};

use crate::attr::{ContainerAttrs, FieldAttrs};
use crate::ctxt::Ctxt;

/// A struct with named fields.
pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    pub(crate) generics: &'a Generics,
    pub(crate) attrs: &'a ContainerAttrs,
    pub(crate) fields: Vec<Field<'a>>,
}

/// One field and the names it is looked up by.
pub(crate) struct Field<'a> {
    /// As written, `r#type` included.
    pub(crate) ident: &'a Ident,
    /// Without `r#`: the name used in reports and in `Debug`.
    pub(crate) name: String,
    pub(crate) ty: &'a Type,
    /// `T` when the field is `Option<T>`.
    pub(crate) optional: Option<&'a Type>,
    pub(crate) attrs: FieldAttrs,
    /// The key in the store.
    pub(crate) key: Name,
    /// The env var read after the store; `None` with `no_env`.
    pub(crate) env: Option<Name>,
    /// `T` when the field (`Option` aside) is a `Vec<T>` read as a list: split on `,` or the
    /// `split` separator, each item converted on its own.
    pub(crate) list: Option<&'a Type>,
    /// The field's `///` comment, lines joined with `\n`; `None` without one.
    pub(crate) doc: Option<String>,
}

/// A key or env var name, and the token an error about it points at.
pub(crate) struct Name {
    pub(crate) value: String,
    pub(crate) span: Span,
    pub(crate) origin: Origin,
}

/// Where a name comes from, which decides how an error about it says to fix it.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Written in the attribute: `name = "..."` or `env = "..."`.
    Attr,
    /// Derived from the field's name (and the container's prefix).
    FieldName,
    /// An env var that is the key itself.
    Key,
}

impl<'a> Input<'a> {
    /// `None` when the input is not a struct with named fields (reported).
    pub(crate) fn from_syn(
        cx: &Ctxt,
        node: &'a DeriveInput,
        attrs: &'a ContainerAttrs,
    ) -> Option<Self> {
        // Keys come from field names, so only a struct with named fields can hold secrets.
        let fields = match &node.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(fields) => &fields.named,
                Fields::Unnamed(_) => {
                    cx.error_spanned_by(
                        &node.ident,
                        "`#[derive(Secrets)]` needs named fields, which give the keys: `struct Name { field: Type }`, not a tuple struct",
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &node.ident,
                        "`#[derive(Secrets)]` needs named fields, which give the keys: `struct Name { field: Type }`, not a unit struct",
                    );
                    return None;
                }
            },
            Data::Enum(_) => {
                cx.error_spanned_by(
                    &node.ident,
                    "`#[derive(Secrets)]` needs a struct with named fields, which give the keys: `struct Name { field: Type }`, not an enum",
                );
                return None;
            }
            Data::Union(_) => {
                cx.error_spanned_by(
                    &node.ident,
                    "`#[derive(Secrets)]` needs a struct with named fields, which give the keys: `struct Name { field: Type }`, not a union",
                );
                return None;
            }
        };
        // A secrets struct is loaded once, at startup, into concrete types; a type parameter
        // would have to be known to the table of keys, which is a `const`.
        if !node.generics.params.is_empty() {
            cx.error_spanned_by(
                &node.generics,
                "`#[derive(Secrets)]` does not support generic parameters: remove them and use concrete field types",
            );
        }
        // An invalid prefix is reported on its own, not again on every key it would start.
        let prefix = attrs
            .prefix
            .as_ref()
            .map(|p| p.value.value())
            .filter(|p| crate::names::is_env_name(p));
        let fields = fields
            .iter()
            .filter_map(|field| Field::from_syn(cx, field, prefix.as_deref()))
            .collect();
        Some(Self {
            ident: &node.ident,
            vis: &node.vis,
            generics: &node.generics,
            attrs,
            fields,
        })
    }

    /// The folder of `field` as far as the derive knows it: its own `path`, else the struct's.
    pub(crate) fn folder_of(&self, field: &Field<'_>) -> Option<String> {
        field
            .attrs
            .path
            .as_ref()
            .or(self.attrs.path.as_ref())
            .map(|p| p.value.value())
    }
}

impl<'a> Field<'a> {
    fn from_syn(cx: &Ctxt, field: &'a syn::Field, prefix: Option<&str>) -> Option<Self> {
        let attrs = FieldAttrs::from_syn(cx, &field.attrs);
        let ident = field.ident.as_ref()?;
        let name = ident.unraw().to_string();
        let optional = option_inner(&field.ty);
        let value_ty = optional.unwrap_or(&field.ty);
        // `json` and `with` read the whole text; `decode` without `split` reads bytes.
        let list = vec_item(value_ty).filter(|_| {
            attrs.split.is_some()
                || (attrs.json.is_none() && attrs.with.is_none() && attrs.decode.is_none())
        });
        if attrs.flatten.is_some() {
            // A nested struct has keys of its own, not one: nothing to name or look up here.
            return Some(Self {
                ident,
                name,
                ty: &field.ty,
                optional,
                attrs,
                key: Name {
                    value: String::new(),
                    span: ident.span(),
                    origin: Origin::FieldName,
                },
                env: None,
                list: None,
                doc: None,
            });
        }
        // The key: `name = "..."` verbatim, else the prefix and the field name in
        // SCREAMING_SNAKE_CASE (`r#type` -> `TYPE`).
        let key = match &attrs.name {
            Some(given) => Name {
                value: given.value.value(),
                span: given.value.span(),
                origin: Origin::Attr,
            },
            None => Name {
                value: format!("{}{}", prefix.unwrap_or(""), name.to_shouty_snake_case()),
                span: ident.span(),
                origin: Origin::FieldName,
            },
        };
        // The env var: `env = "..."`, else the key; none with `no_env`.
        let env = match (&attrs.env, &attrs.no_env) {
            (Some(given), _) => Some(Name {
                value: given.value.value(),
                span: given.value.span(),
                origin: Origin::Attr,
            }),
            (None, Some(_)) => None,
            (None, None) => Some(Name {
                value: key.value.clone(),
                span: key.span,
                origin: Origin::Key,
            }),
        };
        Some(Self {
            ident,
            name,
            ty: &field.ty,
            optional,
            attrs,
            key,
            env,
            list,
            doc: doc_comment(&field.attrs),
        })
    }

    /// The type a value converts to: `T` of `Option<T>`, else the field's type.
    pub(crate) fn value_ty(&self) -> &'a Type {
        self.optional.unwrap_or(self.ty)
    }

    /// The variable naming a file that holds the value: `<ENV>_FILE`.
    pub(crate) fn file_var(&self) -> Option<String> {
        self.env.as_ref().map(|env| format!("{}_FILE", env.value))
    }
}

/// `T` of a field written `Option<T>`, `std::option::Option<T>` or `core::option::Option<T>`
/// (with or without a leading `::`). Syntax only: an alias of `Option` is not seen through.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<_> = path.path.segments.iter().collect();
    let idents: Vec<String> = segments.iter().map(|s| s.ident.to_string()).collect();
    let is_option = match idents.as_slice() {
        [option] => option == "Option" && path.path.leading_colon.is_none(),
        [root, module, option] => {
            (root == "std" || root == "core") && module == "option" && option == "Option"
        }
        _ => false,
    };
    if !is_option
        || segments[..segments.len() - 1]
            .iter()
            .any(|s| !s.arguments.is_none())
    {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segments.last()?.arguments else {
        return None;
    };
    let mut args = args.args.iter();
    match (args.next(), args.next()) {
        (Some(GenericArgument::Type(inner)), None) => Some(inner),
        _ => None,
    }
}

/// `T` of a type written `Name<T>` (any path to it, one type argument), by the last segment:
/// the derive sees names, not types.
pub(crate) fn generic_arg<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut args = args.args.iter();
    match (args.next(), args.next()) {
        (Some(GenericArgument::Type(inner)), None) => Some(inner),
        _ => None,
    }
}

/// `T` of `Vec<T>`.
pub(crate) fn vec_item(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Vec")
}

/// `T` of `Option<T>`, seen by its last segment (for `Option<Option<T>>`).
pub(crate) fn option_like(ty: &Type) -> Option<&Type> {
    generic_arg(ty, "Option")
}

fn is_u8(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.qself.is_none() && path.path.is_ident("u8"))
}

/// `[u8; N]` or `Vec<u8>`.
fn is_plain_bytes(ty: &Type) -> bool {
    match ty {
        Type::Array(array) => is_u8(&array.elem),
        _ => vec_item(ty).is_some_and(is_u8),
    }
}

/// A type `decode` fills: `[u8; N]`, `Vec<u8>`, or either in a `SecretBox`.
pub(crate) fn is_byte_type(ty: &Type) -> bool {
    is_plain_bytes(ty) || generic_arg(ty, "SecretBox").is_some_and(is_plain_bytes)
}

/// The text of the `///` lines (`#[doc = "..."]`) of a field, one leading space of each line
/// dropped as rustdoc does; `None` when there are none or all are blank.
fn doc_comment(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }),
                ..
            }) => Some(lit.value()),
            _ => None,
        })
        .flat_map(|text| {
            text.lines()
                .map(|line| line.strip_prefix(' ').unwrap_or(line).trim_end().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use quote::ToTokens as _;
    use syn::parse_quote;

    use super::*;

    fn inner(ty: &Type) -> Option<String> {
        option_inner(ty).map(|t| t.to_token_stream().to_string())
    }

    #[test]
    fn option_is_recognised_by_its_paths() {
        for ty in [
            parse_quote!(Option<u16>),
            parse_quote!(std::option::Option<u16>),
            parse_quote!(::core::option::Option<u16>),
        ] {
            assert_eq!(inner(&ty).as_deref(), Some("u16"));
        }
        for ty in [
            parse_quote!(u16),
            parse_quote!(::Option<u16>),
            parse_quote!(my::Option<u16>),
            parse_quote!(Vec<u16>),
            parse_quote!(Option),
        ] {
            assert_eq!(inner(&ty), None);
        }
    }
}
