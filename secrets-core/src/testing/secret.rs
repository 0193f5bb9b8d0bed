//! One secret of the fake's data set, with every attribute a real server can send.

use std::fmt;

use super::state::ValueAccess;
use super::util;

/// A secret with every attribute the fake can serve, for
/// [`FakeInfisicalBuilder::secret_with`](super::FakeInfisicalBuilder::secret_with) and
/// [`FakeInfisical::put_secret`](super::FakeInfisical::put_secret).
///
/// ```
/// use secrets_core::testing::FakeSecret;
///
/// let secret = FakeSecret::new("prod", "/backend", "DATABASE_URL", "postgres://db/app")
///     .comment("primary database")
///     .version(3)
///     .tag_with_color("database", "#2563eb")
///     .metadata("owner", "platform-team");
/// # let _ = secret;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FakeSecret {
    pub(crate) environment: String,
    pub(crate) path: String,
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) comment: String,
    pub(crate) version: Option<u32>,
    pub(crate) personal: bool,
    pub(crate) access: ValueAccess,
    pub(crate) skip_multiline_encoding: bool,
    pub(crate) tags: Vec<(String, Option<String>)>,
    pub(crate) metadata: Vec<(String, String)>,
    pub(crate) actor: Option<(String, String)>,
}

impl fmt::Debug for FakeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeSecret")
            .field("environment", &self.environment)
            .field("path", &self.path)
            .field("key", &self.key)
            .field("value", &"[REDACTED]")
            .field("personal", &self.personal)
            .field("access", &self.access)
            .finish_non_exhaustive()
    }
}

impl FakeSecret {
    /// A shared secret `key = value` in folder `path` of environment `environment`.
    pub fn new(
        environment: impl Into<String>,
        path: impl AsRef<str>,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self {
            environment: environment.into(),
            path: util::normalize_path(path.as_ref()),
            key: key.into(),
            value: value.into(),
            comment: String::new(),
            version: None,
            personal: false,
            access: ValueAccess::Readable,
            skip_multiline_encoding: false,
            tags: Vec::new(),
            metadata: Vec::new(),
            actor: None,
        }
    }

    /// Makes it a personal override (`type: "personal"`) instead of a shared secret.
    #[must_use]
    pub fn personal(mut self) -> Self {
        self.personal = true;
        self
    }

    /// Lists it with `secretValue: "<hidden-by-infisical>"` and `secretValueHidden: true`, as
    /// for an identity that may describe but not read it. Current mode only: the 2024 server
    /// had no hidden values and serves the value.
    #[must_use]
    pub fn hidden(mut self) -> Self {
        self.access = ValueAccess::Hidden;
        self
    }

    /// Makes its value unreadable, as for an identity whose role may read every value of the
    /// folder but this one (a `readValue` permission with a `secretName` condition), in
    /// [`ServerMode::Current`](super::ServerMode::Current) on both `/api/v4` and `/api/v3`:
    ///
    /// - a list that asks for values (`viewSecretValue` absent or `true`) and would hold it
    ///   answers the whole folder `403 PermissionDenied` "You are not allowed to readValue on
    ///   secrets";
    /// - a list with `viewSecretValue=false` serves every value hidden, as it always does;
    /// - a single get of it answers `403 ForbiddenReadSecretError`, or hidden with
    ///   `viewSecretValue=false`; the folder's other keys read as usual.
    ///
    /// The 2024 server had no such permission and serves the value.
    #[must_use]
    pub fn unreadable(mut self) -> Self {
        self.access = ValueAccess::Unreadable;
        self
    }

    /// Sets `secretComment`.
    #[must_use]
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = comment.into();
        self
    }

    /// Sets `version` (default 1; each later change adds one).
    #[must_use]
    pub fn version(mut self, version: u32) -> Self {
        self.version = Some(version);
        self
    }

    /// Sets `skipMultilineEncoding`: an expanded multi-line value is then served quoted, with
    /// its newlines escaped, as the real server does.
    #[must_use]
    pub fn skip_multiline_encoding(mut self, skip: bool) -> Self {
        self.skip_multiline_encoding = skip;
        self
    }

    /// Adds a tag (`slug` and `name` alike, `color: null`).
    #[must_use]
    pub fn tag(mut self, slug: impl Into<String>) -> Self {
        self.tags.push((slug.into(), None));
        self
    }

    /// Adds a tag with a colour such as `#2563eb`.
    #[must_use]
    pub fn tag_with_color(mut self, slug: impl Into<String>, color: impl Into<String>) -> Self {
        self.tags.push((slug.into(), Some(color.into())));
        self
    }

    /// Adds a `secretMetadata` entry (current mode).
    #[must_use]
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.push((key.into(), value.into()));
        self
    }

    /// Sets the last modifier shown as `actor` (current mode), e.g. `("identity", "backend")`.
    #[must_use]
    pub fn actor(mut self, actor_type: impl Into<String>, name: impl Into<String>) -> Self {
        self.actor = Some((actor_type.into(), name.into()));
        self
    }
}
