//! Custom secret stores: implement [`SecretStore`] to load from something other than Infisical
//! (a source that lists a whole folder at once), and give it to
//! [`Loader::store`](crate::Loader::store). Its failures are [`StoreError`]s.

pub use crate::error::{StoreCall, StoreError, StoreErrorKind};
pub use crate::source::Folder;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

/// A boxed future, as [`SecretStore::fetch`] returns it (the trait must be usable as `dyn`).
///
/// ```
/// use secrets_core::store::BoxFuture;
///
/// fn answer<'a>() -> BoxFuture<'a, u32> {
///     Box::pin(async { 42 })
/// }
/// # drop(answer());
/// ```
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A secret store the loader asks first: [`InfisicalClient`](crate::InfisicalClient), or your
/// own.
///
/// The loader calls [`fetch`](Self::fetch) once per distinct folder the struct needs, all
/// folders concurrently, never once per key.
///
/// ```
/// use secrets_core::SecretString;
/// use secrets_core::store::{
///     BoxFuture, Folder, FolderSecrets, SecretStore, StoreError, StoredSecret,
/// };
///
/// /// Secrets kept in memory, for the example.
/// #[derive(Debug)]
/// struct Memory;
///
/// impl SecretStore for Memory {
///     fn name(&self) -> &'static str {
///         "memory"
///     }
///
///     fn environment(&self) -> Option<&str> {
///         Some("prod")
///     }
///
///     fn fetch<'a>(&'a self, _folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
///         Box::pin(async move {
///             let mut listing = FolderSecrets::new();
///             listing.insert("DATABASE_URL", StoredSecret::value(SecretString::from("postgres://db/app")));
///             listing.insert("API_KEY", StoredSecret::withheld());
///             Ok(listing)
///         })
///     }
/// }
///
/// # #[cfg(feature = "derive")] {
/// #[derive(secrets_core::Secrets)]
/// struct AppSecrets {
///     database_url: SecretString,
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let secrets = AppSecrets::loader().store(Memory).load().await.unwrap();
/// # use secrets_core::ExposeSecret;
/// assert_eq!(secrets.database_url.expose_secret(), "postgres://db/app");
/// # });
/// # }
/// ```
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// The name used in reports, e.g. `Infisical`.
    fn name(&self) -> &'static str;

    /// The environment slug to use for every key, overriding the struct's, if configured.
    fn environment(&self) -> Option<&str> {
        None
    }

    /// The folder to use instead of the struct's default folder, if configured.
    fn default_path(&self) -> Option<&str> {
        None
    }

    /// Lists every secret of one folder.
    ///
    /// # Errors
    /// A [`StoreError`] when the folder cannot be listed; the loader turns it into a problem
    /// for every key of that folder.
    fn fetch<'a>(&'a self, folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>>;

    /// Lists one folder for a load that needs only `keys` of it; what the loader calls.
    ///
    /// A store that cannot list a folder whole but can read some of its keys one by one (an
    /// Infisical identity that may not read every value of the folder) reads `keys` that
    /// way. The default is [`fetch`](Self::fetch).
    ///
    /// # Errors
    /// As [`fetch`](Self::fetch).
    fn fetch_keys<'a>(
        &'a self,
        folder: &'a Folder,
        keys: &'a [&'a str],
    ) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        let _ = keys;
        self.fetch(folder)
    }
}

/// What one folder listing held, keyed by secret key.
///
/// `Clone` shares the listing (the values stay [`SecretString`]s, wiped when the last
/// holder drops them); changing a shared listing copies it first. The Infisical client keeps
/// the last listing of each folder to answer an unchanged folder without parsing it again.
///
/// ```
/// use secrets_core::{SecretString, store::{FolderSecrets, StoredSecret}};
///
/// let mut listing = FolderSecrets::new();
/// listing.insert("API_KEY", StoredSecret::value(SecretString::from("key")));
/// assert_eq!(listing.len(), 1);
/// assert!(listing.get("API_KEY").is_some());
///
/// // A clone shares the listing until one of the two changes.
/// let mut changed = listing.clone();
/// changed.remove("API_KEY");
/// assert!(changed.is_empty());
/// assert!(listing.get("API_KEY").is_some());
/// ```
#[derive(Debug, Default, Clone)]
pub struct FolderSecrets {
    secrets: Arc<HashMap<String, StoredSecret>>,
    note: Option<String>,
}

impl FolderSecrets {
    /// An empty listing.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty listing with room for `capacity` secrets.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            secrets: Arc::new(HashMap::with_capacity(capacity)),
            note: None,
        }
    }

    /// The slot of `key`, for a merge that decides by what is there (one lookup).
    pub(crate) fn entry(&mut self, key: String) -> Entry<'_, String, StoredSecret> {
        Arc::make_mut(&mut self.secrets).entry(key)
    }

    /// Adds a secret, replacing one of the same key.
    pub fn insert(&mut self, key: impl Into<String>, secret: StoredSecret) {
        Arc::make_mut(&mut self.secrets).insert(key.into(), secret);
    }

    /// The secret of `key`, if listed.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&StoredSecret> {
        self.secrets.get(key)
    }

    /// Takes the secret of `key` out of the listing.
    pub fn remove(&mut self, key: &str) -> Option<StoredSecret> {
        if !self.secrets.contains_key(key) {
            return None;
        }
        Arc::make_mut(&mut self.secrets).remove(key)
    }

    /// How many secrets were listed.
    #[must_use]
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    /// Whether the folder held nothing, which on Infisical (2024 and June 2025 servers alike)
    /// usually means a wrong environment or path.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// The listed keys, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.secrets.keys().map(String::as_str)
    }

    /// The listed values, in no particular order: for scrubbing them from server text.
    pub(crate) fn values(&self) -> impl Iterator<Item = &str> {
        self.secrets.values().filter_map(|s| match &s.value {
            StoredValue::Value(value) => Some(value.expose_secret()),
            StoredValue::Withheld | StoredValue::UnexpandedReference => None,
        })
    }

    /// Adds a remark about how the folder was read, for the load's report (for example why
    /// it took more requests than one listing). It must not contain a value.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// The remark of [`with_note`](Self::with_note), if any; the loader adds it to the
    /// [`Provenance`](crate::provenance::Provenance) notes.
    #[must_use]
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

/// One listed secret.
///
/// ```
/// use secrets_core::{SecretString, store::{Folder, StoredSecret, StoredValue}};
///
/// let shared = StoredSecret::value(SecretString::from("key"))
///     .imported_from(Folder::new("prod", "/shared"));
/// assert!(matches!(shared.stored_value(), StoredValue::Value(_)));
/// assert_eq!(shared.import().unwrap().to_string(), "prod:/shared");
/// ```
#[derive(Debug, Clone)]
pub struct StoredSecret {
    value: StoredValue,
    import: Option<Folder>,
}

impl StoredSecret {
    /// A secret with a usable value, defined in the listed folder itself.
    #[must_use]
    pub fn value(value: SecretString) -> Self {
        Self {
            value: StoredValue::Value(value),
            import: None,
        }
    }

    /// A secret whose value the store withholds from this identity.
    #[must_use]
    pub fn withheld() -> Self {
        Self {
            value: StoredValue::Withheld,
            import: None,
        }
    }

    /// A secret whose value still holds a reference the store could not expand.
    #[must_use]
    pub fn unexpanded() -> Self {
        Self {
            value: StoredValue::UnexpandedReference,
            import: None,
        }
    }

    /// Marks the secret as coming from an imported folder.
    #[must_use]
    pub fn imported_from(mut self, folder: Folder) -> Self {
        self.import = Some(folder);
        self
    }

    /// The imported folder it came from, if any.
    #[must_use]
    pub fn import(&self) -> Option<&Folder> {
        self.import.as_ref()
    }

    /// The value, or why there is none.
    #[must_use]
    pub fn stored_value(&self) -> &StoredValue {
        &self.value
    }

    pub(crate) fn into_parts(self) -> (StoredValue, Option<Folder>) {
        (self.value, self.import)
    }
}

/// A listed secret's value, or the reason the store gave none.
///
/// ```
/// use secrets_core::store::{StoredSecret, StoredValue};
///
/// // The store lists the key but hides its value from this identity: a problem, not a fallback.
/// assert!(matches!(StoredSecret::withheld().stored_value(), StoredValue::Withheld));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum StoredValue {
    /// The value.
    Value(SecretString),
    /// Hidden from this identity (`secretValueHidden`).
    Withheld,
    /// Contains a `${...}` reference that was not expanded; the text is dropped.
    UnexpandedReference,
}
