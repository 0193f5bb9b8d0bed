//! The naming rules for keys, env vars, folders and environments, checked again at run time
//! for hand-written `Secrets` impls (the derive checks the same rules at compile time).

/// `[A-Za-z_][A-Za-z0-9_]*`: what every shell and `execve` environment can carry portably.
pub(crate) fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names the process or the Infisical client itself relies on; reading a secret from them
/// would shadow the machine's own settings.
pub(crate) fn is_reserved(name: &str) -> bool {
    const RESERVED: [&str; 7] = ["PATH", "HOME", "USER", "SHELL", "PWD", "TERM", "LANG"];
    RESERVED.contains(&name)
        || name.starts_with("LC_")
        || name.starts_with("XDG_")
        || name.starts_with("INFISICAL_")
}

/// A key Infisical can store: not blank, no `/`, `:`, whitespace or control characters (the
/// current server's rule, and what keeps a key usable as a file name).
pub(crate) fn is_store_key(key: &str) -> bool {
    is_file_name(key)
        && !key
            .chars()
            .any(|c| c == ':' || c.is_whitespace() || c.is_control())
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

/// Lowercase letters, digits and `-`, at most 64 characters, as Infisical slugs are.
pub(crate) fn is_environment_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
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
    }

    #[test]
    fn reserved_names_cover_the_families() {
        for name in ["PATH", "LC_ALL", "XDG_CONFIG_HOME", "INFISICAL_TOKEN"] {
            assert!(is_reserved(name), "{name}");
        }
        assert!(!is_reserved("PATHS"));
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
        assert!(!is_file_name(".."));
        assert!(is_store_key("db.url-1"));
        for bad in ["", " ", "a b", "a/b", "a:b", "a\tb", ".."] {
            assert!(!is_store_key(bad), "{bad:?}");
        }
    }
}
