//! `#[secret(manifest = "secrets.manifest")]`: the store's key names, checked in, read at
//! compile time so that a field whose key the store does not have (a typo) fails the build.
//!
//! The file is what `CheckReport::manifest()` writes: `[environment:/folder]` headers, each
//! followed by key names, one a line; blank lines and `#` comments are skipped.

use std::fmt::Write as _;
use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::LitStr;

use crate::ast::Input;
use crate::ctxt::Ctxt;
use crate::names;
use crate::suggest;

/// One `[environment:/folder]` section of a manifest and its keys.
#[derive(Debug)]
struct Section {
    environment: String,
    path: String,
    keys: Vec<String>,
}

/// The manifest file as the derive reads it: `CARGO_MANIFEST_DIR` joined with the literal.
fn file_of(lit: &LitStr) -> PathBuf {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(PathBuf::new, PathBuf::from);
    dir.join(lit.value())
}

/// Tokens that make Cargo rebuild the crate when the manifest changes: an `include_str!` of
/// it, the stable way to tell rustc that a file is an input. Empty when the file cannot be
/// read (that is reported).
pub(crate) fn track(lit: &LitStr) -> TokenStream {
    let file = file_of(lit);
    let Some(path) = file.to_str().filter(|_| file.is_file()) else {
        return TokenStream::new();
    };
    quote_spanned! {lit.span()=>
        const _: &str = ::core::include_str!(#path);
    }
}

// Every required field's key must be in the manifest's section of its folder (its `path`,
// else the struct's, else `/`; in the struct's environment when it sets one). An `Option`
// field or one with a default loads without the key, so it is not checked. A flattened
// struct's keys are its own derive's to check.
//
//     #[secret(manifest = "secrets.manifest", environment = "prod", path = "/api")]
//     struct AppSecrets {
//         anthropic_api_kye: SecretString,   // error: not in prod:/api; did you mean ANTHROPIC_API_KEY?
//         sentry_dsn: Option<SecretString>,  // ok: optional
//     }
pub(crate) fn check(cx: &Ctxt, input: &Input<'_>) {
    let Some(given) = &input.attrs.manifest else {
        return;
    };
    let lit = &given.value;
    let file = file_of(lit);
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(err) => {
            cx.error_spanned_by(
                lit,
                format!(
                    "cannot read the secrets manifest `{}` ({}): {err}; it is relative to the crate's directory (CARGO_MANIFEST_DIR); write it with `CheckReport::manifest()`",
                    lit.value(),
                    file.display()
                ),
            );
            return;
        }
    };
    let sections = match parse(&text) {
        Ok(sections) => sections,
        Err((line, message)) => {
            cx.error_spanned_by(
                lit,
                format!(
                    "malformed secrets manifest {}:{line}: {message}",
                    lit.value()
                ),
            );
            return;
        }
    };
    let environment = input.attrs.environment.as_ref().map(|e| e.value.value());
    for field in &input.fields {
        if field.attrs.flatten.is_some()
            || field.optional.is_some()
            || field.attrs.default.is_some()
            || field.key.value.is_empty()
        {
            continue;
        }
        let path = input.folder_of(field).unwrap_or_else(|| "/".to_owned());
        let matching: Vec<&Section> = sections
            .iter()
            .filter(|s| s.path == path && environment.as_ref().is_none_or(|e| *e == s.environment))
            .collect();
        let key = &field.key.value;
        if matching.iter().any(|s| s.keys.contains(key)) {
            continue;
        }
        let place = match &environment {
            Some(environment) => format!("{environment}:{path}"),
            None => path.clone(),
        };
        let mut message = if matching.is_empty() {
            format!(
                "the key `{key}` of field `{}` is not in the secrets manifest `{}`, which has no folder `{place}`",
                field.name,
                lit.value()
            )
        } else {
            format!(
                "the key `{key}` of field `{}` is not in `{place}` of the secrets manifest `{}`",
                field.name,
                lit.value()
            )
        };
        let candidates = matching.iter().flat_map(|s| s.keys.iter());
        if let Some(suggestion) = closest(key, candidates) {
            let _ = write!(message, ": did you mean `{suggestion}`?");
        } else {
            message.push_str(": add the secret to the store and regenerate the manifest with `CheckReport::manifest()`, or make the field an `Option` or give it a default");
        }
        cx.error_at(field.key.span, message);
    }
}

/// The key of `candidates` closest to `key`: at most two edits (a swap counts as one) away,
/// and fewer than the key's length.
fn closest<'k>(key: &str, candidates: impl Iterator<Item = &'k String>) -> Option<&'k str> {
    candidates
        .map(|c| (suggest::edit_distance(key, c), c))
        .filter(|(d, c)| *d <= 2 && *d < c.len().min(key.len()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

/// The sections of a manifest, or the first malformed line (1-based) and what is wrong.
fn parse(text: &str) -> Result<Vec<Section>, (usize, String)> {
    let mut sections: Vec<Section> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let Some(header) = header.strip_suffix(']') else {
                return Err((
                    line_no,
                    format!(
                        "`{line}` opens a section without closing it: expected `[environment:/folder]`"
                    ),
                ));
            };
            let Some((environment, path)) = header.split_once(':') else {
                return Err((
                    line_no,
                    format!(
                        "`{line}` is not a section: expected `[environment:/folder]`, e.g. `[prod:/api]`"
                    ),
                ));
            };
            if !names::is_environment_slug(environment) {
                return Err((line_no, names::invalid_environment_slug(environment)));
            }
            if !names::is_folder_path(path) {
                return Err((line_no, names::invalid_folder_path(path)));
            }
            sections.push(Section {
                environment: environment.to_owned(),
                path: path.to_owned(),
                keys: Vec::new(),
            });
            continue;
        }
        if !names::is_store_key(line) {
            return Err((
                line_no,
                format!("{} (one key name a line)", names::invalid_store_key(line)),
            ));
        }
        let Some(section) = sections.last_mut() else {
            return Err((
                line_no,
                format!("the key `{line}` comes before any `[environment:/folder]` section"),
            ));
        };
        section.keys.push(line.to_owned());
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use syn::DeriveInput;

    use super::parse;
    use crate::expand::tests::errors;

    /// A manifest file of its own for each test, in the temp dir; its absolute path is what
    /// the attribute names (joined to `CARGO_MANIFEST_DIR`, an absolute path stays itself).
    fn manifest(name: &str, text: &str) -> String {
        let path = std::env::temp_dir().join(format!(
            "secrets-derive-{}-{name}.manifest",
            std::process::id()
        ));
        std::fs::write(&path, text).expect("write the manifest");
        path.to_str().expect("UTF-8 temp dir").to_owned()
    }

    fn derive_with(path: &str) -> DeriveInput {
        syn::parse_quote! {
            #[secret(path = "/agent", environment = "prod", manifest = #path)]
            struct AppSecrets {
                anthropic_api_kye: String,
                database_url: String,
                sentry_dsn: Option<String>,
                #[secret(default = "8080")]
                port: u16,
            }
        }
    }

    #[test]
    fn a_key_the_manifest_lacks_is_an_error_with_a_suggestion() {
        let path = manifest("typo", "[prod:/agent]\nANTHROPIC_API_KEY\nDATABASE_URL\n");
        let errors = errors(&derive_with(&path));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("the key `ANTHROPIC_API_KYE` of field `anthropic_api_kye` is not in `prod:/agent` of the secrets manifest"),
            "{errors:?}"
        );
        assert!(
            errors[0].ends_with("did you mean `ANTHROPIC_API_KEY`?"),
            "{errors:?}"
        );
    }

    #[test]
    fn optional_and_defaulted_fields_need_no_key_and_the_file_is_tracked() {
        let path = manifest("ok", "[prod:/agent]\nANTHROPIC_API_KYE\nDATABASE_URL\n");
        let input = derive_with(&path);
        assert!(errors(&input).is_empty(), "{:?}", errors(&input));
        let tokens = crate::expand::derive(&input).to_string();
        assert!(
            tokens.contains(&format!(":: core :: include_str ! ({path:?})")),
            "no include_str! of the manifest, so Cargo would not rebuild on a change:\n{tokens}"
        );
    }

    #[test]
    fn another_environment_does_not_count_and_a_missing_file_is_one_error() {
        let path = manifest("env", "[staging:/agent]\nANTHROPIC_API_KYE\nDATABASE_URL\n");
        let errors = errors(&derive_with(&path));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].contains("which has no folder `prod:/agent`"),
            "{errors:?}"
        );

        let errors = super::super::expand::tests::errors(&derive_with("/no/such/dir/x.manifest"));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("cannot read the secrets manifest `/no/such/dir/x.manifest`"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_manifest_parses_into_sections() {
        let sections =
            parse("# names\n[prod:/api]\nDATABASE_URL\n\nPORT\n[staging:/]\nA\n").expect("valid");
        assert_eq!(sections.len(), 2);
        assert_eq!(sections[0].keys, ["DATABASE_URL", "PORT"]);
        assert_eq!(
            (sections[1].environment.as_str(), sections[1].path.as_str()),
            ("staging", "/")
        );
    }

    #[test]
    fn a_malformed_line_is_reported_with_its_number() {
        let (line, message) = parse("[prod:/api]\nOK\nBAD KEY\n").expect_err("malformed");
        assert_eq!(line, 3);
        assert!(
            message.contains("invalid secret key `BAD KEY`"),
            "{message}"
        );
        let (line, _) = parse("KEY\n").expect_err("no section");
        assert_eq!(line, 1);
        let (line, _) = parse("\n[prod/api]\n").expect_err("no colon");
        assert_eq!(line, 2);
    }
}
