//! Typed secrets at startup: Infisical first, environment fallback, one report of every
//! problem. (Manual to follow.)
#![forbid(unsafe_code)]

mod convert;
mod env;
mod error;
mod infisical;
mod loader;
mod names;
mod provenance;
mod resolved;
mod secrets;
mod source;
mod spec;
mod store;

/// A fake Infisical server on 127.0.0.1, for your tests of `load()` (feature `testing`).
#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use crate::convert::FromSecret;
pub use crate::env::Env;
pub use crate::error::{Error, Problem, ProblemKind, Report, StoreError, StoreErrorKind};
pub use crate::infisical::InfisicalClient;
pub use crate::loader::Loader;
pub use crate::provenance::{Provenance, ProvenanceEntry};
pub use crate::resolved::Resolved;
pub use crate::secrets::Secrets;
pub use crate::source::{Folder, Lookup, Source};
pub use crate::spec::{KeySpec, StructSpec};
pub use crate::store::{BoxFuture, FolderSecrets, SecretStore, StoredSecret, StoredValue};
pub use secrecy::{ExposeSecret, SecretBox, SecretString};

/// Derives [`Secrets`] for a struct with named fields. See the crate docs for the attributes.
#[cfg(feature = "derive")]
pub use secrets_derive::Secrets;
