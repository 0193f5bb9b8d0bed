//! The naming rules for keys, env vars, folders and environments, and the words that say a
//! name breaks them.
//!
//! One file, two crates: `secrets-derive` checks these rules at compile time and `secrets-core`
//! checks them again at run time for hand-written `Secrets` impls. The derive compiles this
//! very file (`secrets-derive/src/names.rs` is a symlink to it, which `cargo package` turns
//! into a copy), so the grammar and its messages cannot drift apart. It therefore uses only
//! `std` and nothing of either crate; each crate adds its own context (a field name, a
//! `#[secret(...)]` suggestion) around the messages.

/// How a message writes the env var grammar.
pub(crate) const ENV_NAME_GRAMMAR: &str = "`[A-Za-z_][A-Za-z0-9_]*`";

/// `[A-Za-z_][A-Za-z0-9_]*`: what every shell and `execve` environment can carry portably.
pub(crate) fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The problem with a name that is not [`is_env_name`].
pub(crate) fn invalid_env_name(name: &str) -> String {
    format!(
        "invalid env var name `{}`: expected {ENV_NAME_GRAMMAR}",
        name.escape_debug()
    )
}

/// Names the process or the Infisical client itself relies on; reading a secret from them
/// would shadow the machine's own settings. Returns whose they are, for the message.
pub(crate) fn reserved(name: &str) -> Option<Reserved> {
    const RESERVED: [&str; 7] = ["PATH", "HOME", "USER", "SHELL", "PWD", "TERM", "LANG"];
    if RESERVED.contains(&name) {
        Some(Reserved::System(None))
    } else if name.starts_with("LC_") {
        Some(Reserved::System(Some("LC_*")))
    } else if name.starts_with("XDG_") {
        Some(Reserved::System(Some("XDG_*")))
    } else if name.starts_with("INFISICAL_") {
        Some(Reserved::Infisical)
    } else {
        None
    }
}

/// Whether `name` is [`reserved`].
pub(crate) fn is_reserved(name: &str) -> bool {
    reserved(name).is_some()
}

/// Who a reserved name belongs to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Reserved {
    /// The system; the family (`LC_*`) when it is one.
    System(Option<&'static str>),
    /// The Infisical client's own configuration (`INFISICAL_*`).
    Infisical,
}

impl Reserved {
    /// "reserved for the system", "reserved for the Infisical client (`INFISICAL_*`)".
    pub(crate) fn describe(self) -> String {
        match self {
            Self::System(None) => "reserved for the system".to_owned(),
            Self::System(Some(family)) => format!("reserved for the system (`{family}`)"),
            Self::Infisical => "reserved for the Infisical client (`INFISICAL_*`)".to_owned(),
        }
    }
}

/// The problem with reading the env var `name`, which is `reserved`.
pub(crate) fn reserved_env_var(name: &str, reserved: Reserved) -> String {
    format!("env var `{name}` is {}", reserved.describe())
}

/// A key Infisical can store: not blank, no `/`, `:`, whitespace or control characters (the
/// current server's rule), and usable as a file name of a secrets directory ([`is_file_name`]).
pub(crate) fn is_store_key(key: &str) -> bool {
    is_file_name(key)
        && !key
            .chars()
            .any(|c| c == ':' || c.is_whitespace() || c.is_control())
}

/// The problem with a key that is not [`is_store_key`].
pub(crate) fn invalid_store_key(key: &str) -> String {
    format!(
        "invalid secret key `{}`: a key cannot be `.` or `..` nor hold `/`, `\\`, `:`, whitespace or control characters",
        key.escape_debug()
    )
}

/// A key usable as a file name in a secrets directory: no separator, not `.` or `..`.
pub(crate) fn is_file_name(key: &str) -> bool {
    !key.is_empty() && key != "." && key != ".." && !key.contains(['/', '\\', '\0'])
}

/// `/` or `/seg/seg`, each segment `[A-Za-z0-9_-]+`, as Infisical accepts folder names.
pub(crate) fn is_folder_path(path: &str) -> bool {
    path == "/"
        || (path.starts_with('/')
            && path[1..].split('/').all(|seg| {
                !seg.is_empty()
                    && seg
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            }))
}

/// The problem with a path that is not [`is_folder_path`].
pub(crate) fn invalid_folder_path(path: &str) -> String {
    format!(
        "invalid folder path `{path}`: expected `/` or `/segment/segment`, segments made of `A-Z`, `a-z`, `0-9`, `_` and `-`"
    )
}

/// Lowercase letters, digits and `-`, at most 64 characters, as Infisical slugs are.
pub(crate) fn is_environment_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The problem with a slug that is not [`is_environment_slug`].
pub(crate) fn invalid_environment_slug(slug: &str) -> String {
    format!(
        "invalid environment slug `{slug}`: expected lowercase letters, digits and `-`, at most 64 characters"
    )
}

/// `name` made into a valid env var name, for suggestions: every other character becomes `_`.
pub(crate) fn env_name_like(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// `key` made into a valid store key, for suggestions.
pub(crate) fn store_key_like(key: &str) -> String {
    let out: String = key
        .trim()
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':') || c.is_whitespace() || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if out.is_empty() || out == "." || out == ".." {
        "SECRET_KEY".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_follow_the_portable_grammar() {
        assert!(is_env_name("DATABASE_URL"));
        assert!(is_env_name("_x1"));
        assert!(!is_env_name("1X"));
        assert!(!is_env_name("A-B"));
        assert!(!is_env_name(""));
        assert_eq!(env_name_like("db-url"), "db_url");
        assert_eq!(env_name_like("1X"), "_1X");
    }

    #[test]
    fn reserved_names_cover_the_families() {
        for name in ["PATH", "LC_ALL", "XDG_CONFIG_HOME", "INFISICAL_TOKEN"] {
            assert!(is_reserved(name), "{name}");
            assert!(reserved(name).is_some(), "{name}");
        }
        assert!(!is_reserved("PATHS"));
        assert!(reserved("PATHS").is_none());
        assert_eq!(
            reserved_env_var("LC_ALL", Reserved::System(Some("LC_*"))),
            "env var `LC_ALL` is reserved for the system (`LC_*`)"
        );
    }

    #[test]
    fn folder_paths_and_slugs() {
        assert!(is_folder_path("/"));
        assert!(is_folder_path("/a/b-c/d_e"));
        assert!(!is_folder_path("a"));
        assert!(!is_folder_path("/a/"));
        assert!(!is_folder_path("/a b"));
        assert!(is_environment_slug("prod-eu"));
        assert!(!is_environment_slug("Prod"));
        assert!(!is_environment_slug(&"a".repeat(65)));
    }

    #[test]
    fn store_keys_are_file_names_without_colons_or_whitespace() {
        assert!(!is_file_name(".."));
        assert!(is_store_key("db.url-1"));
        assert!(is_store_key("db-password.v2"));
        for bad in ["", " ", "a b", "a/b", "a:b", "a\tb", "..", "a\\b", "a\0b"] {
            assert!(!is_store_key(bad), "{bad:?}");
        }
        assert_eq!(store_key_like("db/url"), "db_url");
        assert_eq!(store_key_like(".."), "SECRET_KEY");
    }
}
