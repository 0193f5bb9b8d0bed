//! What the fake knows: its configuration, the data set, identities and tokens, faults, the
//! request log.
//!
//! A little over 500 lines: everything behind the fake's one lock, so that what a request
//! reads and changes is seen in one file.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use super::util;
use super::{
    DEFAULT_PROJECT_ID, DEFAULT_PROJECT_SLUG, FakeSecret, Fault, RecordedRequest, Route, ServerMode,
};

/// The API default for both TTLs when Universal Auth is attached (30 days).
const DEFAULT_TTL: Duration = Duration::from_hours(720);

/// Fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) mode: ServerMode,
    pub(crate) project_id: String,
    pub(crate) project_slug: String,
    pub(crate) html_404: bool,
    pub(crate) token_ttl: Duration,
    pub(crate) token_max_ttl: Option<Duration>,
    pub(crate) rate_limit_secrets: u32,
    pub(crate) rate_limit_write: u32,
    pub(crate) enforce_rate_limits: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: ServerMode::Current,
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            project_slug: DEFAULT_PROJECT_SLUG.to_owned(),
            html_404: false,
            token_ttl: DEFAULT_TTL,
            token_max_ttl: None,
            rate_limit_secrets: 40,
            rate_limit_write: 200,
            enforce_rate_limits: false,
        }
    }
}

impl Config {
    pub(crate) fn is_legacy(&self) -> bool {
        self.mode == ServerMode::Legacy2024
    }

    pub(crate) fn max_ttl(&self) -> Duration {
        self.token_max_ttl
            .unwrap_or_else(|| DEFAULT_TTL.max(self.token_ttl))
    }
}

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) state: Mutex<State>,
    /// TCP connections accepted, counted apart from the state so that the accept loop takes
    /// no lock.
    pub(crate) connections: AtomicUsize,
}

/// Everything that changes while the server runs.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) store: Store,
    pub(crate) auth: Auth,
    pub(crate) latency: Duration,
    pub(crate) faults: Faults,
    pub(crate) log: Vec<RecordedRequest>,
    pub(crate) counts: HashMap<Route, usize>,
    pub(crate) rate: RateWindows,
    /// `(identity, environment, path, key)`: values that identity may not read.
    pub(crate) unreadable: Vec<(String, String, String, String)>,
}

impl State {
    /// The `(environment, path, key)` whose values `identity` may not read.
    pub(crate) fn unreadable_for(&self, identity: Option<&str>) -> Vec<(String, String, String)> {
        self.unreadable
            .iter()
            .filter(|(who, ..)| Some(who.as_str()) == identity)
            .map(|(_, env, path, key)| (env.clone(), path.clone(), key.clone()))
            .collect()
    }

    /// Logs and counts a request; returns its index in the log.
    pub(crate) fn record(&mut self, request: RecordedRequest) -> usize {
        *self.counts.entry(request.route).or_default() += 1;
        self.log.push(request);
        self.log.len() - 1
    }

    pub(crate) fn set_status(&mut self, index: usize, status: Option<u16>) {
        // The log may have been cleared in between.
        if let Some(entry) = self.log.get_mut(index) {
            entry.status = status;
        }
    }
}

impl RecordedRequest {
    pub(crate) fn new(
        method: String,
        path: String,
        query: Option<String>,
        route: Route,
        has_authorization: bool,
    ) -> Self {
        Self {
            method,
            path,
            query,
            route,
            has_authorization,
            status: None,
        }
    }
}

#[derive(Default)]
pub(crate) struct Faults {
    pub(crate) next: HashMap<Route, VecDeque<Fault>>,
    pub(crate) always: HashMap<Route, Fault>,
}

impl Faults {
    pub(crate) fn take(&mut self, route: Route) -> Option<Fault> {
        if let Some(fault) = self.next.get_mut(&route).and_then(VecDeque::pop_front) {
            return Some(fault);
        }
        self.always.get(&route).cloned()
    }
}

/// Which `@fastify/rate-limit` bucket a route counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Bucket {
    Secrets,
    Write,
}

/// Fixed one-minute windows per bucket, as the real limiter keeps them.
#[derive(Default)]
pub(crate) struct RateWindows {
    windows: HashMap<Bucket, (Instant, u32)>,
}

/// The numbers that go into `x-ratelimit-*`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateStatus {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    pub(crate) reset_secs: u64,
    pub(crate) exceeded: bool,
}

impl RateWindows {
    pub(crate) fn hit(&mut self, bucket: Bucket, limit: u32) -> RateStatus {
        let now = Instant::now();
        let window = self.windows.entry(bucket).or_insert((now, 0));
        if now.duration_since(window.0) >= Duration::from_mins(1) {
            *window = (now, 0);
        }
        window.1 = window.1.saturating_add(1);
        let elapsed = now.duration_since(window.0).as_secs();
        RateStatus {
            limit,
            remaining: limit.saturating_sub(window.1),
            reset_secs: 60u64.saturating_sub(elapsed).max(1),
            exceeded: window.1 > limit,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Data set

#[derive(Debug, Clone)]
pub(crate) struct Tag {
    pub(crate) id: String,
    pub(crate) slug: String,
    pub(crate) color: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) membership_id: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Secret {
    pub(crate) id: String,
    pub(crate) environment: String,
    pub(crate) path: String,
    pub(crate) key: String,
    pub(crate) personal: bool,
    pub(crate) value: String,
    pub(crate) version: u32,
    /// Earlier values by version, for `?version=`.
    pub(crate) history: Vec<(u32, String)>,
    pub(crate) comment: String,
    pub(crate) access: ValueAccess,
    pub(crate) skip_multiline_encoding: bool,
    pub(crate) tags: Vec<Tag>,
    pub(crate) metadata: Vec<(String, String)>,
    pub(crate) actor: Option<Actor>,
    pub(crate) created_at: String,
    pub(crate) updated_at: String,
}

/// What an identity may do with a secret's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueAccess {
    Readable,
    /// Always listed as `<hidden-by-infisical>` ([`FakeSecret::hidden`]).
    Hidden,
    /// The key may be seen but the value not read: a `readValue` condition on the secret
    /// name ([`FakeSecret::unreadable`]).
    Unreadable,
}

#[derive(Debug, Clone)]
pub(crate) struct Import {
    pub(crate) environment: String,
    pub(crate) path: String,
    pub(crate) from_environment: String,
    pub(crate) from_path: String,
}

/// The project's data set.
#[derive(Default)]
pub(crate) struct Store {
    /// Every existing folder, `(environment, path)` to folder id. An environment exists when
    /// its root folder does.
    folders: BTreeMap<(String, String), String>,
    /// In creation order, which is also id order.
    secrets: Vec<Secret>,
    /// In position order.
    imports: Vec<Import>,
}

impl Store {
    pub(crate) fn add_folder(&mut self, environment: &str, path: &str) {
        for folder in util::ancestors(path).into_iter().chain([path.to_owned()]) {
            self.folders
                .entry((environment.to_owned(), folder))
                .or_insert_with(util::new_uuid);
        }
    }

    pub(crate) fn folder_id(&self, environment: &str, path: &str) -> Option<&str> {
        self.folders
            .get(&(environment.to_owned(), path.to_owned()))
            .map(String::as_str)
    }

    /// Existing folders of `environment` at or below `path`, at most `max_depth` levels down.
    pub(crate) fn folders_within(
        &self,
        environment: &str,
        path: &str,
        max_depth: usize,
    ) -> Vec<String> {
        let base = util::depth(path);
        self.folders
            .keys()
            .filter(|(env, p)| {
                env == environment
                    && util::is_within(p, path)
                    && util::depth(p).saturating_sub(base) <= max_depth
            })
            .map(|(_, p)| p.clone())
            .collect()
    }

    pub(crate) fn add_import(
        &mut self,
        environment: &str,
        path: &str,
        from_environment: &str,
        from_path: &str,
    ) {
        self.add_folder(environment, path);
        self.imports.push(Import {
            environment: environment.to_owned(),
            path: path.to_owned(),
            from_environment: from_environment.to_owned(),
            from_path: from_path.to_owned(),
        });
    }

    pub(crate) fn imports_of(
        &self,
        environment: &str,
        path: &str,
    ) -> impl Iterator<Item = &Import> {
        self.imports
            .iter()
            .filter(move |i| i.environment == environment && i.path == path)
    }

    pub(crate) fn secrets(&self) -> &[Secret] {
        &self.secrets
    }

    /// The secrets of one folder, in id order.
    pub(crate) fn in_folder<'s, 'q>(
        &'s self,
        environment: &'q str,
        path: &'q str,
    ) -> impl Iterator<Item = &'s Secret> + use<'s, 'q> {
        self.secrets
            .iter()
            .filter(move |s| s.environment == environment && s.path == path)
    }

    pub(crate) fn find(
        &self,
        environment: &str,
        path: &str,
        key: &str,
        personal: bool,
    ) -> Option<&Secret> {
        self.in_folder(environment, path)
            .find(|s| s.key == key && s.personal == personal)
    }

    fn position(&self, environment: &str, path: &str, key: &str, personal: bool) -> Option<usize> {
        self.secrets.iter().position(|s| {
            s.environment == environment && s.path == path && s.key == key && s.personal == personal
        })
    }

    /// Creates a secret, or replaces every attribute of an existing one (same id, next
    /// version unless one is given).
    pub(crate) fn put(&mut self, spec: FakeSecret) {
        self.add_folder(&spec.environment, &spec.path);
        let now = util::iso_now();
        let tags = spec
            .tags
            .into_iter()
            .map(|(slug, color)| Tag {
                id: util::new_uuid(),
                slug,
                color,
            })
            .collect();
        let actor = spec.actor.map(|(kind, name)| Actor {
            id: util::new_uuid(),
            kind,
            name,
            membership_id: util::new_uuid(),
        });
        let existing = self.position(&spec.environment, &spec.path, &spec.key, spec.personal);
        let secret = if let Some(i) = existing {
            let old = &mut self.secrets[i];
            let version = spec.version.unwrap_or(old.version.saturating_add(1));
            old.history
                .push((old.version, std::mem::take(&mut old.value)));
            old.value = spec.value;
            old.version = version;
            old.updated_at = now;
            old
        } else {
            self.secrets.push(Secret {
                id: util::new_uuid(),
                environment: spec.environment,
                path: spec.path,
                key: spec.key,
                personal: spec.personal,
                value: spec.value,
                version: spec.version.unwrap_or(1),
                history: Vec::new(),
                comment: String::new(),
                access: ValueAccess::Readable,
                skip_multiline_encoding: false,
                tags: Vec::new(),
                metadata: Vec::new(),
                actor: None,
                created_at: now.clone(),
                updated_at: now,
            });
            let last = self.secrets.len() - 1;
            &mut self.secrets[last]
        };
        secret.comment = spec.comment;
        secret.access = spec.access;
        secret.skip_multiline_encoding = spec.skip_multiline_encoding;
        secret.tags = tags;
        secret.metadata = spec.metadata;
        secret.actor = actor;
    }

    /// Changes only the value of a shared secret (creating it if needed).
    pub(crate) fn set_value(&mut self, environment: &str, path: &str, key: &str, value: &str) {
        match self.position(environment, path, key, false) {
            Some(i) => {
                let old = &mut self.secrets[i];
                old.history.push((
                    old.version,
                    std::mem::replace(&mut old.value, value.to_owned()),
                ));
                old.version = old.version.saturating_add(1);
                old.updated_at = util::iso_now();
            }
            None => self.put(FakeSecret::new(environment, path, key, value)),
        }
    }

    pub(crate) fn remove(&mut self, environment: &str, path: &str, key: &str) -> bool {
        let before = self.secrets.len();
        self.secrets
            .retain(|s| !(s.environment == environment && s.path == path && s.key == key));
        self.secrets.len() != before
    }
}

// ---------------------------------------------------------------------------------------
// Identities and tokens

pub(crate) enum Credential {
    Universal {
        client_id: String,
        client_secret: String,
    },
    Kubernetes {
        identity_id: String,
        jwt: String,
    },
}

pub(crate) struct Identity {
    pub(crate) id: String,
    pub(crate) credential: Credential,
}

/// One row of the server's identity-access-token table.
pub(crate) struct TokenRecord {
    pub(crate) identity_id: String,
    pub(crate) created: Instant,
    pub(crate) last_renewed: Option<Instant>,
    pub(crate) ttl: Duration,
    pub(crate) max_ttl: Duration,
    /// Revoked or deleted: the row is gone.
    pub(crate) gone: bool,
    /// Expired by [`Auth::expire_issued`] / [`Auth::expire_one`], whatever the clock says.
    pub(crate) forced_expired: bool,
    /// Given in code rather than issued by a login.
    pub(crate) is_static: bool,
}

impl TokenRecord {
    /// The DB-side TTL check of the real server.
    pub(crate) fn ttl_passed(&self, now: Instant) -> bool {
        if self.forced_expired {
            return true;
        }
        if self.ttl.is_zero() {
            return false;
        }
        now > self.last_renewed.unwrap_or(self.created) + self.ttl
    }
}

/// One token string: a JWT issued by a login or renew, or a token given in code.
pub(crate) struct TokenString {
    pub(crate) record: u64,
    /// The JWT `exp`, if any.
    pub(crate) exp: Option<Instant>,
}

#[derive(Default)]
pub(crate) struct Auth {
    pub(crate) identities: Vec<Identity>,
    pub(crate) records: HashMap<u64, TokenRecord>,
    pub(crate) tokens: HashMap<String, TokenString>,
    /// `(id, secret)` of the legacy service tokens.
    pub(crate) service_tokens: Vec<(String, String)>,
    next_record: u64,
}

impl Auth {
    pub(crate) fn add_identity(&mut self, credential: Credential) {
        let id = match &credential {
            Credential::Kubernetes { identity_id, .. } => identity_id.clone(),
            Credential::Universal { .. } => util::new_uuid(),
        };
        self.identities.push(Identity { id, credential });
    }

    pub(crate) fn new_record(
        &mut self,
        identity_id: String,
        ttl: Duration,
        max_ttl: Duration,
        is_static: bool,
    ) -> u64 {
        self.next_record += 1;
        let now = Instant::now();
        self.records.insert(
            self.next_record,
            TokenRecord {
                identity_id,
                created: now,
                last_renewed: None,
                ttl,
                max_ttl,
                gone: false,
                forced_expired: false,
                is_static,
            },
        );
        self.next_record
    }

    pub(crate) fn add_static_token(&mut self, token: String) {
        let record = self.new_record(
            "static-token".to_owned(),
            Duration::ZERO,
            Duration::ZERO,
            true,
        );
        self.tokens.insert(token, TokenString { record, exp: None });
    }

    pub(crate) fn add_service_token(&mut self, token: &str) {
        let mut parts = token.strip_prefix("st.").unwrap_or(token).split('.');
        let id = parts.next().unwrap_or_default().to_owned();
        let secret = parts.next().unwrap_or_default().to_owned();
        self.service_tokens.push((id, secret));
    }

    pub(crate) fn expire_issued(&mut self) {
        for record in self.records.values_mut().filter(|r| !r.is_static) {
            record.forced_expired = true;
        }
    }

    pub(crate) fn expire_one(&mut self, token: &str) -> bool {
        let Some(record) = self.tokens.get(token).map(|t| t.record) else {
            return false;
        };
        if let Some(record) = self.records.get_mut(&record) {
            record.forced_expired = true;
        }
        true
    }

    pub(crate) fn live_count(&self) -> usize {
        let now = Instant::now();
        self.records
            .values()
            .filter(|r| !r.is_static && !r.gone && !r.ttl_passed(now))
            .count()
    }
}
