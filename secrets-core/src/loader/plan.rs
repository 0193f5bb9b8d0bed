//! The store of one load: which store the loader was told to use ([`StoreChoice`]), and what
//! came of it for this load ([`LoadStore`]): none, skipped, or fetched, with every folder of the
//! struct planned, validated and listed concurrently, once each.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures_util::future::join_all;

use crate::env::Env;
use crate::error::{Problem, StoreError};
use crate::infisical::{self, FromEnv};
use crate::names;
use crate::provenance::Provenance;
use crate::resolved::Resolved;
use crate::source::Folder;
use crate::spec::StructSpec;
use crate::store::{FolderSecrets, SecretStore};

/// Which store the loader was told to use.
#[derive(Clone)]
pub(super) enum StoreChoice {
    /// Infisical, configured from the `INFISICAL_*` variables of the loader's [`Env`].
    FromEnv,
    /// No store: env vars, files and defaults only.
    Disabled,
    /// A store given in code.
    Given(Arc<dyn SecretStore>),
}

/// The store of one load and what it said: the only store state a key's lookup sees.
pub(super) enum LoadStore {
    /// No store is configured: each key says so in its trail.
    NotConfigured,
    /// The store was turned off in code (said once in the provenance), or its configuration is
    /// wrong (reported): keys skip it without a word in their trail.
    Skipped,
    /// The store, and every valid folder of the struct as it was fetched. A key whose folder
    /// is not here (invalid, reported) skips the store like [`Skipped`](Self::Skipped).
    Fetched {
        store: Arc<dyn SecretStore>,
        folders: BTreeMap<Folder, Result<FetchedFolder, StoreError>>,
        /// The folder of each key of the spec, by the key's index (see [`key_folders`]).
        key_folders: Vec<Option<Folder>>,
    },
}

/// One folder's secrets as fetched, and whether the folder was empty. Each key's value is
/// cloned out as it resolves: the listing itself may be shared with the store (the
/// Infisical client keeps it to answer its next conditional request).
pub(super) struct FetchedFolder {
    pub(super) secrets: FolderSecrets,
    pub(super) was_empty: bool,
}

/// The name of the store a check asked, if any, and what each folder listing held.
pub(super) type StoreNames = (Option<&'static str>, crate::check::Listed);

impl LoadStore {
    /// Opens the store `choice` names for a load of `spec` and fetches its folders; when there
    /// is none, the reason is noted (env-only) or reported (half a configuration, a store
    /// required but absent).
    pub(super) async fn open(
        choice: &StoreChoice,
        env: &Env,
        require_store: bool,
        spec: &StructSpec,
        resolved: &mut Resolved,
        provenance: &mut Provenance,
    ) -> Self {
        let store = match choice {
            StoreChoice::Given(store) => Arc::clone(store),
            StoreChoice::Disabled => {
                if require_store {
                    resolved.fail_config(Problem::config(
                        "the loader requires a secret store (require_store) but has none (without_store): drop one of the two calls",
                    ));
                }
                provenance.note("no secret store: env vars, files and defaults only");
                return Self::Skipped;
            }
            StoreChoice::FromEnv => match infisical::from_env(env) {
                FromEnv::NotConfigured if require_store => {
                    resolved.fail_config(Problem::config(format!(
                        "Infisical is not configured, and this loader requires a secret store (require_store): {}",
                        infisical::HOW_TO_CONFIGURE
                    )));
                    return Self::Skipped;
                }
                FromEnv::NotConfigured => {
                    let note = "Infisical not configured (no INFISICAL_* credentials): env vars, files and defaults only";
                    tracing::info!(target: "secrets_core", secrets = spec.name(), "{note}");
                    provenance.note(note);
                    resolved.note_if_missing(format!(
                        "Infisical is not configured, so only env vars, files and defaults were read: to read from Infisical, {}",
                        infisical::HOW_TO_CONFIGURE
                    ));
                    return Self::NotConfigured;
                }
                FromEnv::Invalid(messages) => {
                    for message in messages {
                        resolved.fail_config(Problem::config(message));
                    }
                    return Self::Skipped;
                }
                FromEnv::Ready(client) => Arc::new(client),
            },
        };
        let key_folders = key_folders(spec, store.as_ref());
        let planned = folders_of(spec, store.as_ref(), &key_folders, resolved);
        let folders = fetch_all(spec, store.as_ref(), &key_folders, planned).await;
        for folder in folders.values().flatten() {
            if let Some(note) = folder.secrets.note() {
                provenance.note(note);
            }
        }
        Self::Fetched {
            store,
            folders,
            key_folders,
        }
    }

    /// The key names of every fetched folder, each with its import and whether a field of
    /// `spec` reads it, for a check; no value.
    pub(super) fn names(&self, spec: &StructSpec) -> StoreNames {
        match self {
            Self::Fetched {
                store,
                folders,
                key_folders,
            } => (Some(store.name()), names_of(spec, folders, key_folders)),
            Self::NotConfigured | Self::Skipped => (None, Vec::new()),
        }
    }
}

/// The folder of each key of `spec`, by the key's index: the field's path, else the store's
/// configured path, else the struct's, else `/`; in the store's environment, else the
/// struct's. `None` without an environment. Worked out once per load, one `Folder` per
/// distinct path shared by its keys.
fn key_folders(spec: &StructSpec, store: &dyn SecretStore) -> Vec<Option<Folder>> {
    let Some(environment) = store.environment().or(spec.default_environment()) else {
        return vec![None; spec.keys().len()];
    };
    let mut by_path: HashMap<&str, Folder> = HashMap::new();
    spec.keys()
        .iter()
        .map(|key| {
            let path = key
                .folder()
                .or(store.default_path())
                .or(spec.folder())
                .unwrap_or("/");
            let folder = by_path
                .entry(path)
                .or_insert_with(|| Folder::new(environment, path));
            Some(folder.clone())
        })
        .collect()
}

/// The distinct valid folders of the struct; a configuration problem for an invalid one, or
/// when no environment is known.
fn folders_of(
    spec: &StructSpec,
    store: &dyn SecretStore,
    key_folders: &[Option<Folder>],
    resolved: &mut Resolved,
) -> Vec<Folder> {
    if store.environment().or(spec.default_environment()).is_none() {
        resolved.fail_config(Problem::config(format!(
            "no {} environment: set INFISICAL_ENVIRONMENT or #[secret(environment = \"...\")] on {}",
            store.name(),
            spec.name()
        )));
        return Vec::new();
    }
    let mut folders: Vec<Folder> = key_folders.iter().flatten().cloned().collect();
    folders.sort();
    folders.dedup();
    folders.retain(|folder| {
        let problem = if !names::is_environment_slug(folder.environment()) {
            names::invalid_environment_slug(folder.environment())
        } else if !names::is_folder_path(folder.path()) {
            names::invalid_folder_path(folder.path())
        } else {
            return true;
        };
        resolved.fail_config(Problem::config(format!(
            "{} folder `{folder}`: {problem}",
            store.name()
        )));
        false
    });
    folders
}

/// Lists every folder once, all concurrently, telling the store which keys of each the
/// struct wants.
async fn fetch_all(
    spec: &StructSpec,
    store: &dyn SecretStore,
    key_folders: &[Option<Folder>],
    folders: Vec<Folder>,
) -> BTreeMap<Folder, Result<FetchedFolder, StoreError>> {
    let mut wanted: Vec<Vec<&str>> = vec![Vec::new(); folders.len()];
    for (key, folder) in spec.keys().iter().zip(key_folders) {
        if let Some(at) = folder.as_ref().and_then(|f| folders.binary_search(f).ok()) {
            wanted[at].push(key.key());
        }
    }
    let results = join_all(
        folders
            .iter()
            .zip(&wanted)
            .map(|(folder, keys)| store.fetch_keys(folder, keys)),
    )
    .await;
    folders
        .into_iter()
        .zip(results)
        .map(|(folder, result)| {
            let result = result
                .map(|secrets| FetchedFolder {
                    was_empty: secrets.is_empty(),
                    secrets,
                })
                .map_err(|e| e.with_folder(folder.clone()).with_store(store.name()));
            (folder, result)
        })
        .collect()
}

/// The key names of every listing, each with its import and whether a field of `spec` reads
/// it, for a check; no value.
fn names_of(
    spec: &StructSpec,
    folders: &BTreeMap<Folder, Result<FetchedFolder, StoreError>>,
    key_folders: &[Option<Folder>],
) -> crate::check::Listed {
    folders
        .iter()
        .map(|(folder, fetched)| {
            let names = fetched.as_ref().map_err(Clone::clone).map(|fetched| {
                fetched
                    .secrets
                    .keys()
                    .map(|name| {
                        let used = spec
                            .keys()
                            .iter()
                            .zip(key_folders)
                            .any(|(key, of)| key.key() == name && of.as_ref() == Some(folder));
                        let import = fetched.secrets.get(name).and_then(|s| s.import().cloned());
                        (name.to_owned(), import, used)
                    })
                    .collect()
            });
            (folder.clone(), names)
        })
        .collect()
}
