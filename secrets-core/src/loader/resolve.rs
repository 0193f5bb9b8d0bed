//! The resolution order of one key: the secret store, then the env var (or the `.env` file
//! standing in for it) and its `_FILE` variable, then the secrets directory, then the default.
//! Every key is looked up, every problem kept, before anything fails.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroize;

use super::check::check_spec;
use super::plan::{LoadStore, StoreChoice, StoreNames};
use crate::dotenv;
use crate::env::Env;
use crate::error::{Problem, ProblemKind};
use crate::file::{self, FileError};
use crate::names;
use crate::provenance::{Fingerprint, Provenance};
use crate::resolved::{Resolved, Slot};
use crate::source::{Lookup, Source};
use crate::spec::{KeySpec, StructSpec};
use crate::store::{BoxFuture, StoredSecret, StoredValue};

/// What a load reads, as its [`Loader`](super::Loader) was built, without the struct's type.
/// The resolution is not generic, so it is compiled once, here, instead of once per `Secrets`
/// type in every crate that loads one (it was most of the build time of such a crate). Owned
/// and cheap to clone (the env lookup and a given store are shared), so that a load can move
/// it onto the library's own runtime.
#[derive(Clone)]
pub(super) struct Resolver {
    pub(super) env: Env,
    pub(super) secrets_dir: Option<PathBuf>,
    pub(super) dotenv: Option<PathBuf>,
    pub(super) store: StoreChoice,
    pub(super) fallback_on_store_error: bool,
    pub(super) require_store: bool,
}

impl Resolver {
    /// Looks up every key of `spec`: the values found and every problem, not yet converted.
    ///
    /// Boxed so that the state machine is compiled here: a future awaited only by generic
    /// code would be compiled again in each crate that instantiates that code.
    pub(super) fn resolve(&self, spec: StructSpec) -> BoxFuture<'_, (Resolved, Provenance)> {
        Box::pin(async move {
            let (resolved, provenance, _) = self.resolve_all(spec, false).await;
            (resolved, provenance)
        })
    }

    /// As [`resolve`](Self::resolve), with the key names of every folder listed.
    pub(super) fn resolve_listed(
        &self,
        spec: StructSpec,
    ) -> BoxFuture<'_, (Resolved, Provenance, StoreNames)> {
        Box::pin(self.resolve_all(spec, true))
    }

    async fn resolve_all(
        &self,
        spec: StructSpec,
        keep_names: bool,
    ) -> (Resolved, Provenance, StoreNames) {
        let mut resolved = Resolved::new(spec);
        let mut provenance = Provenance::new(spec.name());
        check_spec(spec.keys(), &mut resolved);
        let dotenv = self.read_dotenv(&mut resolved, &mut provenance).await;
        let dotenv = dotenv
            .as_ref()
            .map(|(path, entries)| DotEnvView { path, entries });

        let store = LoadStore::open(
            &self.store,
            &self.env,
            self.require_store,
            &spec,
            &mut resolved,
            &mut provenance,
        )
        .await;
        let listed = if keep_names {
            store.names(&spec)
        } else {
            (None, Vec::new())
        };

        for (index, key) in spec.keys().iter().enumerate() {
            let outcome = self
                .resolve_key(index, key, &store, dotenv, &mut provenance)
                .await;
            settle(index, key, outcome, &mut resolved, &mut provenance);
        }
        (resolved, provenance, listed)
    }

    /// The `.env` file's entries when the loader was asked to read one and it holds any;
    /// otherwise why not, in the provenance or the report.
    async fn read_dotenv(
        &self,
        resolved: &mut Resolved,
        provenance: &mut Provenance,
    ) -> Option<(PathBuf, HashMap<String, dotenv::Entry>)> {
        let Some(path) = self.dotenv.as_deref() else {
            if let Some(note) = dotenv::unread_note() {
                resolved.note_if_missing(note);
            }
            return None;
        };
        match dotenv::read(path).await {
            dotenv::DotEnv::Read(entries) => Some((path.to_owned(), entries)),
            dotenv::DotEnv::Missing => {
                provenance.note(format!("no {} file: not read", path.display()));
                None
            }
            dotenv::DotEnv::Invalid(message) => {
                resolved.fail_config(Problem::config(message));
                None
            }
        }
    }

    /// One key, through every source in order, until one has it or fails.
    async fn resolve_key(
        &self,
        index: usize,
        key: &KeySpec,
        store: &LoadStore,
        dotenv: Option<DotEnvView<'_>>,
        provenance: &mut Provenance,
    ) -> Outcome {
        let mut tried = Vec::new();
        if let Some(outcome) = self.lookup_store(index, key, store, &mut tried, provenance) {
            return outcome;
        }
        if let Some(outcome) = self.lookup_env(key, dotenv, &mut tried).await {
            return outcome;
        }
        if let Some(outcome) = self.lookup_secrets_dir(key, &mut tried).await {
            return outcome;
        }
        if let Some(default) = key.default() {
            let value = SecretString::from(default.to_owned());
            return Outcome::found(value, Source::Default, tried);
        }
        tried.push(Lookup::NoDefault);
        Outcome::Absent { tried }
    }

    /// The key in its folder of the store: its value (a copy of the listed one), a problem, or
    /// `None` after saying in `tried` why the next source is asked (absent, no store, a store
    /// error the key may fall back from).
    fn lookup_store(
        &self,
        index: usize,
        key: &KeySpec,
        store: &LoadStore,
        tried: &mut Vec<Lookup>,
        provenance: &mut Provenance,
    ) -> Option<Outcome> {
        let (store, folders, key_folders) = match store {
            LoadStore::NotConfigured => {
                tried.push(Lookup::StoreNotConfigured);
                return None;
            }
            LoadStore::Skipped => return None,
            LoadStore::Fetched {
                store,
                folders,
                key_folders,
            } => (store, folders, key_folders),
        };
        let folder = key_folders.get(index)?.clone()?;
        let fetched = folders.get(&folder)?;
        let store = store.name();
        match fetched {
            Ok(fetched) => match fetched
                .secrets
                .get(key.key())
                .cloned()
                .map(StoredSecret::into_parts)
            {
                Some((StoredValue::Value(value), import)) => {
                    let source = Source::Store {
                        store,
                        folder,
                        import,
                    };
                    Some(Outcome::found(value, source, std::mem::take(tried)))
                }
                Some((StoredValue::Withheld, _)) => Some(Outcome::failed(
                    ProblemKind::Withheld(folder),
                    std::mem::take(tried),
                )),
                Some((StoredValue::UnexpandedReference, _)) => Some(Outcome::failed(
                    ProblemKind::UnexpandedReference(folder),
                    std::mem::take(tried),
                )),
                None => {
                    tried.push(Lookup::NotInStore {
                        store,
                        folder,
                        folder_empty: fetched.was_empty,
                    });
                    None
                }
            },
            Err(error) => {
                if !(self.fallback_on_store_error || key.is_fallback_on_store_error()) {
                    let kind = ProblemKind::Store(error.clone());
                    return Some(Outcome::failed(kind, std::mem::take(tried)));
                }
                let reason = error.to_string();
                provenance.note(format!("fell back from {store} {folder}: {reason}"));
                tried.push(Lookup::StoreFailed {
                    store,
                    folder,
                    reason,
                });
                None
            }
        }
    }

    /// The env var, then the file its `_FILE` variable names; the `.env` file stands in for
    /// either variable where the process environment does not set it.
    async fn lookup_env(
        &self,
        key: &KeySpec,
        dotenv: Option<DotEnvView<'_>>,
        tried: &mut Vec<Lookup>,
    ) -> Option<Outcome> {
        let Some(var) = key.env_var() else {
            tried.push(Lookup::EnvDisabled);
            return None;
        };
        let get = |name: &str| {
            self.env.get(name).map(|value| (value, None)).or_else(|| {
                let entry = dotenv?.entries.get(name)?;
                Some((dotenv::os_value(entry), Some(entry.line)))
            })
        };
        let (value, line) = get(var).unzip();
        let line = line.flatten();
        let file = key
            .file_var()
            .map(|file_var| (file_var, get(file_var).map(|(path, _)| path)));
        if let (Some(_), Some((file_var, Some(_)))) = (&value, &file) {
            let kind = ProblemKind::Ambiguous {
                env: var.to_owned(),
                file_var: (*file_var).to_owned(),
            };
            return Some(Outcome::failed(kind, std::mem::take(tried)));
        }
        if let Some(value) = value {
            let source = match (line, dotenv) {
                (Some(line), Some(dotenv)) => Source::DotEnv {
                    var: var.to_owned(),
                    path: dotenv.path.to_owned(),
                    line,
                },
                _ => Source::Env(var.to_owned()),
            };
            return Some(match value.into_string() {
                Ok(text) => Outcome::found(SecretString::from(text), source, std::mem::take(tried)),
                Err(raw) => {
                    drop(SecretOs(raw));
                    Outcome::failed(ProblemKind::NotUnicode(source), std::mem::take(tried))
                }
            });
        }
        tried.push(Lookup::EnvNotSet(var.to_owned()));
        match file? {
            (file_var, None) => {
                tried.push(Lookup::FileVarNotSet(file_var.to_owned()));
                None
            }
            (file_var, Some(path)) => {
                let pasted = file::is_bare_word(&path);
                let path = PathBuf::from(path);
                let source = Source::File {
                    var: file_var.to_owned(),
                    path: path.clone(),
                };
                Some(match file::read_secret(path.clone()).await {
                    Ok(value) => Outcome::found(value, source, std::mem::take(tried)),
                    // No `/` and no such file: most likely the value itself, which must not
                    // be shown as a path.
                    Err(FileError::NotFound) if pasted => {
                        let kind = ProblemKind::NotAPath {
                            file_var: file_var.to_owned(),
                        };
                        Outcome::failed(kind, std::mem::take(tried))
                    }
                    Err(FileError::NotUnicode) => {
                        Outcome::failed(ProblemKind::NotUnicode(source), std::mem::take(tried))
                    }
                    Err(reason) => Outcome::failed(
                        ProblemKind::UnreadableFile {
                            path,
                            reason: reason.to_string(),
                        },
                        std::mem::take(tried),
                    ),
                })
            }
        }
    }

    /// The file named like the key in the secrets directory.
    async fn lookup_secrets_dir(&self, key: &KeySpec, tried: &mut Vec<Lookup>) -> Option<Outcome> {
        let dir = self.secrets_dir.as_deref()?;
        if !names::is_file_name(key.key()) {
            return None;
        }
        let path = dir.join(key.key());
        let source = Source::SecretsDir(path.clone());
        match file::read_secret(path.clone()).await {
            Ok(value) => Some(Outcome::found(value, source, std::mem::take(tried))),
            Err(FileError::NotFound) => {
                tried.push(Lookup::NoFile(path));
                None
            }
            Err(FileError::NotUnicode) => Some(Outcome::failed(
                ProblemKind::NotUnicode(source),
                std::mem::take(tried),
            )),
            Err(reason) => Some(Outcome::failed(
                ProblemKind::UnreadableFile {
                    path,
                    reason: reason.to_string(),
                },
                std::mem::take(tried),
            )),
        }
    }
}

/// The entries of the `.env` file a load read.
#[derive(Clone, Copy)]
struct DotEnvView<'a> {
    path: &'a Path,
    entries: &'a HashMap<String, dotenv::Entry>,
}

enum Outcome {
    Found {
        value: SecretString,
        source: Source,
        tried: Vec<Lookup>,
    },
    Absent {
        tried: Vec<Lookup>,
    },
    Failed {
        kind: ProblemKind,
        tried: Vec<Lookup>,
    },
}

impl Outcome {
    fn found(value: SecretString, source: Source, tried: Vec<Lookup>) -> Self {
        Self::Found {
            value,
            source,
            tried,
        }
    }

    fn failed(kind: ProblemKind, tried: Vec<Lookup>) -> Self {
        Self::Failed { kind, tried }
    }
}

/// Records what the lookup of key `index` came to: a value (unless it is empty and the field
/// does not allow that), an absent optional key, or a problem.
fn settle(
    index: usize,
    key: &KeySpec,
    outcome: Outcome,
    resolved: &mut Resolved,
    provenance: &mut Provenance,
) {
    let (kind, tried) = match outcome {
        Outcome::Found {
            value,
            source,
            tried,
        } => {
            let empty = value.expose_secret().is_empty() && !key.is_empty_allowed();
            if !empty {
                let fingerprint = Fingerprint::of(value.expose_secret());
                let found = Some((source.clone(), fingerprint));
                provenance.push(key.key(), key.field(), found, tried.clone());
                resolved.push(Slot::Value {
                    value,
                    source,
                    tried,
                });
                return;
            }
            if key.is_optional() {
                provenance.push(key.key(), key.field(), None, tried);
                resolved.push(Slot::Absent);
                return;
            }
            (ProblemKind::Empty(source), tried)
        }
        Outcome::Absent { tried } if key.is_optional() => {
            provenance.push(key.key(), key.field(), None, tried);
            resolved.push(Slot::Absent);
            return;
        }
        Outcome::Absent { tried } => (ProblemKind::Missing, tried),
        Outcome::Failed { kind, tried } => (kind, tried),
    };
    resolved.fail(index, Problem::for_key(key.key(), key.field(), kind, tried));
    resolved.push(Slot::Failed);
}

/// Non-UTF-8 bytes of an env var that may still be a secret: wiped when dropped.
struct SecretOs(OsString);

impl Drop for SecretOs {
    fn drop(&mut self) {
        let mut bytes = std::mem::take(&mut self.0).into_encoded_bytes();
        bytes.zeroize();
    }
}
