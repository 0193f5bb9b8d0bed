//! Rules about the resolved names of the whole struct, one `check_*` function each. They run on
//! everything `ast.rs` could build, so that every mistake is reported in the same build.
//!
//! An empty `name` or `env` is reported by `attr.rs`; the rules here skip empty names.
//!
//! The file stays whole past 500 lines on purpose: it is the list of the rules, each a
//! `check_*` function with its comment and example, in the order `validate` runs them, and
//! splitting the list would hide which rules exist. Its tests are in `valid/tests.rs`.

use quote::ToTokens as _;

use crate::ast::{self, Field, Input, Name, Origin};
use crate::ctxt::Ctxt;
use crate::names::{self, Reserved};

pub(crate) fn validate(cx: &Ctxt, input: &Input<'_>) {
    check_key_grammar(cx, input);
    check_env_grammar(cx, input);
    check_reserved_prefix(cx, input);
    check_reserved(cx, input);
    check_duplicate_keys(cx, input);
    check_duplicate_env_vars(cx, input);
    check_file_var_collisions(cx, input);
    check_default(cx, input);
    check_public(cx, input);
    check_flatten(cx, input);
    check_readers(cx, input);
    check_field_types(cx, input);
}

// A key that is also read as an env var (no `env`, no `no_env`) must be a valid env var name,
// `[A-Za-z_][A-Za-z0-9_]*`; any other key must be a valid store key: not `.` or `..`, no `/`,
// `\`, `:`, whitespace or control character.
//
//     #[secret(name = "db-url")]                      // error: not an env var name
//     #[secret(name = "db-url", env = "DB_URL")]      // ok: the env var is DB_URL
//     #[secret(name = "db-url", no_env)]              // ok: store, secrets dir and default only
//     #[secret(name = "db/url", no_env)]              // error: `/` in a key
fn check_key_grammar(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let key = &field.key;
        if key.value.is_empty() {
            continue;
        }
        if !names::is_store_key(&key.value) {
            let suggestion = names::store_key_like(&key.value);
            cx.error_at(
                key.span,
                format!(
                    "{}: `#[secret(name = \"{suggestion}\")]`",
                    names::invalid_store_key(&key.value)
                ),
            );
            continue;
        }
        let read_as_env = field
            .env
            .as_ref()
            .is_some_and(|env| env.origin == Origin::Key);
        if read_as_env && !names::is_env_name(&key.value) {
            let suggestion = names::env_name_like(&key.value);
            let msg = match key.origin {
                Origin::FieldName => format!(
                    "the key `{}` of field `{}` is not a valid env var name (`[A-Za-z_][A-Za-z0-9_]*`): name the key with `#[secret(name = \"{suggestion}\")]`, or read another variable with `env = \"{suggestion}\"`, or set `no_env` to take it only from the store",
                    key.value, field.name
                ),
                Origin::Attr | Origin::Key => format!(
                    "`{}` is not a valid env var name (`[A-Za-z_][A-Za-z0-9_]*`), and the key is also read as one: read another variable with `env = \"{suggestion}\"`, or set `no_env` to take the key only from the store",
                    key.value.escape_debug()
                ),
            };
            cx.error_at(key.span, msg);
        }
    }
}

// An `env = "..."` name must be a valid env var name, `[A-Za-z_][A-Za-z0-9_]*`.
//
//     #[secret(env = "DB_URL")]   // ok
//     #[secret(env = "db-url")]   // error
fn check_env_grammar(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let Some(env) = explicit_env(field) else {
            continue;
        };
        if !env.value.is_empty() && !names::is_env_name(&env.value) {
            let suggestion = names::env_name_like(&env.value);
            cx.error_at(
                env.span,
                format!(
                    "{}, e.g. `#[secret(env = \"{suggestion}\")]`",
                    names::invalid_env_name(&env.value)
                ),
            );
        }
    }
}

// A prefix must not put every derived key into a reserved family of env vars.
//
//     #[secret(prefix = "APP_")]         // ok
//     #[secret(prefix = "INFISICAL_")]   // error: every key would be an `INFISICAL_*` variable
fn check_reserved_prefix(cx: &Ctxt, input: &Input<'_>) {
    let Some(prefix) = &input.attrs.prefix else {
        return;
    };
    let value = prefix.value.value();
    if let Some(reserved) = reserved_family(&value) {
        cx.error_spanned_by(
            &prefix.value,
            format!(
                "prefix `{value}` makes every derived key an env var {}: choose another prefix, e.g. `#[secret(prefix = \"APP_\")]`",
                reserved.describe()
            ),
        );
    }
}

// No field reads a reserved env var, nor a reserved file variable: `PATH`, `HOME`, `USER`,
// `SHELL`, `PWD`, `TERM`, `LANG`, the `LC_*` and `XDG_*` families and every `INFISICAL_*` name
// (the Infisical client's own configuration). Derived keys of a reserved prefix are reported
// once, on the prefix.
//
//     path: String                                    // error: reads the env var PATH
//     #[secret(env = "APP_PATH")] path: String        // ok
//     #[secret(no_env)] path: String                  // ok: the key PATH is only looked up in the store
//     #[secret(env = "XDG")] x: String                // error: its file variable is XDG_FILE
fn check_reserved(cx: &Ctxt, input: &Input<'_>) {
    let prefix_reserved = input
        .attrs
        .prefix
        .as_ref()
        .is_some_and(|p| reserved_family(&p.value.value()).is_some());
    for field in &input.fields {
        let Some(env) = &field.env else {
            continue;
        };
        if env.value.is_empty() || !names::is_env_name(&env.value) {
            continue;
        }
        if prefix_reserved && field.key.origin == Origin::FieldName && env.origin == Origin::Key {
            continue;
        }
        let fix = match env.origin {
            Origin::Attr => format!(
                "choose another variable, e.g. `#[secret(env = \"APP_{}\")]`",
                env.value
            ),
            Origin::FieldName | Origin::Key => format!(
                "read another variable with `#[secret(env = \"APP_{}\")]`, or set `no_env` to take the key only from the store",
                env.value
            ),
        };
        if let Some(reserved) = names::reserved(&env.value) {
            cx.error_at(
                env.span,
                format!("{}: {fix}", names::reserved_env_var(&env.value, reserved)),
            );
        } else if let Some(file_var) = field.file_var()
            && let Some(reserved) = names::reserved(&file_var)
        {
            cx.error_at(
                env.span,
                format!(
                    "the file variable `{file_var}` of env var `{}` is {}: {fix}",
                    env.value,
                    reserved.describe()
                ),
            );
        }
    }
}

// No two fields have the same key in the same folder (the struct's, unless a field gives its
// own `path`). The second field is reported, naming the first.
//
//     #[secret(name = "DATABASE_URL")] db: SecretString,
//     database_url: SecretString,                      // error: DATABASE_URL again
//     #[secret(path = "/cache", name = "PASSWORD", env = "CACHE_PASSWORD")]
//     cache_password: SecretString,                    // ok next to `password`: another folder
fn check_duplicate_keys(cx: &Ctxt, input: &Input<'_>) {
    for (j, second) in input.fields.iter().enumerate() {
        if second.key.value.is_empty() {
            continue;
        }
        let folder = input.folder_of(second);
        let first = input.fields[..j]
            .iter()
            .find(|first| first.key.value == second.key.value && input.folder_of(first) == folder);
        if let Some(first) = first {
            let place = match &second.attrs.path {
                Some(path) => format!(" in folder `{}`", path.value.value()),
                None => String::new(),
            };
            cx.error_at(
                second.key.span,
                format!(
                    "duplicate secret key `{}`{place} (already used by field `{}`): give one of them another `#[secret(name = \"...\")]`",
                    second.key.value, first.name
                ),
            );
        }
    }
}

// No two fields read the same env var. The second field is reported, naming the first; a pair
// already reported as a duplicate key is not reported again.
//
//     #[secret(env = "TOKEN")] api_token: SecretString,
//     token: SecretString,                              // error: reads TOKEN too
fn check_duplicate_env_vars(cx: &Ctxt, input: &Input<'_>) {
    for (j, second) in input.fields.iter().enumerate() {
        let Some(env) = &second.env else {
            continue;
        };
        if env.value.is_empty() {
            continue;
        }
        let first = input.fields[..j].iter().find(|first| {
            first.env.as_ref().is_some_and(|e| e.value == env.value)
                && !(env.origin == Origin::Key
                    && first.key.value == second.key.value
                    && input.folder_of(first) == input.folder_of(second))
        });
        if let Some(first) = first {
            cx.error_at(
                env.span,
                format!(
                    "env var `{}` is already read by field `{}`: give this field its own `#[secret(env = \"...\")]`, or set `no_env`",
                    env.value, first.name
                ),
            );
        }
    }
}

// No field reads, as its env var, the file variable `<ENV>_FILE` of another field's env var:
// the one variable would be both a value and the path of a file holding a value.
//
//     token: SecretString,                 // env TOKEN, file variable TOKEN_FILE
//     token_file: SecretString,            // error: env TOKEN_FILE
fn check_file_var_collisions(cx: &Ctxt, input: &Input<'_>) {
    for (j, second) in input.fields.iter().enumerate() {
        let Some(env) = &second.env else {
            continue;
        };
        if env.value.is_empty() {
            continue;
        }
        for first in &input.fields[..j] {
            let Some(first_env) = &first.env else {
                continue;
            };
            if first_env.value.is_empty() {
                continue;
            }
            if env.value == format!("{}_FILE", first_env.value) {
                cx.error_at(
                    env.span,
                    format!(
                        "env var `{}` is also the file variable of field `{}` (its env var `{}` with `_FILE`): rename one of them with `#[secret(env = \"...\")]`",
                        env.value, first.name, first_env.value
                    ),
                );
                break;
            }
            if first_env.value == format!("{}_FILE", env.value) {
                cx.error_at(
                    env.span,
                    format!(
                        "the file variable `{}_FILE` of this env var `{}` is read by field `{}` as its env var: rename one of them with `#[secret(env = \"...\")]`",
                        env.value, env.value, first.name
                    ),
                );
                break;
            }
        }
    }
}

// `default` needs a field that can be absent and a value the loader accepts: an `Option<T>`
// field is `None` when absent, so a default there is a mistake; an empty default is an empty
// value, rejected unless the field has `allow_empty`.
//
//     #[secret(default = "8080")] port: u16,             // ok
//     #[secret(default = "x")] sentry: Option<String>,   // error
//     #[secret(default = "")] suffix: String,            // error: needs `allow_empty`
fn check_default(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let Some(default) = &field.attrs.default else {
            continue;
        };
        if field.optional.is_some() {
            cx.error_spanned_by(
                &default.word,
                "`default` does not apply to an `Option<..>` field, which is `None` when the key is absent: remove `default`, or make the field type non-optional",
            );
        } else if default.value.value().is_empty() && field.attrs.allow_empty.is_none() {
            cx.error_spanned_by(
                &default.value,
                "an empty `default` is rejected as an empty value unless the field allows it: `#[secret(default = \"\", allow_empty)]`",
            );
        }
    }
}

// `public` prints the value in `Debug`, so it cannot go on a field whose type exists to keep
// its value out of `Debug`: `SecretString` or `SecretBox<..>`, bare or in an `Option`.
//
//     #[secret(public)] port: u16,                    // ok: `Debug` shows `port: 8080`
//     #[secret(public)] token: SecretString,          // error: a secret type stays redacted
fn check_public(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let Some(public) = &field.attrs.public else {
            continue;
        };
        let ty = field.optional.unwrap_or(field.ty);
        if let Some(wrapper) = secret_wrapper(ty) {
            cx.error_spanned_by(
                &public.word,
                format!(
                    "`public` shows the value in `Debug`, and a `{wrapper}` field is a secret whose value `Debug` never shows: remove `public`, or use a plain type such as `String` for a value that is not secret"
                ),
            );
        }
    }
}

// `flatten` loads a nested struct's keys, so the options of one key do not apply to it, and a
// field `prefix` only goes with it.
//
//     #[secret(flatten, prefix = "DB_")] db: DatabaseSecrets,   // ok
//     #[secret(flatten, name = "DB")] db: DatabaseSecrets,      // error: no key of its own
//     #[secret(prefix = "DB_")] db_url: String,                 // error: prefix without flatten
fn check_flatten(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let a = &field.attrs;
        let Some(flatten) = &a.flatten else {
            if let Some(prefix) = &a.prefix {
                cx.error_spanned_by(
                    &prefix.word,
                    "`prefix` on a field starts the keys of a nested struct: `#[secret(flatten, prefix = \"DB_\")]`; a prefix of this struct's keys goes on the struct",
                );
            }
            continue;
        };
        let words = [
            a.name.as_ref().map(|g| &g.word),
            a.default.as_ref().map(|g| &g.word),
            a.env.as_ref().map(|g| &g.word),
            a.no_env.as_ref().map(|g| &g.word),
            a.path.as_ref().map(|g| &g.word),
            a.allow_empty.as_ref().map(|g| &g.word),
            a.fallback_on_store_error.as_ref().map(|g| &g.word),
            a.public.as_ref().map(|g| &g.word),
            a.decode.as_ref().map(|g| &g.word),
            a.split.as_ref().map(|g| &g.word),
            a.json.as_ref().map(|g| &g.word),
            a.with.as_ref().map(|g| &g.word),
        ];
        for word in words.into_iter().flatten() {
            let word_str = word
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            cx.error_spanned_by(
                word,
                format!(
                    "`{word_str}` does not apply to a `flatten` field, which has no key of its own: put it on the fields of the nested struct"
                ),
            );
        }
        if field.optional.is_some() {
            cx.error_spanned_by(
                &flatten.word,
                "a `flatten` field cannot be `Option<..>`: make the nested struct's fields optional instead",
            );
        }
    }
}

// `decode`, `json` and `with` are three ways to read a value: one at most. `split` reads a
// `Vec<T>` item by item, so not with `json`, which reads a JSON array whole.
//
//     #[secret(json)] creds: ServiceAccount,                 // ok
//     #[secret(with = "parse_level", split = ";")] levels: Vec<Level>,   // ok: per item
//     #[secret(json, with = "parse")] creds: ServiceAccount, // error
fn check_readers(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let a = &field.attrs;
        let readers = [
            a.decode.as_ref().map(|g| (&g.word, "decode")),
            a.json.as_ref().map(|g| (&g.word, "json")),
            a.with.as_ref().map(|g| (&g.word, "with")),
        ];
        let mut readers = readers.into_iter().flatten();
        if let Some((_, first)) = readers.next() {
            for (word, second) in readers {
                cx.error_spanned_by(
                    word,
                    format!("`{first}` and `{second}` are two ways to read the value: keep one"),
                );
            }
        }
        if let (Some(split), Some(_)) = (&a.split, &a.json) {
            cx.error_spanned_by(
                &split.word,
                "`split` reads a list item by item and `json` reads the whole value: keep `json` for a JSON array, or `split` for items separated by a character",
            );
        }
        if let Some(split) = &a.split
            && ast::vec_item(field.value_ty()).is_none()
        {
            cx.error_spanned_by(
                &split.word,
                "`split` reads a list into a `Vec<T>` field: make the field a `Vec<..>`, or remove `split`",
            );
        }
    }
}

// A type is read the way its name says, or an option says how: `decode` fills bytes, and bytes
// need it (their encoding cannot be guessed); an optional field is `Option<T>` once.
//
//     #[secret(decode = "hex")] key: SecretBox<[u8; 32]>,    // ok
//     key: [u8; 32],                                          // error: which encoding?
//     #[secret(decode = "hex")] key: String,                  // error: not bytes
//     token: Option<Option<SecretString>>,                    // error
fn check_field_types(cx: &Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let a = &field.attrs;
        if a.flatten.is_some() {
            continue;
        }
        let value_ty = field.value_ty();
        if let Some(inner) = ast::option_like(value_ty) {
            cx.error_spanned_by(
                value_ty,
                format!(
                    "an optional field is `Option<T>` once: `Option<{}>`",
                    type_text(inner)
                ),
            );
            continue;
        }
        // The type the reader fills: each item of a list, else the value.
        let read_ty = field.list.unwrap_or(value_ty);
        if let Some(decode) = &a.decode {
            if !ast::is_byte_type(read_ty) {
                let hint = if field.list.is_none() && ast::vec_item(value_ty).is_some() {
                    ", or add `split = \",\"` to decode each item of a list"
                } else {
                    ""
                };
                cx.error_spanned_by(
                    &decode.word,
                    format!(
                        "`decode` fills `[u8; N]`, `Vec<u8>`, `SecretBox<[u8; N]>` or `SecretBox<Vec<u8>>`, not `{}`{hint}",
                        type_text(read_ty)
                    ),
                );
            }
            continue;
        }
        if a.json.is_some() || (a.with.is_some() && field.list.is_none()) {
            continue;
        }
        if field.list.is_some() && a.split.is_none() && ast::vec_item(read_ty).is_some() {
            cx.error_spanned_by(
                read_ty,
                "a list of lists cannot be split on one separator: read it with `#[secret(json)]` or your own parser `#[secret(with = \"...\")]`",
            );
            continue;
        }
        // `Vec<u8>` with `split` is a list of numbers; without it, bytes.
        let bytes_ty = if ast::vec_item(value_ty).is_some_and(ast::is_byte_type)
            || (field.list.is_some() && ast::is_byte_type(read_ty))
        {
            Some(read_ty)
        } else if a.split.is_none() && ast::is_byte_type(value_ty) {
            Some(value_ty)
        } else {
            None
        };
        if let Some(ty) = bytes_ty
            && a.with.is_none()
        {
            let numbers = if ast::vec_item(ty).is_some() {
                ", or `#[secret(split = \",\")]` for a list of numbers"
            } else {
                ""
            };
            cx.error_spanned_by(
                ty,
                format!(
                    "`{}` holds bytes: give their encoding with `#[secret(decode = \"base64\")]` (or `\"base64url\"`, `\"hex\"`){numbers}",
                    type_text(ty)
                ),
            );
        }
    }
}

/// A type as the user wrote it, without the spaces of its tokens: `SecretBox<Vec<u8>>`.
fn type_text(ty: &syn::Type) -> String {
    let mut text = ty.to_token_stream().to_string();
    for (from, to) in [
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" :: ", "::"),
        (" ,", ","),
    ] {
        text = text.replace(from, to);
    }
    text
}

/// `SecretString` or `SecretBox` when `ty` is one of secrecy's wrappers (by its last segment:
/// the derive sees names, not types).
fn secret_wrapper(ty: &syn::Type) -> Option<&'static str> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    ["SecretString", "SecretBox"]
        .into_iter()
        .find(|name| last.ident == name)
}

/// The env var named by `env = "..."`, if given.
fn explicit_env<'f>(field: &'f Field<'_>) -> Option<&'f Name> {
    field.env.as_ref().filter(|env| env.origin == Origin::Attr)
}

/// The reserved family a prefix starts, if any (`LC_`, `XDG_`, `INFISICAL_`).
fn reserved_family(prefix: &str) -> Option<Reserved> {
    ["LC_", "XDG_", "INFISICAL_"]
        .into_iter()
        .find(|family| prefix.starts_with(family))
        .and_then(names::reserved)
}

#[cfg(test)]
mod tests;
