//! The list requests: the v4/v3 choice, the URLs, the key-by-key reads of a folder whose
//! values the identity may not all read, and the conditional-request cache of listings.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use reqwest::header::IF_NONE_MATCH;
use tokio::time::Instant;

use super::InfisicalClient;
use super::auth::IssuedToken;
use super::classify::{self, ListFailure};
use super::config;
use super::http::{Call, Counters, Reply};
use super::merge;
use super::text::Redactions;
use crate::error::StoreError;
use crate::source::Folder;
use crate::store::{FolderSecrets, StoredSecret};

/// The secrets routes a server may have: v4 on current servers, only v3's raw route on the
/// 2024 ones (and the June 2025 release).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ApiVersion {
    /// `/api/v4/secrets`, with `projectId`.
    V4,
    /// `/api/v3/secrets/raw`, with `workspaceId`.
    V3,
}

impl ApiVersion {
    /// The query parameter that names the project on this route.
    fn project_parameter(self) -> &'static str {
        match self {
            Self::V4 => "projectId",
            Self::V3 => "workspaceId",
        }
    }
}

/// What a remembered listing is filed under: a folder's listing on one route.
type CacheKey = (ApiVersion, Folder);

/// What the client found out about the server as it went, kept for its life.
#[derive(Default)]
pub(super) struct Learned {
    /// Set once the server turned out to have no `/api/v4/secrets`.
    legacy: AtomicBool,
    /// Set once a listing has shown which route the server has (`legacy` then says which).
    api_known: AtomicBool,
    /// Held by the one listing that finds out which route the server has, while the API is
    /// unknown: concurrent listings wait for its answer instead of each probing `/api/v4`.
    probe: tokio::sync::Mutex<()>,
    /// Set once the client sent its one unauthenticated probe of the API version.
    probed: AtomicBool,
    /// Folders the identity may not list with values (it may not read every value in them):
    /// read key by key from then on, without asking for the refused listing again.
    by_key: Mutex<BTreeSet<Folder>>,
}

impl Learned {
    /// What a client knows of its server before any request: Infisical Cloud over HTTPS
    /// serves `/api/v4/secrets`, so its clients send no probe of the API version; of any other
    /// server nothing is known yet. (Were a cloud host ever to answer `404` for the route, the
    /// first listing would still learn it and move to `/api/v3`, as for a self-hosted one.)
    pub(super) fn for_server(url: &config::BaseUrl) -> Self {
        let learned = Self::default();
        if url.https && config::CLOUD_HOSTS.contains(&url.host.as_str()) {
            learned.api_known.store(true, Ordering::Release);
        }
        learned
    }

    /// The route to ask now: v4 until the server turned out not to have it.
    fn api(&self) -> ApiVersion {
        if self.legacy.load(Ordering::Acquire) {
            ApiVersion::V3
        } else {
            ApiVersion::V4
        }
    }
}

/// The last listing of each folder, per route, for conditional requests. Secret material:
/// values stay `SecretString`s, dropped with the client.
pub(super) type ListingCache = Mutex<BTreeMap<CacheKey, Arc<Remembered>>>;

/// A folder's last listing: what the server tagged it with or, untagged, the hash of its
/// body, and the secrets parsed from it.
pub(super) struct Remembered {
    etag: Option<String>,
    body_hash: Option<u64>,
    pub(super) secrets: FolderSecrets,
}

impl Remembered {
    /// Whether a full listing `reply` (with `body_hash` when untagged) is this one again: the
    /// same entity tag, or for untagged bodies the same hash.
    fn is_same(&self, reply: &Reply, body_hash: Option<u64>) -> bool {
        match (&reply.etag, &self.etag) {
            (Some(new), Some(old)) => new == old,
            _ => body_hash.is_some() && body_hash == self.body_hash,
        }
    }
}

impl InfisicalClient {
    /// Every listing held, for the redaction of what server text must not repeat.
    pub(super) fn remembered_listings(&self) -> Vec<Arc<Remembered>> {
        self.listings().values().cloned().collect()
    }

    pub(super) async fn list(
        &self,
        folder: &Folder,
        token: &IssuedToken,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<FolderSecrets, ListFailure> {
        let mut redactions = redactions.clone();
        redactions.add(token.bearer());
        loop {
            // While the route is unknown, one listing asks and the others wait for its answer:
            // one `/api/v4` 404 per client against an old server, not one per folder.
            let mut probe = None;
            if !self.inner.learned.api_known.load(Ordering::Acquire) {
                let guard = self.inner.learned.probe.lock().await;
                if !self.inner.learned.api_known.load(Ordering::Acquire) {
                    probe = Some(guard);
                }
            }
            let api = self.inner.learned.api();
            let url = self.list_url(folder, api);
            let http = self.inner.transport.http();
            let key = (api, folder.clone());
            let remembered = self.remembered(&key);
            let etag = remembered.as_ref().and_then(|r| r.etag.clone());
            let reply = self
                .inner
                .transport
                .send(
                    Call::List,
                    || {
                        let request = http.get(url.clone()).bearer_auth(token.bearer());
                        match &etag {
                            Some(tag) => request.header(IF_NONE_MATCH, tag),
                            None => request,
                        }
                    },
                    deadline,
                    &redactions,
                )
                .await
                .map_err(ListFailure::Failed)?;
            // Any answer of the route itself settles it; a gateway's 5xx does not.
            if probe.is_some()
                && reply.status < 500
                && !(reply.status == 404 && reply.error_info(&redactions).route_missing)
            {
                self.inner.learned.api_known.store(true, Ordering::Release);
            }
            let listed = (200..300).contains(&reply.status);
            // A tagged body is told apart by its tag: only an untagged one is hashed.
            let body_hash = (listed && reply.etag.is_none())
                .then(|| self.inner.body_hasher.hash_one(&reply.body[..]));
            if let Some(secrets) =
                self.unchanged(&key, remembered.as_deref(), &reply, listed, body_hash)?
            {
                return Ok(secrets);
            }
            if listed {
                Counters::bump(&self.inner.transport.counters().parsed_listings);
            }
            match Self::listed_secrets(&reply, folder, &redactions) {
                Ok(secrets) => {
                    let remembered = Remembered {
                        etag: reply.etag.clone(),
                        body_hash,
                        secrets: secrets.clone(),
                    };
                    self.remember(key, remembered);
                    return Ok(secrets);
                }
                Err(ListFailure::RouteMissing) if api == ApiVersion::V4 => {
                    self.inner.learned.legacy.store(true, Ordering::Release);
                    self.inner.learned.api_known.store(true, Ordering::Release);
                    drop(probe);
                    tracing::debug!(
                        target: "secrets_core::infisical",
                        host = %self.inner.host,
                        "Infisical has no /api/v4/secrets (an older server): using /api/v3/secrets/raw from now on"
                    );
                }
                Err(ListFailure::RouteMissing) => {
                    return Err(ListFailure::Failed(StoreError::invalid_response(
                        format!(
                            "{} has neither /api/v4/secrets nor /api/v3/secrets/raw: check the Infisical URL",
                            self.inner.host
                        ),
                        reply.status,
                    )));
                }
                Err(error) => {
                    if let ListFailure::Failed(_) = error {
                        // Forbidden, gone, broken: no reason to keep its values in memory.
                        self.forget(&key);
                    }
                    return Err(error);
                }
            }
        }
    }

    /// Whether a listing has already shown which secrets routes the server has.
    pub(super) fn api_known(&self) -> bool {
        self.inner.learned.api_known.load(Ordering::Acquire)
    }

    /// Asks, without a token, whether the server has `/api/v4/secrets`: a current server
    /// answers `401` ("Token missing"), an older one `404` for the route (recorded from both).
    /// Once per client, by a fetch that finds another folder's first login under way, while
    /// that login runs; the listings that start meanwhile wait for the answer. No answer, or one that settles nothing (a gateway's
    /// `5xx`), leaves the question to the first listing, as without a probe. The request holds
    /// the project, environment and folder, as every listing does, and no credential.
    pub(super) async fn probe_api(&self, folder: &Folder, deadline: Instant) {
        let learned = &self.inner.learned;
        // Held while the probe is out: the listings of other folders wait on it for the answer.
        let Ok(_asking) = learned.probe.try_lock() else {
            return;
        };
        if self.api_known() || learned.probed.swap(true, Ordering::AcqRel) {
            return;
        }
        let url = self.list_url(folder, ApiVersion::V4);
        let request = self.inner.transport.http().get(url);
        let no_secrets = Redactions::default();
        let Some(reply) = self
            .inner
            .transport
            .send_once(Call::Probe, request, deadline, &no_secrets)
            .await
        else {
            return;
        };
        if reply.status == 404 && reply.error_info(&no_secrets).route_missing {
            learned.legacy.store(true, Ordering::Release);
            learned.api_known.store(true, Ordering::Release);
            tracing::debug!(
                target: "secrets_core::infisical",
                host = %self.inner.host,
                "Infisical has no /api/v4/secrets (an older server): using /api/v3/secrets/raw"
            );
        } else if reply.status < 500 {
            learned.api_known.store(true, Ordering::Release);
        }
    }

    pub(super) fn by_key(&self) -> MutexGuard<'_, BTreeSet<Folder>> {
        self.inner
            .learned
            .by_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads a folder whose listing with values is refused: its keys from a listing without
    /// values, then each of `keys` that it has with its own request, all concurrently. A key
    /// whose value the identity may not read is withheld; the folder's other keys stay
    /// withheld too (their values were not asked for).
    pub(super) async fn read_by_key(
        &self,
        folder: &Folder,
        keys: &[&str],
        token: &IssuedToken,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<FolderSecrets, ListFailure> {
        let mut redactions = redactions.clone();
        redactions.add(token.bearer());
        let api = self.inner.learned.api();
        let url = self.listing_url(folder, api, false);
        let http = self.inner.transport.http();
        let reply = self
            .inner
            .transport
            .send(
                Call::List,
                || http.get(url.clone()).bearer_auth(token.bearer()),
                deadline,
                &redactions,
            )
            .await
            .map_err(ListFailure::Failed)?;
        if (200..300).contains(&reply.status) {
            Counters::bump(&self.inner.transport.counters().parsed_listings);
        }
        let mut listed = Self::listed_secrets(&reply, folder, &redactions)?;
        drop(reply);
        let mut wanted: Vec<&str> = keys
            .iter()
            .copied()
            .filter(|key| listed.get(key).is_some())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let reads = wanted
            .iter()
            .map(|key| self.read_key(folder, key, api, token, deadline, &redactions));
        let results = futures_util::future::join_all(reads).await;
        for (key, result) in wanted.into_iter().zip(results) {
            let import = listed.get(key).and_then(|s| s.import().cloned());
            match result? {
                Some(secret) => {
                    let secret = match import {
                        Some(from) => secret.imported_from(from),
                        None => secret,
                    };
                    listed.insert(key, secret);
                }
                // Deleted between the listing and the read.
                None => {
                    listed.remove(key);
                }
            }
        }
        Ok(listed.with_note(format!(
            "read key by key: the identity may not read every value in {folder}"
        )))
    }

    /// One key of `folder` on its own: its secret (withheld when the identity may not read
    /// the value), or `None` when the folder no longer has it.
    async fn read_key(
        &self,
        folder: &Folder,
        key: &str,
        api: ApiVersion,
        token: &IssuedToken,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<Option<StoredSecret>, ListFailure> {
        let url = self.key_url(folder, key, api);
        let http = self.inner.transport.http();
        let reply = self
            .inner
            .transport
            .send(
                Call::Get,
                || http.get(url.clone()).bearer_auth(token.bearer()),
                deadline,
                redactions,
            )
            .await
            .map_err(ListFailure::Failed)?;
        if (200..300).contains(&reply.status) {
            return merge::parse_single(&reply.body).map(Some).map_err(|e| {
                ListFailure::Failed(StoreError::unparsed("the secret", &e, reply.status))
            });
        }
        classify::key_failure(&reply, redactions)
    }

    /// `GET /api/v4/secrets/{key}` (or the v3 raw route), every flag explicit as for lists.
    fn key_url(&self, folder: &Folder, key: &str, api: ApiVersion) -> url::Url {
        let inner = &self.inner;
        let mut url = url::Url::parse(&inner.base)
            .expect("the base URL was checked when the client was built");
        {
            let route: &[&str] = if api == ApiVersion::V3 {
                &["api", "v3", "secrets", "raw"]
            } else {
                &["api", "v4", "secrets"]
            };
            let mut segments = url
                .path_segments_mut()
                .expect("an http(s) base URL has path segments");
            segments.pop_if_empty().extend(route).push(key);
        }
        {
            let mut query = url.query_pairs_mut();
            query.append_pair(api.project_parameter(), &inner.project_id);
            query
                .append_pair("environment", folder.environment())
                .append_pair("secretPath", folder.path())
                .append_pair("type", "shared")
                .append_pair("expandSecretReferences", "true");
            if api == ApiVersion::V4 {
                query.append_pair("includeImports", "true");
            }
            query
                .append_pair("include_imports", "true")
                .append_pair("viewSecretValue", "true");
        }
        url
    }

    /// The remembered listing when `reply` says the folder did not change: a `304` to our
    /// `If-None-Match`, or a full listing (`listed`) with the same tag or, untagged, the same
    /// hash as the last one.
    fn unchanged(
        &self,
        key: &CacheKey,
        remembered: Option<&Remembered>,
        reply: &Reply,
        listed: bool,
        body_hash: Option<u64>,
    ) -> Result<Option<FolderSecrets>, ListFailure> {
        let counters = self.inner.transport.counters();
        if reply.status == 304 {
            let Some(remembered) = remembered.filter(|r| r.etag.is_some()) else {
                return Err(ListFailure::Failed(StoreError::invalid_response(
                    "answered 304 Not Modified to a listing that was not conditional",
                    304,
                )));
            };
            Counters::bump(&counters.not_modified);
            return Ok(Some(remembered.secrets.clone()));
        }
        let Some(remembered) = remembered.filter(|r| listed && r.is_same(reply, body_hash)) else {
            return Ok(None);
        };
        Counters::bump(&counters.unchanged);
        if reply.etag != remembered.etag {
            self.remember(
                key.clone(),
                Remembered {
                    etag: reply.etag.clone(),
                    body_hash: body_hash.or(remembered.body_hash),
                    secrets: remembered.secrets.clone(),
                },
            );
        }
        Ok(Some(remembered.secrets.clone()))
    }

    fn remembered(&self, key: &CacheKey) -> Option<Arc<Remembered>> {
        self.listings().get(key).cloned()
    }

    fn remember(&self, key: CacheKey, remembered: Remembered) {
        self.listings().insert(key, Arc::new(remembered));
    }

    fn forget(&self, key: &CacheKey) {
        self.listings().remove(key);
    }

    fn listings(&self) -> MutexGuard<'_, BTreeMap<CacheKey, Arc<Remembered>>> {
        self.inner
            .listings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn list_url(&self, folder: &Folder, api: ApiVersion) -> url::Url {
        self.listing_url(folder, api, true)
    }

    /// The list URL; `view_values: false` lists keys only, every value hidden.
    fn listing_url(&self, folder: &Folder, api: ApiVersion, view_values: bool) -> url::Url {
        let inner = &self.inner;
        let route = if api == ApiVersion::V3 {
            "/api/v3/secrets/raw"
        } else {
            "/api/v4/secrets"
        };
        let mut url = url::Url::parse(&format!("{}{route}", inner.base))
            .expect("the base URL was checked when the client was built");
        {
            let mut query = url.query_pairs_mut();
            if api == ApiVersion::V3 {
                query
                    .append_pair("workspaceId", &inner.project_id)
                    .append_pair("environment", folder.environment())
                    .append_pair("secretPath", folder.path())
                    .append_pair("expandSecretReferences", "true")
                    .append_pair("include_imports", "true")
                    .append_pair("recursive", "false");
                // Sent only to read keys without values: a 2024 server does not know it.
                if !view_values {
                    query.append_pair("viewSecretValue", "false");
                }
            } else {
                // Every flag explicit: v4's defaults changed between releases. Both spellings of
                // includeImports, since servers ignore unknown parameters.
                query
                    .append_pair("projectId", &inner.project_id)
                    .append_pair("environment", folder.environment())
                    .append_pair("secretPath", folder.path())
                    .append_pair("expandSecretReferences", "true")
                    .append_pair("includeImports", "true")
                    .append_pair("include_imports", "true")
                    .append_pair("recursive", "false")
                    .append_pair(
                        "viewSecretValue",
                        if view_values { "true" } else { "false" },
                    )
                    .append_pair("includePersonalOverrides", "false");
            }
        }
        url
    }

    /// A list reply as secrets or a classified error, with `redactions` scrubbed from what
    /// the server said.
    fn listed_secrets(
        reply: &Reply,
        folder: &Folder,
        redactions: &Redactions<'_>,
    ) -> Result<FolderSecrets, ListFailure> {
        let status = reply.status;
        if (200..300).contains(&status) {
            // Only the position: serde's message can quote the offending text.
            return merge::parse_listing(&reply.body, folder).map_err(|e| {
                ListFailure::Failed(StoreError::unparsed("the secrets listing", &e, status))
            });
        }
        Err(classify::list_failure(reply, redactions))
    }
}
