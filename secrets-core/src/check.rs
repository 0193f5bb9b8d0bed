//! A dry run of a load ([`Loader::check`](crate::Loader::check)), for a deploy step: where each key would come from, what is wrong, what
//! the store holds that no field uses, and the store's key names for a checked-in manifest.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use crate::error::{Error, Problem, StoreError};
use crate::provenance::Provenance;
use crate::source::{Folder, Lookup, Source};
use crate::spec::StructSpec;

/// What one folder listing of a check held: key names, where each was imported from and
/// whether a field reads it, or why the folder could not be listed. Never a value.
pub(crate) type Listed = Vec<(
    Folder,
    Result<Vec<(String, Option<Folder>, bool)>, StoreError>,
)>;

/// What [`Loader::check`](crate::Loader::check) found: every key's source or problem, the
/// store's keys that no field uses, and the folders listed. It holds no value and no
/// fingerprint of one; a store failure is an entry in it, not an error.
///
/// `Display` is an aligned table for a CI log.
#[derive(Debug, Clone)]
pub struct CheckReport {
    target: &'static str,
    store: Option<&'static str>,
    keys: Vec<KeyCheck>,
    problems: Vec<Problem>,
    stale: Vec<StaleKey>,
    folders: Vec<(Folder, Result<Vec<String>, StoreError>)>,
    notes: Vec<String>,
}

/// One key of a [`CheckReport`].
#[derive(Debug, Clone)]
pub struct KeyCheck {
    key: String,
    field: &'static str,
    source: Option<Source>,
    problem: Option<Problem>,
    fallback: Option<String>,
}

impl KeyCheck {
    /// The key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The struct field.
    #[must_use]
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// Where the value would come from; `None` when it would not load, or for an optional
    /// key that no source has.
    #[must_use]
    pub fn source(&self) -> Option<&Source> {
        self.source.as_ref()
    }

    /// Why the key would not load: missing, invalid (with the value-free reason), withheld,
    /// the store failing for its folder...
    #[must_use]
    pub fn problem(&self) -> Option<&Problem> {
        self.problem.as_ref()
    }

    /// Why the store was passed over for this key, when the load would fall back to the
    /// env var, a file or the default (`fallback_on_store_error`).
    #[must_use]
    pub fn fallback(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    /// Whether the key would load (an absent optional key does).
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }

    fn status(&self) -> &'static str {
        match (&self.problem, &self.source) {
            (Some(problem), _) => problem.kind().word(),
            (None, Some(_)) if self.fallback.is_some() => "fallback",
            (None, Some(_)) => "ok",
            (None, None) => "absent",
        }
    }

    fn detail(&self) -> String {
        if let Some(problem) = &self.problem {
            return match (problem.key(), problem.kind()) {
                (None, crate::ProblemKind::Store(error)) => error.to_string(),
                _ => problem.to_string(),
            };
        }
        let mut text = match &self.source {
            Some(source) => format!("from {source}"),
            None => "optional, in no source".to_owned(),
        };
        if let Some(reason) = &self.fallback {
            let _ = write!(text, " (store passed over: {reason})");
        }
        text
    }
}

/// A key of one of the struct's folders that no field uses: a renamed or left-over secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleKey {
    key: String,
    folder: Folder,
    import: Option<Folder>,
}

impl StaleKey {
    /// The key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The folder listed.
    #[must_use]
    pub fn folder(&self) -> &Folder {
        &self.folder
    }

    /// The folder it was imported from, when the listed folder imports it.
    #[must_use]
    pub fn import(&self) -> Option<&Folder> {
        self.import.as_ref()
    }
}

/// A key that one environment's folder has and another's lacks (see
/// [`CheckReport::drift`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    key: String,
    path: String,
    present_in: String,
    absent_in: String,
}

impl Drift {
    /// The key.
    #[must_use]
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The folder path, the same in both environments.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The environment that has the key.
    #[must_use]
    pub fn present_in(&self) -> &str {
        &self.present_in
    }

    /// The environment that lacks it.
    #[must_use]
    pub fn absent_in(&self) -> &str {
        &self.absent_in
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is in {}:{} but not in {}:{}",
            self.key, self.present_in, self.path, self.absent_in, self.path
        )
    }
}

impl CheckReport {
    pub(crate) fn new(
        spec: StructSpec,
        store: Option<&'static str>,
        provenance: &Provenance,
        error: Option<&Error>,
        listed: Listed,
    ) -> Self {
        let problems: Vec<Problem> = error.map(|e| e.problems().to_vec()).unwrap_or_default();
        let keys = spec
            .keys()
            .iter()
            .map(|spec_key| {
                let entry = provenance.get(spec_key.key());
                let problem = problems
                    .iter()
                    .find(|p| p.keys().any(|(key, _)| key == spec_key.key()))
                    .cloned();
                let fallback = entry.and_then(|e| {
                    e.tried().iter().find_map(|lookup| match lookup {
                        Lookup::StoreFailed { reason, .. } => Some(reason.clone()),
                        _ => None,
                    })
                });
                KeyCheck {
                    key: spec_key.key().to_owned(),
                    field: spec_key.field(),
                    source: entry
                        .and_then(|e| e.source().cloned())
                        .filter(|_| problem.is_none()),
                    problem,
                    fallback,
                }
            })
            .collect();
        let mut stale = Vec::new();
        let mut folders = Vec::new();
        for (folder, names) in listed {
            match names {
                Ok(names) => {
                    let mut unused: Vec<StaleKey> = names
                        .iter()
                        .filter(|(_, _, used)| !used)
                        .map(|(name, import, _)| StaleKey {
                            key: name.clone(),
                            folder: folder.clone(),
                            import: import.clone(),
                        })
                        .collect();
                    unused.sort_by(|a, b| a.key.cmp(&b.key));
                    stale.extend(unused);
                    let mut names: Vec<String> =
                        names.into_iter().map(|(name, _, _)| name).collect();
                    names.sort();
                    folders.push((folder, Ok(names)));
                }
                Err(error) => folders.push((folder, Err(error))),
            }
        }
        Self {
            target: spec.name(),
            store,
            keys,
            problems,
            stale,
            folders,
            notes: provenance.notes().to_vec(),
        }
    }

    /// The struct checked.
    #[must_use]
    pub fn target(&self) -> &'static str {
        self.target
    }

    /// Whether the load would succeed: no key missing, invalid, withheld or failed in the
    /// store, and no configuration problem. Stale keys are warnings and do not count.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// One entry per key, in field order.
    #[must_use]
    pub fn keys(&self) -> &[KeyCheck] {
        &self.keys
    }

    /// The entry of `key`, if the struct has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&KeyCheck> {
        self.keys.iter().find(|k| k.key == key)
    }

    /// Every problem the load would report, as [`Error::problems`] lists them.
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The keys of the struct's folders that no field uses.
    #[must_use]
    pub fn stale(&self) -> &[StaleKey] {
        &self.stale
    }

    /// The folders listed, each with its key names (sorted) or why it could not be listed.
    pub fn folders(&self) -> &[(Folder, Result<Vec<String>, StoreError>)] {
        &self.folders
    }

    /// What the load noted (no store configured, a fallback, how a folder was read).
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The requests the check cost: one list per folder, as a load (plus the login, which the
    /// client shares between loads).
    #[must_use]
    pub fn requests(&self) -> usize {
        self.folders.len()
    }

    /// The keys that `self`'s folders have and `other`'s folders of the same path lack, and
    /// the other way round: run one check per environment (two loaders, with
    /// `INFISICAL_ENVIRONMENT` set to each) and compare them. Folders that either check
    /// could not list are left out.
    #[must_use]
    pub fn drift(&self, other: &Self) -> Vec<Drift> {
        let mut out = Vec::new();
        for (present, absent) in [(self, other), (other, self)] {
            for (folder, names) in &present.folders {
                let Ok(names) = names else { continue };
                let Some((other_folder, Ok(other_names))) = absent
                    .folders
                    .iter()
                    .find(|(f, _)| f.path() == folder.path())
                else {
                    continue;
                };
                for name in names.iter().filter(|n| !other_names.contains(n)) {
                    out.push(Drift {
                        key: name.clone(),
                        path: folder.path().to_owned(),
                        present_in: folder.environment().to_owned(),
                        absent_in: other_folder.environment().to_owned(),
                    });
                }
            }
        }
        out
    }

    /// The store's key names per environment and folder, for a checked-in manifest that
    /// `#[secret(manifest = "...")]` reads at compile time: names only, never values. A
    /// folder that could not be listed is a comment, so the manifest never claims it is
    /// empty.
    ///
    /// ```text
    /// # Secret keys per environment and folder (names only, no values).
    /// [prod:/api]
    /// DATABASE_URL
    /// PORT
    /// ```
    #[must_use]
    pub fn manifest(&self) -> String {
        let mut out = format!(
            "# Secret keys per environment and folder (names only, no values), from a check of {}.\n",
            self.target
        );
        for (folder, names) in &self.folders {
            match names {
                Ok(names) => {
                    let _ = write!(out, "\n[{folder}]\n");
                    for name in names {
                        out.push_str(name);
                        out.push('\n');
                    }
                }
                Err(_) => {
                    let _ = write!(out, "\n# [{folder}] could not be listed\n");
                }
            }
        }
        out
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let store = self.store.unwrap_or("no secret store");
        writeln!(
            f,
            "check of {} against {store}: {} folder listing(s), one request per folder as a load makes",
            self.target,
            self.requests()
        )?;
        let key_width = self
            .keys
            .iter()
            .map(|k| k.key.len())
            .max()
            .unwrap_or(0)
            .max(3);
        let field_width = self
            .keys
            .iter()
            .map(|k| k.field.len())
            .max()
            .unwrap_or(0)
            .max(5);
        let status_width = self
            .keys
            .iter()
            .map(|k| k.status().len())
            .max()
            .unwrap_or(0)
            .max(6);
        writeln!(
            f,
            "  {:key_width$}  {:field_width$}  {:status_width$}  DETAIL",
            "KEY", "FIELD", "STATUS"
        )?;
        for key in &self.keys {
            writeln!(
                f,
                "  {:key_width$}  {:field_width$}  {:status_width$}  {}",
                key.key,
                key.field,
                key.status(),
                key.detail()
            )?;
        }
        for problem in self.problems.iter().filter(|p| p.keys().next().is_none()) {
            writeln!(f, "  {problem}")?;
        }
        if !self.stale.is_empty() {
            writeln!(f, "stale keys (in the store, used by no field):")?;
            let width = self.stale.iter().map(|s| s.key.len()).max().unwrap_or(0);
            for stale in &self.stale {
                write!(f, "  {:width$}  {}", stale.key, stale.folder)?;
                if let Some(import) = &stale.import {
                    write!(f, " (imported from {import})")?;
                }
                writeln!(f)?;
            }
        }
        for note in &self.notes {
            writeln!(f, "note: {note}")?;
        }
        let by_kind: BTreeMap<&str, usize> =
            self.keys
                .iter()
                .filter(|k| !k.is_ok())
                .fold(BTreeMap::new(), |mut map, k| {
                    *map.entry(k.status()).or_default() += 1;
                    map
                });
        if self.is_ok() {
            write!(f, "ok: {} key(s) would load", self.keys.len())?;
        } else {
            write!(f, "FAILED: {} problem(s)", self.problems.len())?;
            for (kind, count) in by_kind {
                write!(f, ", {count} {kind}")?;
            }
        }
        if !self.stale.is_empty() {
            write!(f, "; {} stale key(s) (warning)", self.stale.len())?;
        }
        Ok(())
    }
}
