//! A value-free report of where each key came from, from
//! [`Loader::load_with_provenance`](crate::Loader::load_with_provenance).

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::OnceLock;

use crate::source::{Lookup, Source};

/// Where every key of a load came from, and why lower sources were consulted. Holds no value.
///
/// `Display` prints one line per key; [`log`](Self::log) emits the same lines at `tracing`
/// info level.
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
/// let entry = provenance.get("DATABASE_URL").unwrap();
/// assert_eq!(entry.source(), Some(&Source::Env("DATABASE_URL".to_owned())));
/// // One line per key, and never a value.
/// let text = provenance.to_string();
/// assert!(!text.contains("postgres://"));
/// # });
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    target: &'static str,
    entries: Vec<ProvenanceEntry>,
    notes: Vec<String>,
}

/// Where one key came from.
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
/// let port = provenance.get("PORT").unwrap();
/// assert_eq!((port.key(), port.field()), ("PORT", "port"));
/// assert_eq!(port.source(), Some(&Source::Default));
/// # });
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ProvenanceEntry {
    key: String,
    field: &'static str,
    source: Option<Source>,
    tried: Vec<Lookup>,
    fingerprint: Option<Fingerprint>,
}

impl ProvenanceEntry {
    /// A value-free fingerprint of the value, to tell whether it changed between loads.
    #[must_use]
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        self.fingerprint
    }

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

    /// Where the value came from; `None` for an optional key that no source had.
    #[must_use]
    pub fn source(&self) -> Option<&Source> {
        self.source.as_ref()
    }

    /// The places consulted before the source, with what each held.
    #[must_use]
    pub fn tried(&self) -> &[Lookup] {
        &self.tried
    }
}

impl fmt::Display for ProvenanceEntry {
    /// `DATABASE_URL (field database_url): env DATABASE_URL (not in Infisical prod:/app)`: the
    /// source, then in parentheses the places that did not have the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (field {}): ", self.key, self.field)?;
        match &self.source {
            Some(source) => write!(f, "{source}")?,
            None => f.write_str("not set, optional")?,
        }
        if !self.tried.is_empty() {
            f.write_str(" (")?;
            for (i, lookup) in self.tried.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{lookup}")?;
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl Provenance {
    pub(crate) fn new(target: &'static str) -> Self {
        Self {
            target,
            entries: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn push(
        &mut self,
        key: &str,
        field: &'static str,
        found: Option<(Source, Fingerprint)>,
        tried: Vec<Lookup>,
    ) {
        let (source, fingerprint) = found.unzip();
        self.entries.push(ProvenanceEntry {
            key: key.to_owned(),
            field,
            source,
            tried,
            fingerprint,
        });
    }

    pub(crate) fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// The struct the report is about.
    #[must_use]
    pub fn target(&self) -> &'static str {
        self.target
    }

    /// One entry per key, in field order.
    #[must_use]
    pub fn entries(&self) -> &[ProvenanceEntry] {
        &self.entries
    }

    /// The entry of `key`, if the struct has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&ProvenanceEntry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// Remarks about the load as a whole: env-only mode, empty folders, fallbacks taken.
    #[must_use]
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Logs the notes and one line per key at `tracing` info level (target `secrets_core`).
    pub fn log(&self) {
        for note in &self.notes {
            tracing::info!(target: "secrets_core", secrets = self.target, "{note}");
        }
        for entry in &self.entries {
            tracing::info!(target: "secrets_core", secrets = self.target, "{entry}");
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.target)?;
        for note in &self.notes {
            write!(f, "\n  note: {note}")?;
        }
        for entry in &self.entries {
            write!(f, "\n  {entry}")?;
        }
        Ok(())
    }
}

/// A fingerprint of a value that reveals nothing about it: a `SipHash` keyed with a random key
/// drawn once per process, so it only compares values within one process's life.
///
/// Shown as 8 hex digits.
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
/// let fingerprint = provenance.get("DATABASE_URL").unwrap().fingerprint().unwrap();
/// // Compare it with a later load's to tell whether the value changed, without seeing it.
/// assert_eq!(fingerprint.to_string().len(), 8);
/// # });
/// # }
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(u64);

impl Fingerprint {
    pub(crate) fn of(value: &str) -> Self {
        static KEY: OnceLock<RandomState> = OnceLock::new();
        Self(KEY.get_or_init(RandomState::new).hash_one(value))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0 >> 32)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}
