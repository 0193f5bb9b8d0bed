//! A listing as a load sees it: a folder's own secrets over its imports, and each raw secret
//! as a value, withheld or an unexpanded reference.

use std::collections::HashSet;
use std::collections::hash_map::Entry;

use secrecy::ExposeSecret;

use super::api::{GetResponse, ListResponse, RawSecret};
use super::text::clean;
use crate::source::Folder;
use crate::store::{FolderSecrets, StoredSecret};

/// What Infisical puts in place of a value the identity may not see.
const HIDDEN_VALUE: &str = "<hidden-by-infisical>";

/// A successful single-secret body as a load sees it.
pub(crate) fn parse_single(body: &[u8]) -> Result<StoredSecret, serde_json::Error> {
    serde_json::from_slice::<GetResponse>(body).map(|parsed| parsed.secret.into_stored())
}

/// A successful list body as a load sees it: parsed, then merged as [`ListResponse::merge`]
/// says.
pub(crate) fn parse_listing(
    body: &[u8],
    listed: &Folder,
) -> Result<FolderSecrets, serde_json::Error> {
    serde_json::from_slice::<ListResponse>(body).map(|parsed| parsed.merge(listed))
}

/// Whether a value still holds a `${...}` reference after the server expanded what it could.
pub(crate) fn has_unexpanded_reference(value: &str) -> bool {
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(0) => rest = &after[1..],
            Some(_) => return true,
            None => return false,
        }
    }
    false
}

/// A listed value as the loader sees it: withheld when the server hid it, unexpanded while
/// it still holds a reference, else the value.
fn stored(value: secrecy::SecretString, hidden: bool) -> StoredSecret {
    let text = value.expose_secret();
    if hidden || text == HIDDEN_VALUE {
        StoredSecret::withheld()
    } else if has_unexpanded_reference(text) {
        StoredSecret::unexpanded()
    } else {
        StoredSecret::value(value)
    }
}

impl RawSecret {
    fn is_personal(&self) -> bool {
        self.kind.as_ref().is_some_and(|kind| kind.personal)
    }

    /// The key and the secret as the loader sees it; a hidden or unexpanded value is dropped
    /// (and wiped).
    fn into_keyed(self) -> (String, StoredSecret) {
        let hidden = self.secret_value_hidden == Some(true);
        (self.secret_key, stored(self.secret_value, hidden))
    }

    /// The secret as the loader sees it, without its key.
    fn into_stored(self) -> StoredSecret {
        self.into_keyed().1
    }

    #[cfg(test)]
    pub(crate) fn key(&self) -> &str {
        &self.secret_key
    }

    #[cfg(test)]
    pub(crate) fn value(&self) -> &str {
        self.secret_value.expose_secret()
    }
}

impl ListResponse {
    /// The folder as the server and the CLI resolve it: the folder's own secrets first (a
    /// personal override beats the shared secret; otherwise the first of a duplicated key
    /// wins), then imports with the last import block winning.
    pub(crate) fn merge(self, listed: &Folder) -> FolderSecrets {
        let imported: usize = self
            .imports
            .iter()
            .flatten()
            .map(|block| block.secrets.len())
            .sum();
        let mut folder = FolderSecrets::with_capacity(self.secrets.len() + imported);
        // The keys whose secret here is a personal override, which nothing replaces (there
        // are seldom any).
        let mut personal: HashSet<String> = HashSet::new();
        for secret in self.secrets {
            let is_personal = secret.is_personal();
            let (key, stored) = secret.into_keyed();
            match folder.entry(key) {
                Entry::Vacant(entry) => {
                    if is_personal {
                        personal.insert(entry.key().clone());
                    }
                    entry.insert(stored);
                }
                // A personal override replaces the shared secret listed before it.
                Entry::Occupied(mut entry) if is_personal && !personal.contains(entry.key()) => {
                    personal.insert(entry.key().clone());
                    entry.insert(stored);
                }
                Entry::Occupied(_) => {}
            }
        }
        for block in self.imports.unwrap_or_default().into_iter().rev() {
            // The import's folder is shown (provenance, "imported from"): server text, cleaned.
            let environment = block
                .environment
                .map(|e| clean(&e))
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| listed.environment().to_owned());
            let path = block
                .secret_path
                .map_or_else(|| "/".to_owned(), |p| clean(&p));
            let from = Folder::new(environment, &path);
            for secret in block.secrets {
                let (key, stored) = secret.into_keyed();
                if let Entry::Vacant(entry) = folder.entry(key) {
                    entry.insert(stored.imported_from(from.clone()));
                }
            }
        }
        folder
    }
}
