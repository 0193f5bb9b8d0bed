//! A listing as a load sees it: a folder's own secrets over its imports, and each raw secret
//! as a value, withheld or an unexpanded reference.

use std::collections::HashMap;

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

impl RawSecret {
    fn is_personal(&self) -> bool {
        self.kind.as_deref() == Some("personal")
    }

    /// The secret as the loader sees it; a hidden or unexpanded value is dropped (and wiped).
    fn into_stored(self) -> StoredSecret {
        let value = self.secret_value;
        let text = value.expose_secret();
        if self.secret_value_hidden == Some(true) || text == HIDDEN_VALUE {
            StoredSecret::withheld()
        } else if has_unexpanded_reference(text) {
            StoredSecret::unexpanded()
        } else {
            StoredSecret::value(value)
        }
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
        let mut folder = FolderSecrets::new();
        let mut personal: HashMap<String, bool> = HashMap::new();
        for secret in self.secrets {
            let is_personal = secret.is_personal();
            match personal.get(&secret.secret_key) {
                Some(false) if is_personal => {}
                Some(_) => continue,
                None => {}
            }
            personal.insert(secret.secret_key.clone(), is_personal);
            let key = secret.secret_key.clone();
            folder.insert(key, secret.into_stored());
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
                if folder.get(&secret.secret_key).is_none() {
                    let key = secret.secret_key.clone();
                    folder.insert(key, secret.into_stored().imported_from(from.clone()));
                }
            }
        }
        folder
    }
}
