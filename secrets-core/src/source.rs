//! Where a value can come from, and what each place said when it was looked in.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// A folder of a secret store: an environment slug and a path, shown as `prod:/backend`.
///
/// ```
/// use secrets_core::store::Folder;
///
/// let folder = Folder::new("prod", "backend/");
/// assert_eq!(folder.path(), "/backend");
/// assert_eq!(folder.to_string(), "prod:/backend");
/// ```
// Shared text: a folder is cloned into the source of every key read from it, so a clone
// costs two reference counts, not two allocations.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Folder {
    environment: Arc<str>,
    path: Arc<str>,
}

impl Folder {
    /// A folder of environment `environment` at `path` (normalised to a leading `/` and no
    /// trailing `/`).
    #[must_use]
    pub fn new(environment: impl Into<String>, path: &str) -> Self {
        let trimmed = path.trim_matches(|c: char| c == '/' || c.is_whitespace());
        let environment: String = environment.into();
        Self {
            environment: environment.into(),
            path: format!("/{trimmed}").into(),
        }
    }

    /// The environment slug, e.g. `prod`.
    #[must_use]
    pub fn environment(&self) -> &str {
        &self.environment
    }

    /// The folder path, e.g. `/backend`.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for Folder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.environment, self.path)
    }
}

/// A place a value was looked for, or came from.
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use secrets_core::{Env, SecretString, Secrets, Source};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
///     #[secret(default = "8080")]
///     port: u16,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let (_, provenance) = AppSecrets::loader()
///     .env(Env::from_pairs([("DATABASE_URL", "postgres://localhost/app")]))
///     .without_store()
///     .load_with_provenance()
///     .await
///     .unwrap();
/// let sources: Vec<String> = provenance
///     .entries()
///     .iter()
///     .map(|entry| entry.source().unwrap().to_string())
///     .collect();
/// assert_eq!(sources, ["env DATABASE_URL", "default"]);
/// # });
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A folder of the secret store (Infisical); `import` is set when the value came from a
    /// folder imported into it.
    Store {
        /// The store's name, `Infisical` for the built-in one.
        store: &'static str,
        /// The folder that was listed.
        folder: Folder,
        /// The imported folder the value came from, if not the folder itself.
        import: Option<Folder>,
    },
    /// An environment variable.
    Env(String),
    /// A file named by a `<ENV>_FILE` variable.
    File {
        /// The variable that named the file.
        var: String,
        /// The file.
        path: PathBuf,
    },
    /// A file in the secrets directory given to the loader.
    SecretsDir(PathBuf),
    /// A line of the `.env` file the loader was asked to read
    /// ([`Loader::dotenv`](crate::Loader::dotenv)), shown as `.env:3`.
    DotEnv {
        /// The variable the line sets.
        var: String,
        /// The `.env` file, as given to the loader.
        path: PathBuf,
        /// The line (from 1) the entry ends on; a quoted value may span lines.
        line: usize,
    },
    /// The field's `default`.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store {
                store,
                folder,
                import: None,
            } => write!(f, "{store} {folder}"),
            Self::Store {
                store,
                folder,
                import: Some(import),
            } => write!(f, "{store} {folder} (imported from {import})"),
            Self::Env(var) => write!(f, "env {var}"),
            Self::File { var, path } => write!(f, "file {} (from {var})", path.display()),
            Self::SecretsDir(path) => write!(f, "file {}", path.display()),
            Self::DotEnv { path, line, .. } => write!(f, "{}:{line}", path.display()),
            Self::Default => f.write_str("default"),
        }
    }
}

/// One place looked in for a key, and what it held: the trail of a [`Problem`](crate::Problem)
/// and of a [`Provenance`](crate::provenance::Provenance) entry.
///
/// ```
/// # #[cfg(feature = "derive")] {
/// use secrets_core::{Env, SecretString, Secrets, Source};
///
/// #[derive(Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
///     #[secret(default = "8080")]
///     port: u16,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let (_, provenance) = AppSecrets::loader()
///     .env(Env::from_pairs([("DATABASE_URL", "postgres://localhost/app")]))
///     .without_store()
///     .load_with_provenance()
///     .await
///     .unwrap();
/// let tried: Vec<String> = provenance.get("PORT").unwrap().tried().iter().map(ToString::to_string).collect();
/// assert_eq!(tried, ["env PORT not set", "PORT_FILE not set"]);
/// # });
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// The store is not configured: the loader runs on env vars, files and defaults.
    StoreNotConfigured,
    /// The store listed the folder and the key was not in it. `folder_empty` is set when the
    /// folder held nothing at all, which usually means a wrong environment or path.
    NotInStore {
        /// The store's name.
        store: &'static str,
        /// The folder that was listed.
        folder: Folder,
        /// Whether the whole folder was empty.
        folder_empty: bool,
    },
    /// The store failed for the folder and the key fell back to lower sources, as the user
    /// opted in to.
    StoreFailed {
        /// The store's name.
        store: &'static str,
        /// The folder that could not be listed.
        folder: Folder,
        /// Why, without any secret.
        reason: String,
    },
    /// The env var is not set.
    EnvNotSet(String),
    /// The key never comes from an env var (`no_env`).
    EnvDisabled,
    /// The `<ENV>_FILE` variable is not set.
    FileVarNotSet(String),
    /// No file of that name in the secrets directory.
    NoFile(PathBuf),
    /// The field has no default.
    NoDefault,
    /// A source held the value.
    Found(Source),
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::StoreNotConfigured => f.write_str("Infisical not configured"),
            Self::NotInStore {
                store,
                folder,
                folder_empty,
            } => {
                write!(f, "not in {store} {folder}")?;
                if *folder_empty {
                    f.write_str(" (the folder was empty: check environment and path)")?;
                }
                Ok(())
            }
            Self::StoreFailed {
                store,
                folder,
                reason,
                // "not listed": the reason may be the login, which is not the folder's failure.
            } => write!(f, "{store} {folder} not listed ({reason}), fell back"),
            Self::EnvNotSet(var) => write!(f, "env {var} not set"),
            Self::EnvDisabled => f.write_str("env not read (no_env)"),
            Self::FileVarNotSet(var) => write!(f, "{var} not set"),
            Self::NoFile(path) => write!(f, "no file {}", path.display()),
            Self::NoDefault => f.write_str("no default"),
            Self::Found(source) => write!(f, "found in {source}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_paths_are_normalised_once_and_for_all() {
        for (given, expected) in [
            ("", "/"),
            ("/", "/"),
            ("a/", "/a"),
            (" /a/b/ ", "/a/b"),
            ("x /", "/x"),
        ] {
            let folder = Folder::new("prod", given);
            assert_eq!(folder.path(), expected, "{given:?}");
            assert_eq!(Folder::new("prod", folder.path()), folder);
        }
    }
}
