//! Zero-config from the Infisical CLI's env var names: each `INFISICAL_*` variable becomes a
//! builder call, and every problem names the variable to fix. The checks of the settings are
//! the builder's; the URL and file checks it calls live here, beside the variables' names.

use std::ffi::OsStr;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use url::{Host, Url};

use super::auth::{Credentials, DEFAULT_KUBERNETES_TOKEN_PATH};
use super::builder::{Setting, SettingProblem};
use super::{FromEnv, InfisicalClientBuilder};
use crate::env::Env;
use crate::file;

/// The instance URL (the CLI's current name); `/api` may be included or not.
pub(crate) const DOMAIN: &str = "INFISICAL_DOMAIN";
/// The instance URL (the CLI's legacy name), read when `INFISICAL_DOMAIN` is not set.
pub(crate) const API_URL: &str = "INFISICAL_API_URL";
/// An access token, checked before `INFISICAL_TOKEN`.
pub(crate) const UA_ACCESS_TOKEN: &str = "INFISICAL_UNIVERSAL_AUTH_ACCESS_TOKEN";
/// An access token or an `st.` service token.
pub(crate) const TOKEN: &str = "INFISICAL_TOKEN";
/// A file holding an access token (the Infisical agent's sink).
pub(crate) const TOKEN_FILE: &str = "INFISICAL_TOKEN_FILE";
/// Universal Auth client id.
pub(crate) const CLIENT_ID: &str = "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID";
/// Universal Auth client secret.
pub(crate) const CLIENT_SECRET: &str = "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET";
/// The machine identity for Kubernetes auth.
pub(crate) const MACHINE_IDENTITY_ID: &str = "INFISICAL_MACHINE_IDENTITY_ID";
/// The machine identity for Kubernetes auth (the Go SDK's name).
pub(crate) const KUBERNETES_IDENTITY_ID: &str = "INFISICAL_KUBERNETES_IDENTITY_ID";
/// Where the pod's service-account token is, if not at the default path.
pub(crate) const KUBERNETES_TOKEN_PATH: &str = "INFISICAL_KUBERNETES_SERVICE_ACCOUNT_TOKEN_PATH";
/// The project id.
pub(crate) const PROJECT_ID: &str = "INFISICAL_PROJECT_ID";
/// The environment slug, overriding the struct's.
pub(crate) const ENVIRONMENT: &str = "INFISICAL_ENVIRONMENT";
/// The folder, overriding the struct's.
pub(crate) const SECRET_PATH: &str = "INFISICAL_SECRET_PATH";
/// A PEM file of extra root certificates for a self-hosted server.
pub(crate) const CA_BUNDLE: &str = "INFISICAL_CA_BUNDLE";
/// Seconds a load may spend on Infisical in total.
pub(crate) const STARTUP_TIMEOUT: &str = "INFISICAL_STARTUP_TIMEOUT";
/// Seconds one HTTP request may take.
pub(crate) const REQUEST_TIMEOUT: &str = "INFISICAL_REQUEST_TIMEOUT";

/// The proxy variables for an `https://` target, first set wins: the lower-case name before
/// the upper-case one (as curl reads them), the scheme's own before `ALL_PROXY`. `HTTP_PROXY`
/// is not among them: a plain-http target never goes through a proxy.
pub(crate) const HTTPS_PROXY_VARS: [&str; 4] =
    ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
/// The hosts that bypass the proxy, first set wins.
pub(crate) const NO_PROXY_VARS: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// Infisical Cloud (US).
pub(crate) const DEFAULT_URL: &str = "https://app.infisical.com";

/// The hosts of Infisical Cloud (US, its other US name, EU): they serve the current API
/// (`/api/v4/secrets`), so a client of them need not ask which routes the server has.
pub(crate) const CLOUD_HOSTS: [&str; 3] =
    ["app.infisical.com", "us.infisical.com", "eu.infisical.com"];

/// The variables that configure Infisical, as the report names them when none is set.
pub(crate) const HOW_TO_CONFIGURE: &str = "set INFISICAL_PROJECT_ID, INFISICAL_ENVIRONMENT and one credential: INFISICAL_UNIVERSAL_AUTH_CLIENT_ID with INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET, INFISICAL_TOKEN, INFISICAL_TOKEN_FILE or INFISICAL_KUBERNETES_IDENTITY_ID (and INFISICAL_DOMAIN for a self-hosted server)";

/// Every variable whose presence means "Infisical is meant to be used". Tuning variables alone
/// do not count.
const CONFIGURING: [&str; 14] = [
    DOMAIN,
    API_URL,
    UA_ACCESS_TOKEN,
    TOKEN,
    TOKEN_FILE,
    CLIENT_ID,
    CLIENT_SECRET,
    MACHINE_IDENTITY_ID,
    KUBERNETES_IDENTITY_ID,
    KUBERNETES_TOKEN_PATH,
    PROJECT_ID,
    ENVIRONMENT,
    SECRET_PATH,
    CA_BUNDLE,
];

/// A base URL checked and normalised: `scheme://host[:port][/prefix]`, without a trailing `/`
/// or `/api`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    pub(crate) base: String,
    /// `host[:port]`, for messages.
    pub(crate) host: String,
    /// `https://` (the only scheme that may go through a proxy).
    pub(crate) https: bool,
    /// A loopback host (`localhost`, `127.0.0.0/8`, `::1`), never reached through a proxy.
    pub(crate) loopback: bool,
}

/// Checks an Infisical URL: http(s) only, plain HTTP only to a loopback host unless
/// `allow_http`, no credentials, query or fragment; `/api` and trailing slashes are dropped.
pub(crate) fn base_url(raw: &str, allow_http: bool) -> Result<BaseUrl, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("not a URL ({e})"))?;
    let host = url.host().ok_or_else(|| "the URL has no host".to_owned())?;
    let loopback = is_loopback(&host);
    match url.scheme() {
        "https" => {}
        "http" if allow_http || loopback => {}
        "http" => {
            return Err(
                "plain http:// is only allowed to a loopback host (127.0.0.1, ::1, localhost): use https://"
                    .to_owned(),
            );
        }
        other => return Err(format!("unsupported scheme `{other}`: use https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL must not contain credentials".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must not have a query or fragment".to_owned());
    }
    let mut path = url.path().trim_end_matches('/');
    if let Some(prefix) = path.strip_suffix("/api") {
        path = prefix.trim_end_matches('/');
    }
    let origin = &url[..url::Position::BeforePath];
    let host = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    Ok(BaseUrl {
        base: format!("{origin}{path}"),
        host,
        https: url.scheme() == "https",
        loopback,
    })
}

/// Checks a proxy URL: `http://` or `https://` (both tunnel an https target with `CONNECT`),
/// with a host; a URL without a scheme is taken as `http://`, as curl does. Returns the URL
/// to hand to the HTTP client, which may hold the proxy's credentials.
pub(crate) fn proxy_url(raw: &str) -> Result<Url, String> {
    let raw = raw.trim();
    let url = if raw.contains("://") {
        Url::parse(raw)
    } else {
        Url::parse(&format!("http://{raw}"))
    }
    .map_err(|e| format!("not a URL ({e})"))?;
    match url.scheme() {
        "http" | "https" => {}
        socks if socks.starts_with("socks") => {
            return Err(format!(
                "{socks}:// proxies are not supported: use an http:// or https:// proxy (both tunnel with CONNECT)"
            ));
        }
        other => {
            return Err(format!(
                "unsupported proxy scheme `{other}`: use an http:// or https:// proxy"
            ));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("the proxy URL has no host".to_owned());
    }
    // The HTTP client parses the URL again on its side and would go direct if it could not:
    // check here that it can.
    let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
        .https(url.as_str())
        .build();
    let probe: http::Uri = "https://infisical.test/"
        .parse()
        .map_err(|_| "cannot check the proxy URL".to_owned())?;
    if matcher.intercept(&probe).is_none() {
        return Err("not a proxy URL the HTTP client can use".to_owned());
    }
    Ok(url)
}

/// Whether `no_proxy` (a `NO_PROXY` list: hosts and domains, IPs and CIDR ranges, `*`) names the
/// host of `base`. The list is matched as the HTTP client itself matches it.
pub(crate) fn bypasses_proxy(base: &str, no_proxy: Option<&str>) -> bool {
    let Some(list) = no_proxy.map(str::trim).filter(|l| !l.is_empty()) else {
        return false;
    };
    let Ok(target) = base.parse::<http::Uri>() else {
        // Undecidable: the configured proxy is used.
        return false;
    };
    let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
        .https("http://proxy.invalid:3128")
        .no(list)
        .build();
    matcher.intercept(&target).is_none()
}

/// `raw` as a message may show it: credentials (`user:password@`) and any query or fragment
/// are replaced, since a URL is refused for holding them precisely because they can be secret.
///
/// The query and fragment are cut off first (at the first `?` or `#`), so an `@` in them is
/// not taken for the end of credentials: everything before the last `@` of what remains is
/// replaced (a password holding `/` included). When the cut falls inside the authority (no
/// `/` before it) and an `@` follows it, the whole authority is replaced: a password holding
/// `?` or `#` is not shown in part.
pub(crate) fn shown_url(raw: &str) -> String {
    let raw = raw.trim();
    let (scheme, rest) = raw.split_at(raw.find("://").map_or(0, |i| i + 3));
    let (before, cut) = match rest.find(['?', '#']) {
        Some(i) => (&rest[..i], Some((&rest[i..=i], &rest[i + 1..]))),
        None => (rest, None),
    };
    let mut shown = scheme.to_owned();
    let cut_in_authority =
        !before.contains('/') && cut.is_some_and(|(_, after)| after.contains('@'));
    if cut_in_authority {
        shown.push_str("[REDACTED]");
    } else if let Some(at) = before.rfind('@') {
        shown.push_str("[REDACTED]@");
        shown.push_str(&before[at + 1..]);
    } else {
        shown.push_str(before);
    }
    if let Some((mark, _)) = cut {
        shown.push_str(mark);
        shown.push_str("[REDACTED]");
    }
    shown
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

/// Checks that a token file can be read and holds something, without keeping its content:
/// read with the capped reader (a regular file of at most [`file::TOKEN_FILE_MAX`] bytes, never
/// a FIFO or a device), its bytes wiped.
pub(crate) fn check_token_file(path: &Path) -> Result<(), String> {
    let bytes = file::read(path, file::TOKEN_FILE_MAX).map_err(|e| e.to_string())?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".to_owned());
    }
    Ok(())
}

/// A positive duration of at most a day: a number of seconds (fractions allowed), or a human
/// duration as `Duration` fields read them (`30s`, `1m30s`, `250ms`).
fn timeout_seconds(text: &str) -> Option<Duration> {
    let duration = match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 && value <= 86_400.0 => {
            Duration::from_secs_f64(value)
        }
        Ok(_) => return None,
        Err(_) => crate::kinds::parse_duration(text).ok()?,
    };
    (!duration.is_zero() && duration <= Duration::from_hours(24)).then_some(duration)
}

/// Reads the `INFISICAL_*` variables of `env` through it (never the process environment).
struct Reader<'a> {
    env: &'a Env,
    problems: Vec<String>,
}

impl Reader<'_> {
    fn get(&mut self, name: &str) -> Option<String> {
        self.env.get_str(name).unwrap_or_else(|_| {
            self.problems.push(format!("{name} is not valid UTF-8"));
            None
        })
    }

    fn is_set(&self, name: &str) -> bool {
        !matches!(self.env.get_str(name), Ok(None))
    }

    /// The first of `names` that is set, with its name.
    fn first(&mut self, names: &[&'static str]) -> Option<(&'static str, String)> {
        names
            .iter()
            .find_map(|name| self.get(name).map(|value| (*name, value)))
    }
}

/// The client the variables describe, every problem with them, or nothing when none is set.
///
/// Each variable becomes a builder call; the builder checks the settings
/// ([`InfisicalClientBuilder::checked`]) and its problems are worded here in terms of the
/// variables they came from. What is checked here is only what a variable's text must be to
/// make a call at all: UTF-8, a number of seconds, a file that can be read, one complete set of
/// credentials.
pub(crate) fn from_env(env: &Env) -> FromEnv {
    let mut r = Reader {
        env,
        problems: Vec::new(),
    };
    if !CONFIGURING.iter().any(|name| r.is_set(name)) {
        return FromEnv::NotConfigured;
    }
    let mut builder = InfisicalClientBuilder::default();
    let mut url_var = DOMAIN;
    if let Some((name, url)) = r.first(&[DOMAIN, API_URL]) {
        url_var = name;
        builder = builder.base_url(url);
    }
    // Reported here, by variable: the builder's own "no credentials" is not said again.
    let mut credentials_reported = false;
    match credentials(&mut r) {
        Some(credentials) => builder = builder.credentials(credentials),
        None => credentials_reported = true,
    }
    if let Some(project) = r.get(PROJECT_ID) {
        builder = builder.project_id(project);
    }
    if let Some(environment) = r.get(ENVIRONMENT) {
        builder = builder.environment(environment);
    }
    if let Some(path) = r.get(SECRET_PATH) {
        builder = builder.secret_path(path);
    }
    // Checked by the builder, and only when the proxy would be used.
    builder = builder.proxy_from_env(env);
    let mut ca_bundle = None;
    if let Some(path) = r.get(CA_BUNDLE) {
        match file::read(Path::new(&path), file::CA_BUNDLE_MAX) {
            Ok(pem) => builder = builder.ca_bundle_pem(pem.to_vec()),
            Err(reason) => r.problems.push(format!(
                "{CA_BUNDLE} names {path}, which cannot be read: {reason}"
            )),
        }
        ca_bundle = Some(path);
    }
    for (name, set) in [
        (
            STARTUP_TIMEOUT,
            InfisicalClientBuilder::startup_deadline as fn(_, _) -> _,
        ),
        (REQUEST_TIMEOUT, InfisicalClientBuilder::request_timeout),
    ] {
        if let Some(text) = r.get(name) {
            match timeout_seconds(&text) {
                Some(duration) => builder = set(builder, duration),
                None => r.problems.push(format!(
                    "{name} `{text}` is not a number of seconds between 0 and 86400"
                )),
            }
        }
    }

    let checked = builder.checked();
    let mut problems = r.problems;
    match checked {
        Ok(client) if problems.is_empty() => return FromEnv::Ready(client),
        Ok(_) => {}
        Err(found) => {
            let vars = Variables {
                url: url_var,
                ca_bundle: ca_bundle.as_deref(),
            };
            problems.extend(
                found
                    .iter()
                    .filter(|p| !(credentials_reported && p.setting == Setting::Credentials))
                    .map(|p| vars.word(p)),
            );
        }
    }
    FromEnv::Invalid(problems)
}

/// The variables the settings came from, for the builder's problems.
struct Variables<'a> {
    /// `INFISICAL_DOMAIN` or `INFISICAL_API_URL`, whichever was read.
    url: &'static str,
    /// The path `INFISICAL_CA_BUNDLE` named.
    ca_bundle: Option<&'a str>,
}

impl Variables<'_> {
    /// A problem of the builder's checks, naming the variable to fix.
    fn word(&self, problem: &SettingProblem) -> String {
        let shown = problem.shown.as_deref().unwrap_or_default();
        let reason = &problem.reason;
        match problem.setting {
            Setting::BaseUrl => format!("{} `{shown}` is not usable: {reason}", self.url),
            Setting::ProjectId => format!(
                "{PROJECT_ID} is not set: set it to the id of the Infisical project (Project Settings) to read secrets from"
            ),
            Setting::TokenFile => {
                format!("{TOKEN_FILE} names {shown}, which cannot be read: {reason}")
            }
            Setting::KubernetesTokenFile => format!(
                "Kubernetes auth: the service-account token {shown} cannot be read ({reason}): run in a pod with a service account, or set {KUBERNETES_TOKEN_PATH}"
            ),
            Setting::Environment => format!(
                "{ENVIRONMENT} `{shown}` is not an environment slug (lowercase letters, digits and `-`)"
            ),
            Setting::SecretPath => format!(
                "{SECRET_PATH} `{shown}` is not a folder path (`/` or `/seg/seg`, segments of [A-Za-z0-9_-])"
            ),
            Setting::CaBundle => match self.ca_bundle {
                Some(path) => format!("{CA_BUNDLE} names {path}: {reason}"),
                None => reason.clone(),
            },
            // Credentials, the proxy (its message names its variable) and the rest.
            Setting::Credentials
            | Setting::Timeouts
            | Setting::MaxResponseBytes
            | Setting::Proxy
            | Setting::Https => format!("Infisical: {reason}"),
        }
    }
}

/// The first complete set of credentials, in the CLI's order: access token, `INFISICAL_TOKEN`,
/// token file, Universal Auth, Kubernetes. A half-set method is reported only when no complete
/// one comes before it.
fn credentials(r: &mut Reader<'_>) -> Option<Credentials> {
    if let Some((_, token)) = r.first(&[UA_ACCESS_TOKEN, TOKEN]) {
        return Some(Credentials::access_token(SecretString::from(token)));
    }
    if let Some(path) = r.get(TOKEN_FILE) {
        if file::is_not_a_path(OsStr::new(&path)) {
            r.problems.push(file::not_a_path(TOKEN_FILE));
            return None;
        }
        return Some(Credentials::TokenFile(PathBuf::from(path)));
    }
    match (r.get(CLIENT_ID), r.get(CLIENT_SECRET)) {
        (Some(client_id), Some(secret)) => {
            return Some(Credentials::UniversalAuth {
                client_id,
                client_secret: SecretString::from(secret),
            });
        }
        (Some(_), None) => {
            r.problems.push(format!(
                "{CLIENT_ID} is set but {CLIENT_SECRET} is not: set both for Universal Auth"
            ));
            return None;
        }
        (None, Some(_)) => {
            r.problems.push(format!(
                "{CLIENT_SECRET} is set but {CLIENT_ID} is not: set both for Universal Auth"
            ));
            return None;
        }
        (None, None) => {}
    }
    let token_path = r.get(KUBERNETES_TOKEN_PATH);
    if let Some((_, identity_id)) = r.first(&[MACHINE_IDENTITY_ID, KUBERNETES_IDENTITY_ID]) {
        if let Some(path) = &token_path
            && file::is_not_a_path(OsStr::new(path))
        {
            r.problems.push(file::not_a_path(KUBERNETES_TOKEN_PATH));
            return None;
        }
        let path = token_path.unwrap_or_else(|| DEFAULT_KUBERNETES_TOKEN_PATH.to_owned());
        return Some(Credentials::Kubernetes {
            identity_id,
            token_path: PathBuf::from(path),
        });
    }
    if token_path.is_some() {
        r.problems.push(format!(
            "{KUBERNETES_TOKEN_PATH} is set but no identity is: set {MACHINE_IDENTITY_ID} for Kubernetes auth"
        ));
        return None;
    }
    r.problems.push(format!(
        "no Infisical credentials: set {CLIENT_ID} and {CLIENT_SECRET} (Universal Auth), or {TOKEN}, {TOKEN_FILE}, or {MACHINE_IDENTITY_ID} (Kubernetes auth)"
    ));
    None
}

#[cfg(test)]
mod tests;
