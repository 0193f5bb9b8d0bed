//! Infisical as the first source. (Placeholder until the client lands.)

use std::fmt;

use crate::env::Env;
use crate::error::StoreError;
use crate::source::Folder;
use crate::store::{BoxFuture, FolderSecrets, SecretStore};

/// A client for one Infisical project.
#[derive(Clone)]
pub struct InfisicalClient {
    _private: (),
}

impl fmt::Debug for InfisicalClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InfisicalClient")
    }
}

impl SecretStore for InfisicalClient {
    fn name(&self) -> &'static str {
        "Infisical"
    }

    fn fetch<'a>(&'a self, _folder: &'a Folder) -> BoxFuture<'a, Result<FolderSecrets, StoreError>> {
        Box::pin(async { Ok(FolderSecrets::new()) })
    }
}

/// What the `INFISICAL_*` variables of an [`Env`] configure.
pub(crate) enum FromEnv {
    /// No Infisical variable at all: env-only mode.
    NotConfigured,
    /// Half a configuration: every problem, in words.
    Invalid(Vec<String>),
    /// A usable client.
    Ready(InfisicalClient),
}

pub(crate) fn from_env(_env: &Env) -> FromEnv {
    FromEnv::NotConfigured
}
