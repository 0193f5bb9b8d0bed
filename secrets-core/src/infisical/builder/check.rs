//! Every check of a builder's settings, in one pass: the URL, the project, the credentials,
//! the scope, the limits, the proxy and the TLS roots. [`build`](super::InfisicalClientBuilder::build)
//! words the problems as builder calls, [`from_env`](super::super::config::from_env) as the
//! variables they came from.

use std::collections::BTreeMap;
use std::hash::RandomState;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::super::auth::{Credentials, DEFAULT_KUBERNETES_TOKEN_PATH, TokenHolder};
use super::super::deadline::Loads;
use super::super::http::{Settings, Transport, http_client};
use super::super::listing::Learned;
use super::super::{InfisicalClient, Inner, config, text};
use super::{InfisicalClientBuilder, ProxySetting};
use crate::source::Folder;

impl InfisicalClientBuilder {
    /// Every check of the settings, in one pass: the client, or every problem found (for
    /// [`InfisicalClient::from_env`] to word in terms of its variables).
    pub(in crate::infisical) fn checked(self) -> Result<InfisicalClient, Vec<SettingProblem>> {
        let mut problems = Problems::default();
        let raw_url = self.base_url.as_deref().unwrap_or(config::DEFAULT_URL);
        let url = config::base_url(raw_url, self.allow_http)
            .map_err(|reason| {
                problems.add(Setting::BaseUrl, Some(&config::shown_url(raw_url)), reason);
            })
            .ok();
        // The proxy and the TLS roots are checked for a usable URL only: what is used depends
        // on it.
        let http = url.as_ref().and_then(|url| self.http(url, &mut problems));
        let project_id = check_project_id(self.project_id, &mut problems);
        let credentials =
            check_credentials(self.credentials, self.kubernetes_token_path, &mut problems);
        check_environment(self.environment.as_deref(), &mut problems);
        let secret_path = check_secret_path(self.secret_path, &mut problems);
        check_limits(&self.settings, &mut problems);
        let (Some(url), Some(project_id), Some(credentials), Some((http, via)), true) =
            (url, project_id, credentials, http, problems.0.is_empty())
        else {
            return Err(problems.0);
        };
        #[cfg(feature = "testing")]
        let http = self
            .resolve
            .iter()
            .fold(http, |http, (host, addr)| http.resolve(host, *addr));
        let http = http.build().map_err(|e| {
            let reason = format!("cannot set up HTTPS: {}", text::clean(&e.to_string()));
            let mut problems = Problems::default();
            problems.add(Setting::Https, None, reason);
            problems.0
        })?;

        let learned = Learned::for_server(&url);
        Ok(InfisicalClient {
            inner: Arc::new(Inner {
                transport: Transport::new(http, self.settings, url.host.clone(), via),
                base: url.base,
                host: url.host,
                project_id,
                environment: self.environment,
                secret_path,
                credentials,
                tokens: TokenHolder::default(),
                learned,
                loads: Mutex::new(Loads::default()),
                listings: Mutex::new(BTreeMap::new()),
                body_hasher: RandomState::new(),
            }),
        })
    }

    /// The HTTP client for `url`, with the proxy it goes through (as shown), when the proxy
    /// and the extra roots are usable.
    fn http(
        &self,
        url: &config::BaseUrl,
        problems: &mut Problems,
    ) -> Option<(reqwest::ClientBuilder, Option<String>)> {
        let (proxy, via) = proxy_for(url, self.proxy.as_ref(), self.no_proxy.as_deref())
            .map_err(|reason| problems.add(Setting::Proxy, None, reason))
            .ok()?
            .unzip();
        let http = http_client(&self.settings, self.ca_bundle_pem.as_deref(), proxy)
            .map_err(|reason| problems.add(Setting::CaBundle, None, reason))
            .ok()?;
        Some((http, via))
    }
}

/// The problems found so far.
#[derive(Default)]
struct Problems(Vec<SettingProblem>);

impl Problems {
    fn add(&mut self, setting: Setting, shown: Option<&str>, reason: impl Into<String>) {
        self.0.push(SettingProblem {
            setting,
            shown: shown.map(str::to_owned),
            reason: reason.into(),
        });
    }
}

// Rule: a project id is required and is not blank.
fn check_project_id(project_id: Option<String>, problems: &mut Problems) -> Option<String> {
    let project_id = project_id
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    if project_id.is_none() {
        problems.add(
            Setting::ProjectId,
            None,
            "no project id: call project_id(..) or set INFISICAL_PROJECT_ID",
        );
    }
    project_id
}

// Rule: one method of credentials is given, and it is usable (see `check_method`). Kubernetes
// auth reads the token at `kubernetes_token_path`, else the pod's default path.
fn check_credentials(
    credentials: Option<Credentials>,
    kubernetes_token_path: Option<PathBuf>,
    problems: &mut Problems,
) -> Option<Credentials> {
    let credentials = match credentials {
        None => {
            problems.add(
                Setting::Credentials,
                None,
                "no credentials: call universal_auth, access_token, token_file or kubernetes_auth",
            );
            return None;
        }
        Some(Credentials::Kubernetes {
            identity_id,
            token_path,
        }) => Credentials::Kubernetes {
            identity_id,
            token_path: kubernetes_token_path
                .or((!token_path.as_os_str().is_empty()).then_some(token_path))
                .unwrap_or_else(|| PathBuf::from(DEFAULT_KUBERNETES_TOKEN_PATH)),
        },
        Some(other) => other,
    };
    if let Err((setting, shown, reason)) = check_method(&credentials) {
        problems.add(setting, shown.as_deref(), reason);
    }
    Some(credentials)
}

// Rule: the environment is a slug, as Infisical names them: `prod`, `staging-eu`.
fn check_environment(environment: Option<&str>, problems: &mut Problems) {
    if let Some(environment) = environment
        && !crate::names::is_environment_slug(environment)
    {
        problems.add(
            Setting::Environment,
            Some(environment),
            "is not a slug (lowercase letters, digits and `-`)",
        );
    }
}

// Rule: the folder is `/` or `/seg/seg`, once normalised (`backend/` is `/backend`).
fn check_secret_path(secret_path: Option<String>, problems: &mut Problems) -> Option<String> {
    let path = secret_path?;
    let normalised = Folder::new("x", &path).path().to_owned();
    if crate::names::is_folder_path(&normalised) {
        return Some(normalised);
    }
    problems.add(
        Setting::SecretPath,
        Some(&path),
        "is not `/` or `/seg/seg` with segments of [A-Za-z0-9_-]",
    );
    None
}

// Rules: every timeout is above zero (a zero timeout fails every request), and the size cap
// leaves room for an error body.
fn check_limits(settings: &Settings, problems: &mut Problems) {
    if settings.connect_timeout.is_zero()
        || settings.request_timeout.is_zero()
        || settings.startup_deadline.is_zero()
    {
        problems.add(
            Setting::Timeouts,
            None,
            "timeouts and the startup deadline must be above zero",
        );
    }
    if settings.max_response_bytes < 1024 {
        problems.add(
            Setting::MaxResponseBytes,
            None,
            "max_response_bytes must be at least 1024",
        );
    }
}

/// The setting a problem is about, so that each caller can name it its own way: a builder
/// call, or the `INFISICAL_*` variable it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Setting {
    BaseUrl,
    ProjectId,
    /// The credentials themselves (empty, half given, none).
    Credentials,
    /// The file of [`token_file`](InfisicalClientBuilder::token_file).
    TokenFile,
    /// The service-account token file of Kubernetes auth.
    KubernetesTokenFile,
    Environment,
    SecretPath,
    Timeouts,
    MaxResponseBytes,
    /// The proxy that would be used (its message names where it came from).
    Proxy,
    /// The extra root certificates.
    CaBundle,
    /// The TLS setup as a whole.
    Https,
}

/// One thing wrong with the settings of a builder.
#[derive(Debug)]
pub(crate) struct SettingProblem {
    pub(crate) setting: Setting,
    /// The value as it may be shown (a URL without its credentials, a path, a slug), for the
    /// problems about one value.
    pub(crate) shown: Option<String>,
    /// What is wrong: after the value when there is one, the whole message otherwise.
    pub(crate) reason: String,
}

impl SettingProblem {
    /// The problem in the words of the builder's calls.
    pub(super) fn in_code(&self) -> String {
        let shown = self.shown.as_deref().unwrap_or_default();
        let reason = &self.reason;
        match self.setting {
            Setting::BaseUrl => format!("base URL `{shown}`: {reason}"),
            Setting::TokenFile => format!("token file {shown} cannot be read: {reason}"),
            Setting::KubernetesTokenFile => format!(
                "Kubernetes auth: the service-account token {shown} cannot be read: {reason}"
            ),
            Setting::Environment => format!("environment `{shown}` {reason}"),
            Setting::SecretPath => format!("secret path `{shown}` {reason}"),
            Setting::ProjectId
            | Setting::Credentials
            | Setting::Timeouts
            | Setting::MaxResponseBytes
            | Setting::Proxy
            | Setting::CaBundle
            | Setting::Https => reason.clone(),
        }
    }
}

/// The proxy for `url`, with how it is shown (credentials redacted, and where it came from):
/// none for a plain-http or loopback target or a host `no_proxy` names; otherwise `setting`,
/// which must then be usable.
fn proxy_for(
    url: &config::BaseUrl,
    setting: Option<&ProxySetting>,
    no_proxy: Option<&str>,
) -> Result<Option<(reqwest::Proxy, String)>, String> {
    use secrecy::ExposeSecret;
    let Some(setting) = setting else {
        return Ok(None);
    };
    if !url.https || url.loopback || config::bypasses_proxy(&url.base, no_proxy) {
        return Ok(None);
    }
    let source = setting.source;
    let Some(raw) = setting.url.as_ref().map(ExposeSecret::expose_secret) else {
        return Err(format!("proxy {source} is not valid UTF-8"));
    };
    let parsed = config::proxy_url(raw).map_err(|reason| {
        format!(
            "proxy {source} `{}` is not usable: {reason}",
            config::shown_url(raw)
        )
    })?;
    let shown = format!("{} (from {source})", config::shown_url(parsed.as_str()));
    // `https`: only requests to an https URL, which are tunnelled with CONNECT.
    let proxy = reqwest::Proxy::https(parsed.as_str())
        .map_err(|_| format!("proxy {shown} is not usable"))?;
    tracing::debug!(
        target: "secrets_core::infisical",
        "Infisical requests to {} go through the proxy {shown}",
        url.host
    );
    Ok(Some((proxy, shown)))
}

// Rule: what each method is given is not blank, and a token file can be read now (it is read
// again when used).
fn check_method(credentials: &Credentials) -> Result<(), (Setting, Option<String>, String)> {
    use secrecy::ExposeSecret;
    let problem = |reason: &str| (Setting::Credentials, None, reason.to_owned());
    match credentials {
        Credentials::AccessToken(token) if token.expose_secret().is_empty() => {
            Err(problem("the access token is empty"))
        }
        Credentials::AccessToken(_) => Ok(()),
        Credentials::TokenFile(path) => config::check_token_file(path)
            .map_err(|reason| (Setting::TokenFile, Some(path.display().to_string()), reason)),
        Credentials::UniversalAuth {
            client_id,
            client_secret,
        } => {
            if client_id.trim().is_empty() || client_secret.expose_secret().trim().is_empty() {
                Err(problem(
                    "Universal Auth needs a non-empty client id and client secret",
                ))
            } else {
                Ok(())
            }
        }
        Credentials::Kubernetes {
            identity_id,
            token_path,
        } => {
            if identity_id.trim().is_empty() {
                return Err(problem("Kubernetes auth needs a non-empty identity id"));
            }
            config::check_token_file(token_path).map_err(|reason| {
                (
                    Setting::KubernetesTokenFile,
                    Some(token_path.display().to_string()),
                    reason,
                )
            })
        }
    }
}
