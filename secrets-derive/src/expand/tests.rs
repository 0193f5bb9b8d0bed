//! Unit tests of the expansion, and `errors`, the helper every unit test of the derive uses:
//! the messages `derive` reports for an input.

use proc_macro2::{TokenStream, TokenTree};
use syn::DeriveInput;

/// The messages of every `compile_error!` the derive emits for `input`, in order.
pub(crate) fn errors(input: &DeriveInput) -> Vec<String> {
    let mut out = Vec::new();
    collect(super::derive(input), &mut out);
    out
}

fn collect(tokens: TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(ident) if ident == "compile_error" => {
                if let Some(TokenTree::Group(group)) = tokens.get(i + 2) {
                    let lit: syn::LitStr = syn::parse2(group.stream()).expect("a message");
                    out.push(lit.value());
                }
            }
            TokenTree::Group(group) => collect(group.stream(), out),
            _ => {}
        }
    }
}

#[test]
fn a_valid_struct_expands_to_the_impls() {
    let input: DeriveInput = syn::parse_quote! {
        #[secret(path = "/app", environment = "prod")]
        pub struct AppSecrets {
            r#type: String,
            #[secret(default = "8080")]
            port: u16,
            sentry_dsn: Option<String>,
        }
    };
    let tokens = super::derive(&input).to_string();
    assert!(errors(&input).is_empty());
    for expected in [
        "impl :: secrets_core :: __private :: Secrets for AppSecrets",
        "StructSpec :: new (\"AppSecrets\"",
        "KeySpec :: new (\"TYPE\" , \"type\") . with_env_var (\"TYPE\") . with_file_var (\"TYPE_FILE\")",
        ". with_default (\"8080\")",
        "KeySpec :: new (\"SENTRY_DSN\" , \"sentry_dsn\") . with_env_var (\"SENTRY_DSN\") . with_file_var (\"SENTRY_DSN_FILE\") . optional ()",
        ". with_folder (\"/app\") . with_default_environment (\"prod\")",
        "__secrets_r . take_optional (__secrets_o + 2usize",
        "Convert :: < String > :: new ()",
        "pub async fn load ()",
        "pub fn loader ()",
        ". field (\"type\" , & :: core :: format_args ! (\"[REDACTED]\"))",
    ] {
        assert!(tokens.contains(expected), "{expected}\nin\n{tokens}");
    }
}
