//! `#[secret(...)]` on the struct and on its fields, parsed into [`ContainerAttrs`] and
//! [`FieldAttrs`], with the checks that need nothing but the one option: a string where a
//! string is required, no repeated option, no empty name, a valid folder path, environment
//! slug, prefix and crate path.
//!
//! Whether a key or env var name is valid depends on other options (`env`, `no_env`) and on
//! the container's `prefix`, so those grammar checks run in `valid.rs`, on the resolved names;
//! the grammars themselves are `names.rs`, the file the runtime's re-check compiles too.
//!
//! A little over 500 lines: it is the one parser of every option, each branch next to the
//! check of its value; the did-you-mean is `suggest.rs` and the tests `attr/tests.rs`.

use std::fmt::Write as _;

use proc_macro2::TokenTree;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, Lit, LitStr, Path, Token};

use crate::ctxt::Ctxt;
use crate::names;
use crate::suggest;
use crate::symbol::{
    ALLOW_EMPTY, CONTAINER_OPTIONS, CRATE, DECODE, DEFAULT, ENV, ENVIRONMENT,
    FALLBACK_ON_STORE_ERROR, FIELD_OPTIONS, FLATTEN, JSON, MANIFEST, NAME, NO_ENV, PATH, PREFIX,
    PUBLIC, SECRET, SPLIT, Symbol, WITH,
};

/// An option as written: the option word (for spans) and its value.
pub(crate) struct Given<T> {
    pub(crate) word: Path,
    pub(crate) value: T,
}

/// `#[secret(...)]` on the struct.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) path: Option<Given<LitStr>>,
    pub(crate) environment: Option<Given<LitStr>>,
    pub(crate) prefix: Option<Given<LitStr>>,
    /// `None` inside when the literal is not a path (already reported).
    pub(crate) krate: Option<Given<Option<Path>>>,
    /// The checked-in list of the store's keys, relative to `CARGO_MANIFEST_DIR`.
    pub(crate) manifest: Option<Given<LitStr>>,
}

/// `#[secret(...)]` on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) name: Option<Given<LitStr>>,
    pub(crate) default: Option<Given<LitStr>>,
    pub(crate) env: Option<Given<LitStr>>,
    pub(crate) no_env: Option<Given<()>>,
    pub(crate) path: Option<Given<LitStr>>,
    pub(crate) allow_empty: Option<Given<()>>,
    pub(crate) fallback_on_store_error: Option<Given<()>>,
    /// `Debug` shows the value: for fields that are not secrets (a port, a log level).
    pub(crate) public: Option<Given<()>>,
    /// How the text encodes bytes; `None` inside when it is not a known encoding (reported).
    pub(crate) decode: Option<Given<Option<Encoding>>>,
    /// The separator of a `Vec<T>` field's items.
    pub(crate) split: Option<Given<LitStr>>,
    /// The value is JSON, read by `serde_json`.
    pub(crate) json: Option<Given<()>>,
    /// The user's parser; `None` inside when the literal is not a path (reported).
    pub(crate) with: Option<Given<Option<syn::ExprPath>>>,
    /// The field is a nested secrets struct whose keys are part of this one.
    pub(crate) flatten: Option<Given<()>>,
    /// Starts the derived keys of a `flatten` field.
    pub(crate) prefix: Option<Given<LitStr>>,
}

/// A text encoding of bytes, as `decode = "..."` names it.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) enum Encoding {
    Base64,
    Base64Url,
    Hex,
}

impl Encoding {
    const ALL: [(&'static str, Self); 3] = [
        ("base64", Self::Base64),
        ("base64url", Self::Base64Url),
        ("hex", Self::Hex),
    ];

    /// The variant of `secrets_core::__private::Encoding`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Self::Base64 => "Base64",
            Self::Base64Url => "Base64Url",
            Self::Hex => "Hex",
        }
    }
}

/// Where an attribute was written, for the "unknown option" message.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Place {
    Container,
    Field,
}

impl Place {
    fn options(self) -> &'static [Symbol] {
        match self {
            Self::Container => CONTAINER_OPTIONS,
            Self::Field => FIELD_OPTIONS,
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Container => Self::Field,
            Self::Field => Self::Container,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Container => "the struct",
            Self::Field => "a field",
        }
    }
}

impl ContainerAttrs {
    pub(crate) fn from_syn(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut this = Self::default();
        for attr in secret_attrs(attrs) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path == PATH {
                    if let Some(lit) = parse_str(cx, &meta, PATH)? {
                        check_folder_path(cx, &lit);
                        set(cx, &mut this.path, &meta, lit);
                    }
                } else if meta.path == ENVIRONMENT {
                    if let Some(lit) = parse_str(cx, &meta, ENVIRONMENT)? {
                        check_environment(cx, &lit);
                        set(cx, &mut this.environment, &meta, lit);
                    }
                } else if meta.path == PREFIX {
                    if let Some(lit) = parse_str(cx, &meta, PREFIX)? {
                        check_prefix(cx, &lit);
                        set(cx, &mut this.prefix, &meta, lit);
                    }
                } else if meta.path == CRATE {
                    if let Some(lit) = parse_str(cx, &meta, CRATE)? {
                        let path = parse_crate_path(cx, &lit);
                        set(cx, &mut this.krate, &meta, path);
                    }
                } else if meta.path == MANIFEST {
                    if let Some(lit) = parse_str(cx, &meta, MANIFEST)? {
                        set(cx, &mut this.manifest, &meta, lit);
                    }
                } else {
                    unknown(cx, &meta, Place::Container)?;
                }
                Ok(())
            });
            if let Err(err) = parsed {
                cx.syn_error(err);
            }
        }
        this
    }
}

impl FieldAttrs {
    pub(crate) fn from_syn(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut this = Self::default();
        for attr in secret_attrs(attrs) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path == NAME {
                    if let Some(lit) = parse_str(cx, &meta, NAME)? {
                        // A key must not be empty (rule of both key grammars).
                        if lit.value().is_empty() {
                            cx.error_spanned_by(
                                &lit,
                                "empty `name`: give the key, e.g. `#[secret(name = \"DATABASE_URL\")]`",
                            );
                        }
                        set(cx, &mut this.name, &meta, lit);
                    }
                } else if meta.path == DEFAULT {
                    if let Some(lit) = parse_str(cx, &meta, DEFAULT)? {
                        set(cx, &mut this.default, &meta, lit);
                    }
                } else if meta.path == ENV {
                    if let Some(lit) = parse_str(cx, &meta, ENV)? {
                        if lit.value().is_empty() {
                            cx.error_spanned_by(
                                &lit,
                                "empty `env`: give the variable, e.g. `#[secret(env = \"DATABASE_URL\")]`, or use `no_env` to read no env var",
                            );
                        }
                        set(cx, &mut this.env, &meta, lit);
                    }
                } else if meta.path == NO_ENV {
                    parse_flag(cx, &meta, NO_ENV)?;
                    set(cx, &mut this.no_env, &meta, ());
                } else if meta.path == PATH {
                    if let Some(lit) = parse_str(cx, &meta, PATH)? {
                        check_folder_path(cx, &lit);
                        set(cx, &mut this.path, &meta, lit);
                    }
                } else if meta.path == ALLOW_EMPTY {
                    parse_flag(cx, &meta, ALLOW_EMPTY)?;
                    set(cx, &mut this.allow_empty, &meta, ());
                } else if meta.path == FALLBACK_ON_STORE_ERROR {
                    parse_flag(cx, &meta, FALLBACK_ON_STORE_ERROR)?;
                    set(cx, &mut this.fallback_on_store_error, &meta, ());
                } else if meta.path == PUBLIC {
                    parse_flag(cx, &meta, PUBLIC)?;
                    set(cx, &mut this.public, &meta, ());
                } else if meta.path == DECODE {
                    if let Some(lit) = parse_str(cx, &meta, DECODE)? {
                        let encoding = parse_encoding(cx, &lit);
                        set(cx, &mut this.decode, &meta, encoding);
                    }
                } else if meta.path == SPLIT {
                    if let Some(lit) = parse_str(cx, &meta, SPLIT)? {
                        if lit.value().is_empty() {
                            cx.error_spanned_by(
                                &lit,
                                "empty `split`: give the separator of the items, e.g. `#[secret(split = \";\")]`",
                            );
                        }
                        set(cx, &mut this.split, &meta, lit);
                    }
                } else if meta.path == JSON {
                    parse_flag(cx, &meta, JSON)?;
                    set(cx, &mut this.json, &meta, ());
                } else if meta.path == WITH {
                    if let Some(lit) = parse_str(cx, &meta, WITH)? {
                        let path = parse_with_path(cx, &lit);
                        set(cx, &mut this.with, &meta, path);
                    }
                } else if meta.path == FLATTEN {
                    parse_flag(cx, &meta, FLATTEN)?;
                    set(cx, &mut this.flatten, &meta, ());
                } else if meta.path == PREFIX {
                    if let Some(lit) = parse_str(cx, &meta, PREFIX)? {
                        check_prefix(cx, &lit);
                        set(cx, &mut this.prefix, &meta, lit);
                    }
                } else {
                    unknown(cx, &meta, Place::Field)?;
                }
                Ok(())
            });
            if let Err(err) = parsed {
                cx.syn_error(err);
            }
        }
        // `no_env` means "read no env var", so an env var name contradicts it.
        if let (Some(_), Some(no_env)) = (&this.env, &this.no_env) {
            cx.error_spanned_by(
                &no_env.word,
                "`no_env` contradicts `env = \"...\"`: keep `env` to read that variable, or `no_env` to read none",
            );
        }
        this
    }
}

fn secret_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|attr| *attr.path() == SECRET)
}

/// Stores an option, or reports it as repeated on the second occurrence.
fn set<T>(cx: &Ctxt, slot: &mut Option<Given<T>>, meta: &ParseNestedMeta<'_>, value: T) {
    if slot.is_some() {
        let word = path_to_string(&meta.path);
        cx.error_spanned_by(
            &meta.path,
            format!("duplicate secret attribute `{word}`: give it once"),
        );
    } else {
        *slot = Some(Given {
            word: meta.path.clone(),
            value,
        });
    }
}

/// The string of `word = "..."`; `None` after reporting a missing value or a value that is not
/// a string literal.
fn parse_str(cx: &Ctxt, meta: &ParseNestedMeta<'_>, word: Symbol) -> syn::Result<Option<LitStr>> {
    if !meta.input.peek(Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{word}` needs a value: `#[secret({word} = \"...\")]`"),
        );
        skip_value(meta)?;
        return Ok(None);
    }
    meta.input.parse::<Token![=]>()?;
    if meta.input.peek(LitStr) {
        return meta.input.parse().map(Some);
    }
    let expr: Expr = meta.input.parse()?;
    let example = match &expr {
        // `default = 8080` -> `default = "8080"`: the literal as the string it should be.
        Expr::Lit(lit) if !matches!(lit.lit, Lit::Str(_)) => {
            let text = match &lit.lit {
                Lit::Int(int) => int.base10_digits().to_owned(),
                Lit::Float(float) => float.base10_digits().to_owned(),
                Lit::Bool(b) => b.value.to_string(),
                Lit::Char(c) => c.value().to_string(),
                _ => "...".to_owned(),
            };
            text.escape_default().to_string()
        }
        _ => "...".to_owned(),
    };
    cx.error_spanned_by(
        &expr,
        format!("expected string literal: `#[secret({word} = \"{example}\")]`"),
    );
    Ok(None)
}

/// A flag takes no value: `no_env`, not `no_env = true`.
fn parse_flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, word: Symbol) -> syn::Result<()> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        return Ok(());
    }
    let value = rest_of_option(meta)?;
    cx.error_spanned_by(
        value,
        format!("`{word}` takes no value: `#[secret({word})]`"),
    );
    Ok(())
}

/// Reports an option that is not one of `place`'s, and skips its value.
fn unknown(cx: &Ctxt, meta: &ParseNestedMeta<'_>, place: Place) -> syn::Result<()> {
    let word = path_to_string(&meta.path);
    let expected = list(place.options());
    let msg = if place.other().options().iter().any(|o| o.as_str() == word)
        && !place.options().iter().any(|o| o.as_str() == word)
    {
        format!(
            "`{word}` goes on {}, not on {}; expected one of {expected}",
            place.other().noun(),
            place.noun()
        )
    } else if let Some(close) = suggest::closest(&word, place.options()) {
        format!(
            "unknown secret attribute `{word}` (did you mean `{close}`?); expected one of {expected}"
        )
    } else {
        format!("unknown secret attribute `{word}`; expected one of {expected}")
    };
    cx.error_spanned_by(&meta.path, msg);
    skip_value(meta)
}

/// Skips whatever follows an option up to the next `,`, so that parsing goes on with the next
/// option after an error.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    rest_of_option(meta).map(drop)
}

fn rest_of_option(meta: &ParseNestedMeta<'_>) -> syn::Result<proc_macro2::TokenStream> {
    meta.input.step(|cursor| {
        let mut rest = *cursor;
        let mut tokens = proc_macro2::TokenStream::new();
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ',') {
                break;
            }
            tokens.extend([tt]);
            rest = next;
        }
        Ok((tokens, rest))
    })
}

fn list(options: &[Symbol]) -> String {
    let mut out = String::new();
    for (i, option) in options.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "`{option}`");
    }
    out
}

fn path_to_string(path: &Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&segment.ident.to_string());
    }
    out
}

// Per-option checks. The grammars and their messages are `names.rs`, the file the runtime's
// re-check of hand-written specs compiles too.

/// `path` is `/` or `/seg/seg`, each segment `[A-Za-z0-9_-]+` (Infisical's folder names).
fn check_folder_path(cx: &Ctxt, lit: &LitStr) {
    let path = lit.value();
    if names::is_folder_path(&path) {
        return;
    }
    let mut msg = names::invalid_folder_path(&path);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.trim().is_empty()).collect();
    let suggestion = format!("/{}", segments.join("/"));
    if names::is_folder_path(&suggestion) {
        let _ = write!(msg, ": `#[secret(path = \"{suggestion}\")]`");
    }
    cx.error_spanned_by(lit, msg);
}

/// `environment` is an Infisical slug: lowercase letters, digits and `-`, at most 64.
fn check_environment(cx: &Ctxt, lit: &LitStr) {
    let slug = lit.value();
    if names::is_environment_slug(&slug) {
        return;
    }
    let mut msg = names::invalid_environment_slug(&slug);
    let lower = slug.trim().to_ascii_lowercase().replace([' ', '_'], "-");
    if names::is_environment_slug(&lower) {
        let _ = write!(msg, ": `#[secret(environment = \"{lower}\")]`");
    } else {
        msg.push_str(", e.g. `#[secret(environment = \"prod\")]`");
    }
    cx.error_spanned_by(lit, msg);
}

/// `prefix` starts every derived key, and a derived key is also an env var name, so the prefix
/// must be a valid start of one: `[A-Za-z_][A-Za-z0-9_]*`.
fn check_prefix(cx: &Ctxt, lit: &LitStr) {
    let prefix = lit.value();
    if prefix.is_empty() {
        cx.error_spanned_by(
            lit,
            "empty `prefix`: remove it, or give one such as `#[secret(prefix = \"APP_\")]`",
        );
    } else if !names::is_env_name(&prefix) {
        let suggestion = names::env_name_like(&prefix);
        let grammar = names::ENV_NAME_GRAMMAR;
        cx.error_spanned_by(
            lit,
            format!(
                "invalid prefix `{prefix}`: a prefix starts env var names, so it must match {grammar}: `#[secret(prefix = \"{suggestion}\")]`"
            ),
        );
    }
}

/// `decode` is `"base64"`, `"base64url"` or `"hex"`.
fn parse_encoding(cx: &Ctxt, lit: &LitStr) -> Option<Encoding> {
    let given = lit.value();
    if let Some((_, encoding)) = Encoding::ALL.iter().find(|(name, _)| *name == given) {
        return Some(*encoding);
    }
    let lower = given.to_ascii_lowercase().replace(['-', '_', ' '], "");
    let suggestion = match lower.as_str() {
        "b64" | "base64" | "base64std" | "base64standard" => Some("base64"),
        "b64url" | "base64url" | "base64urlsafe" | "urlsafebase64" => Some("base64url"),
        "hex" | "base16" | "hexadecimal" => Some("hex"),
        _ => None,
    };
    let mut msg = format!(
        "unknown `decode` encoding `{}`: expected `\"base64\"`, `\"base64url\"` or `\"hex\"`",
        given.escape_debug()
    );
    if let Some(suggestion) = suggestion {
        let _ = write!(msg, ": `#[secret(decode = \"{suggestion}\")]`");
    }
    cx.error_spanned_by(lit, msg);
    None
}

/// `with` is the path of a function `fn(&str) -> Result<T, E>`.
fn parse_with_path(cx: &Ctxt, lit: &LitStr) -> Option<syn::ExprPath> {
    let path = lit.parse::<syn::ExprPath>().ok();
    if path.is_none() {
        cx.error_spanned_by(
            lit,
            format!(
                "invalid `with` path `{}`: expected the path of a function `fn(&str) -> Result<T, E>`, e.g. `#[secret(with = \"crate::parse_level\")]`",
                lit.value().escape_debug()
            ),
        );
    }
    path
}

/// `crate` is a path to `secrets_core`, e.g. `::secrets_core` or `my_crate::secrets`.
fn parse_crate_path(cx: &Ctxt, lit: &LitStr) -> Option<Path> {
    let path = lit.parse::<Path>().ok();
    if path.is_none() {
        cx.error_spanned_by(
            lit,
            format!(
                "invalid `crate` path `{}`: expected a path to `secrets_core`, e.g. `#[secret(crate = \"::secrets_core\")]`",
                lit.value()
            ),
        );
    }
    path
}

#[cfg(test)]
mod tests;
