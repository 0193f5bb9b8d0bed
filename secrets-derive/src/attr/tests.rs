//! Unit tests of the attribute parser: each feeds `parse_quote!` input to the derive and
//! asserts on every message it reports.

use syn::parse_quote;

use crate::expand::tests::errors;

#[test]
fn a_valid_struct_has_no_errors() {
    let errs = errors(&parse_quote! {
        #[secret(path = "/app", environment = "prod", prefix = "APP_", crate = "::secrets_core")]
        struct S {
            a: String,
            #[secret(name = "B", default = "x", env = "OTHER_B", path = "/b", allow_empty, fallback_on_store_error)]
            b: String,
            #[secret(no_env)]
            c: String,
        }
    });
    assert_eq!(errs, Vec::<String>::new());
}

#[test]
fn unknown_options_list_the_valid_ones_for_their_place() {
    let errs = errors(&parse_quote! {
        #[secret(name = "X", frobnicate)]
        struct S {
            #[secret(nmae = "X", prefix = "P_", crate(x))]
            a: String,
        }
    });
    assert_eq!(
        errs,
        [
            "`name` goes on a field, not on the struct; expected one of `path`, `environment`, `prefix`, `crate`, `manifest`",
            "unknown secret attribute `frobnicate`; expected one of `path`, `environment`, `prefix`, `crate`, `manifest`",
            "unknown secret attribute `nmae` (did you mean `name`?); expected one of `name`, `default`, `env`, `no_env`, `path`, `allow_empty`, `fallback_on_store_error`, `public`, `decode`, `split`, `json`, `with`, `flatten`, `prefix`",
            "`crate` goes on the struct, not on a field; expected one of `name`, `default`, `env`, `no_env`, `path`, `allow_empty`, `fallback_on_store_error`, `public`, `decode`, `split`, `json`, `with`, `flatten`, `prefix`",
            "`prefix` on a field starts the keys of a nested struct: `#[secret(flatten, prefix = \"DB_\")]`; a prefix of this struct's keys goes on the struct",
        ]
    );
}

#[test]
fn every_value_mistake_is_reported_in_one_pass() {
    let errs = errors(&parse_quote! {
        struct S {
            #[secret(name, default = 8080, env = DB_URL, no_env = true)]
            a: String,
            #[secret(name = "A2", name = "A3")]
            #[secret(allow_empty, allow_empty)]
            b: String,
        }
    });
    assert_eq!(
        errs,
        [
            "`name` needs a value: `#[secret(name = \"...\")]`",
            "expected string literal: `#[secret(default = \"8080\")]`",
            "expected string literal: `#[secret(env = \"...\")]`",
            "`no_env` takes no value: `#[secret(no_env)]`",
            "duplicate secret attribute `name`: give it once",
            "duplicate secret attribute `allow_empty`: give it once",
        ]
    );
}

#[test]
fn empty_values_are_rejected() {
    let errs = errors(&parse_quote! {
        #[secret(prefix = "")]
        struct S {
            #[secret(name = "")]
            a: String,
            #[secret(env = "")]
            b: String,
        }
    });
    assert_eq!(
        errs,
        [
            "empty `prefix`: remove it, or give one such as `#[secret(prefix = \"APP_\")]`",
            "empty `name`: give the key, e.g. `#[secret(name = \"DATABASE_URL\")]`",
            "empty `env`: give the variable, e.g. `#[secret(env = \"DATABASE_URL\")]`, or use `no_env` to read no env var",
        ]
    );
}

#[test]
fn folder_environment_prefix_and_crate_are_checked() {
    let errs = errors(&parse_quote! {
        #[secret(path = "backend/", environment = "Prod", prefix = "app-", crate = "not a path")]
        struct S {
            #[secret(path = "/a b")]
            a: String,
        }
    });
    assert_eq!(
        errs,
        [
            "invalid folder path `backend/`: expected `/` or `/segment/segment`, segments made of `A-Z`, `a-z`, `0-9`, `_` and `-`: `#[secret(path = \"/backend\")]`",
            "invalid environment slug `Prod`: expected lowercase letters, digits and `-`, at most 64 characters: `#[secret(environment = \"prod\")]`",
            "invalid prefix `app-`: a prefix starts env var names, so it must match `[A-Za-z_][A-Za-z0-9_]*`: `#[secret(prefix = \"app_\")]`",
            "invalid `crate` path `not a path`: expected a path to `secrets_core`, e.g. `#[secret(crate = \"::secrets_core\")]`",
            "invalid folder path `/a b`: expected `/` or `/segment/segment`, segments made of `A-Z`, `a-z`, `0-9`, `_` and `-`",
        ]
    );
}

#[test]
fn env_and_no_env_contradict() {
    let errs = errors(&parse_quote! {
        struct S {
            #[secret(env = "A", no_env)]
            a: String,
        }
    });
    assert_eq!(
        errs,
        [
            "`no_env` contradicts `env = \"...\"`: keep `env` to read that variable, or `no_env` to read none"
        ]
    );
}

#[test]
fn a_broken_attribute_does_not_hide_the_next_one() {
    let errs = errors(&parse_quote! {
        struct S {
            #[secret(name = )]
            #[secret(nope)]
            a: String,
        }
    });
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(
        errs[1].starts_with("unknown secret attribute `nope`"),
        "{errs:?}"
    );
}
