//! Unit tests of the cross-field rules: each feeds `parse_quote!` input to the derive and
//! asserts on every message it reports.

use syn::parse_quote;

use crate::expand::tests::errors;

#[test]
fn keys_must_be_env_var_names_when_read_as_env_vars() {
    let errs = errors(&parse_quote! {
        struct S {
            #[secret(name = "db-url")]
            a: String,
            #[secret(name = "db-url2", env = "DB_URL2")]
            b: String,
            #[secret(name = "db-url3", no_env)]
            c: String,
            #[secret(name = "db/url", no_env)]
            d: String,
            #[secret(name = "..", no_env)]
            e: String,
            #[secret(env = "1X")]
            f: String,
        }
    });
    assert_eq!(
        errs,
        [
            "`db-url` is not a valid env var name (`[A-Za-z_][A-Za-z0-9_]*`), and the key is also read as one: read another variable with `env = \"db_url\"`, or set `no_env` to take the key only from the store",
            "invalid secret key `db/url`: a key cannot be `.` or `..` nor hold `/`, `\\`, `:`, whitespace or control characters: `#[secret(name = \"db_url\")]`",
            "invalid secret key `..`: a key cannot be `.` or `..` nor hold `/`, `\\`, `:`, whitespace or control characters: `#[secret(name = \"SECRET_KEY\")]`",
            "invalid env var name `1X`: expected `[A-Za-z_][A-Za-z0-9_]*`, e.g. `#[secret(env = \"_1X\")]`",
        ]
    );
}

#[test]
fn a_derived_key_that_is_no_env_var_name_says_how_to_fix_it() {
    let errs = errors(&parse_quote! {
        struct S {
            clé: String,
        }
    });
    assert_eq!(
        errs,
        [
            "the key `CLÉ` of field `clé` is not a valid env var name (`[A-Za-z_][A-Za-z0-9_]*`): name the key with `#[secret(name = \"CL_\")]`, or read another variable with `env = \"CL_\"`, or set `no_env` to take it only from the store"
        ]
    );
}

#[test]
fn reserved_env_vars_are_rejected_wherever_they_come_from() {
    let errs = errors(&parse_quote! {
        struct S {
            path: String,
            #[secret(env = "LC_ALL")]
            locale: String,
            #[secret(name = "INFISICAL_TOKEN")]
            token: String,
            #[secret(env = "XDG")]
            xdg: String,
            #[secret(no_env)]
            home: String,
            #[secret(env = "APP_USER")]
            user: String,
        }
    });
    assert_eq!(
        errs,
        [
            "env var `PATH` is reserved for the system: read another variable with `#[secret(env = \"APP_PATH\")]`, or set `no_env` to take the key only from the store",
            "env var `LC_ALL` is reserved for the system (`LC_*`): choose another variable, e.g. `#[secret(env = \"APP_LC_ALL\")]`",
            "env var `INFISICAL_TOKEN` is reserved for the Infisical client (`INFISICAL_*`): read another variable with `#[secret(env = \"APP_INFISICAL_TOKEN\")]`, or set `no_env` to take the key only from the store",
            "the file variable `XDG_FILE` of env var `XDG` is reserved for the system (`XDG_*`): choose another variable, e.g. `#[secret(env = \"APP_XDG\")]`",
        ]
    );
}

#[test]
fn a_reserved_prefix_is_reported_once() {
    let errs = errors(&parse_quote! {
        #[secret(prefix = "INFISICAL_")]
        struct S {
            a: String,
            b: String,
            #[secret(env = "INFISICAL_C")]
            c: String,
        }
    });
    assert_eq!(
        errs,
        [
            "prefix `INFISICAL_` makes every derived key an env var reserved for the Infisical client (`INFISICAL_*`): choose another prefix, e.g. `#[secret(prefix = \"APP_\")]`",
            "env var `INFISICAL_C` is reserved for the Infisical client (`INFISICAL_*`): choose another variable, e.g. `#[secret(env = \"APP_INFISICAL_C\")]`",
        ]
    );
}

#[test]
fn duplicate_keys_name_the_first_field() {
    let errs = errors(&parse_quote! {
        #[secret(prefix = "APP_")]
        struct S {
            database_url: String,
            #[secret(name = "APP_DATABASE_URL")]
            db: String,
            #[secret(name = "DATABASE_URL")]
            unprefixed: String,
        }
    });
    assert_eq!(
        errs,
        [
            "duplicate secret key `APP_DATABASE_URL` (already used by field `database_url`): give one of them another `#[secret(name = \"...\")]`"
        ]
    );
}

#[test]
fn the_same_key_in_another_folder_is_another_secret() {
    let errs = errors(&parse_quote! {
        #[secret(path = "/db")]
        struct S {
            password: String,
            #[secret(path = "/cache", name = "PASSWORD", env = "CACHE_PASSWORD")]
            cache_password: String,
            #[secret(path = "/cache", name = "PASSWORD", no_env)]
            cache_password2: String,
            #[secret(path = "/db", name = "PASSWORD", no_env)]
            db_password: String,
        }
    });
    assert_eq!(
        errs,
        [
            "duplicate secret key `PASSWORD` in folder `/cache` (already used by field `cache_password`): give one of them another `#[secret(name = \"...\")]`",
            "duplicate secret key `PASSWORD` in folder `/db` (already used by field `password`): give one of them another `#[secret(name = \"...\")]`",
        ]
    );
}

#[test]
fn duplicate_env_vars_name_the_first_field() {
    let errs = errors(&parse_quote! {
        struct S {
            #[secret(env = "TOKEN")]
            api_token: String,
            token: String,
            #[secret(path = "/other")]
            #[secret(name = "TOKEN")]
            other_token: String,
            #[secret(name = "TOKEN", no_env)]
            store_only: String,
        }
    });
    assert_eq!(
        errs,
        [
            "duplicate secret key `TOKEN` (already used by field `token`): give one of them another `#[secret(name = \"...\")]`",
            "env var `TOKEN` is already read by field `api_token`: give this field its own `#[secret(env = \"...\")]`, or set `no_env`",
            "env var `TOKEN` is already read by field `api_token`: give this field its own `#[secret(env = \"...\")]`, or set `no_env`",
        ]
    );
}

#[test]
fn file_variables_do_not_collide_with_env_vars() {
    let errs = errors(&parse_quote! {
        struct S {
            token: String,
            token_file: String,
            #[secret(env = "KEY_FILE")]
            a: String,
            #[secret(env = "KEY")]
            b: String,
        }
    });
    assert_eq!(
        errs,
        [
            "env var `TOKEN_FILE` is also the file variable of field `token` (its env var `TOKEN` with `_FILE`): rename one of them with `#[secret(env = \"...\")]`",
            "the file variable `KEY_FILE` of this env var `KEY` is read by field `a` as its env var: rename one of them with `#[secret(env = \"...\")]`",
        ]
    );
}

#[test]
fn defaults_need_a_required_field_and_a_value() {
    let errs = errors(&parse_quote! {
        struct S {
            #[secret(default = "x")]
            a: Option<String>,
            #[secret(default = "")]
            b: String,
            #[secret(default = "", allow_empty)]
            c: String,
        }
    });
    assert_eq!(
        errs,
        [
            "`default` does not apply to an `Option<..>` field, which is `None` when the key is absent: remove `default`, or make the field type non-optional",
            "an empty `default` is rejected as an empty value unless the field allows it: `#[secret(default = \"\", allow_empty)]`",
        ]
    );
}

#[test]
fn explicit_names_are_not_prefixed() {
    let errs = errors(&parse_quote! {
        #[secret(prefix = "APP_")]
        struct S {
            #[secret(name = "PATH")]
            a: String,
        }
    });
    // `PATH` is taken verbatim, so it is the reserved env var and not `APP_PATH`.
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("env var `PATH` is reserved"),
        "{errs:?}"
    );
}

#[test]
fn shapes_other_than_named_structs_are_rejected() {
    for input in [
        parse_quote!(
            enum E {
                A,
            }
        ),
        parse_quote!(
            struct T(String);
        ),
        parse_quote!(
            struct U;
        ),
        parse_quote!(union V { a: u8 }),
    ] {
        let errs = errors(&input);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(
            errs[0].starts_with("`#[derive(Secrets)]` needs"),
            "{errs:?}"
        );
    }
    let errs = errors(&parse_quote!(
        struct G<T> {
            a: T,
        }
    ));
    assert_eq!(
        errs,
        [
            "`#[derive(Secrets)]` does not support generic parameters: remove them and use concrete field types"
        ]
    );
}

#[test]
fn every_mistake_of_a_struct_is_reported_at_once() {
    let errs = errors(&parse_quote! {
        #[secret(path = "nope", unknown)]
        struct S {
            #[secret(name = "A")]
            a: String,
            #[secret(name = "A", default = 1)]
            b: String,
            home: String,
        }
    });
    assert_eq!(errs.len(), 5, "{errs:#?}");
}
