//! Zero-config from the Infisical CLI's env var names, and the checks every configuration
//! passes (URL, HTTPS, files).

use std::ffi::OsStr;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use url::{Host, Url};

use super::auth::{Credentials, DEFAULT_KUBERNETES_TOKEN_PATH};
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
pub(crate) fn from_env(env: &Env) -> FromEnv {
    let mut r = Reader {
        env,
        problems: Vec::new(),
    };
    if !CONFIGURING.iter().any(|name| r.is_set(name)) {
        return FromEnv::NotConfigured;
    }
    let mut builder = InfisicalClientBuilder::default();

    if let Some((name, url)) = r.first(&[DOMAIN, API_URL]) {
        match base_url(&url, false) {
            Ok(_) => builder = builder.base_url(url),
            Err(reason) => r.problems.push(format!(
                "{name} `{}` is not usable: {reason}",
                shown_url(&url)
            )),
        }
    }

    if let Some(credentials) = credentials(&mut r) {
        builder = builder.credentials(credentials);
    }

    match r.get(PROJECT_ID) {
        Some(project) => builder = builder.project_id(project),
        None => r.problems.push(format!(
            "{PROJECT_ID} is not set: set it to the id of the Infisical project (Project Settings) to read secrets from"
        )),
    }
    if let Some(environment) = r.get(ENVIRONMENT) {
        if crate::names::is_environment_slug(&environment) {
            builder = builder.environment(environment);
        } else {
            r.problems.push(format!(
                "{ENVIRONMENT} `{environment}` is not an environment slug (lowercase letters, digits and `-`)"
            ));
        }
    }
    if let Some(path) = r.get(SECRET_PATH) {
        let normalised = crate::source::Folder::new("x", &path);
        if crate::names::is_folder_path(normalised.path()) {
            builder = builder.secret_path(path);
        } else {
            r.problems.push(format!(
                "{SECRET_PATH} `{path}` is not a folder path (`/` or `/seg/seg`, segments of [A-Za-z0-9_-])"
            ));
        }
    }
    // Checked by `build`, and only when the proxy would be used.
    builder = builder.proxy_from_env(env);
    if let Some(path) = r.get(CA_BUNDLE) {
        match file::read(Path::new(&path), file::CA_BUNDLE_MAX) {
            Ok(pem) => builder = builder.ca_bundle_pem(pem.to_vec()),
            Err(reason) => r.problems.push(format!(
                "{CA_BUNDLE} names {path}, which cannot be read: {reason}"
            )),
        }
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

    if !r.problems.is_empty() {
        return FromEnv::Invalid(r.problems);
    }
    match builder.build() {
        Ok(client) => FromEnv::Ready(client),
        Err(error) => FromEnv::Invalid(error.configuration_messages()),
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
        return match check_token_file(Path::new(&path)) {
            Ok(()) => Some(Credentials::TokenFile(PathBuf::from(path))),
            Err(reason) => {
                r.problems.push(format!(
                    "{TOKEN_FILE} names {path}, which cannot be read: {reason}"
                ));
                None
            }
        };
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
        return match check_token_file(Path::new(&path)) {
            Ok(()) => Some(Credentials::Kubernetes {
                identity_id,
                token_path: PathBuf::from(path),
            }),
            Err(reason) => {
                r.problems.push(format!(
                    "Kubernetes auth: the service-account token {path} cannot be read ({reason}): run in a pod with a service account, or set {KUBERNETES_TOKEN_PATH}"
                ));
                None
            }
        };
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
mod tests {
    use super::*;
    use crate::infisical::InfisicalClient;
    use crate::store::SecretStore;

    const SECRET: &str = "SENTINEL-4b5d-client-secret";

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn ready(pairs: &[(&str, &str)]) -> InfisicalClient {
        match from_env(&env(pairs)) {
            FromEnv::Ready(client) => client,
            FromEnv::Invalid(problems) => panic!("invalid: {problems:?}"),
            FromEnv::NotConfigured => panic!("not configured"),
        }
    }

    fn invalid(pairs: &[(&str, &str)]) -> Vec<String> {
        match from_env(&env(pairs)) {
            FromEnv::Invalid(problems) => {
                for problem in &problems {
                    assert!(!problem.contains(SECRET), "{problem}");
                }
                problems
            }
            FromEnv::Ready(client) => panic!("ready: {client:?}"),
            FromEnv::NotConfigured => panic!("not configured"),
        }
    }

    fn one_problem_naming(pairs: &[(&str, &str)], names: &[&str]) {
        let problems = invalid(pairs);
        assert_eq!(problems.len(), 1, "{problems:?}");
        for name in names {
            assert!(problems[0].contains(name), "{name} not in {problems:?}");
        }
    }

    fn ua<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut pairs = vec![
            (CLIENT_ID, "client-1"),
            (CLIENT_SECRET, SECRET),
            (PROJECT_ID, "p1"),
        ];
        pairs.extend_from_slice(extra);
        pairs
    }

    fn method(client: &InfisicalClient) -> &'static str {
        client.inner.credentials.method()
    }

    fn bearer(client: &InfisicalClient) -> String {
        match &client.inner.credentials {
            Credentials::AccessToken(t) => secrecy::ExposeSecret::expose_secret(t).to_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nothing_set_is_env_only() {
        assert!(matches!(from_env(&env(&[])), FromEnv::NotConfigured));
        assert!(matches!(
            from_env(&env(&[
                (STARTUP_TIMEOUT, "5"),
                (REQUEST_TIMEOUT, "2"),
                ("OTHER", "x")
            ])),
            FromEnv::NotConfigured
        ));
        // Empty values count as unset.
        assert!(matches!(
            from_env(&env(&[(TOKEN, "  ")])),
            FromEnv::NotConfigured
        ));
        assert!(InfisicalClient::from_env(&env(&[])).unwrap().is_none());
    }

    #[test]
    fn universal_auth_with_scope_and_defaults() {
        let client = ready(&ua(&[(ENVIRONMENT, "prod"), (SECRET_PATH, "/backend/")]));
        assert_eq!(method(&client), "Universal Auth");
        assert_eq!(client.base_url(), DEFAULT_URL);
        assert_eq!(client.project_id(), "p1");
        assert_eq!(client.environment(), Some("prod"));
        assert_eq!(client.default_path(), Some("/backend"));
        let plain = ready(&ua(&[]));
        assert_eq!((plain.environment(), plain.default_path()), (None, None));
        let settings = client.inner.transport.settings();
        assert_eq!(settings.startup_deadline, Duration::from_secs(30));
        assert_eq!(settings.request_timeout, Duration::from_secs(10));
        assert!(!format!("{client:?}").contains(SECRET));
        assert!(InfisicalClient::from_env(&env(&ua(&[]))).unwrap().is_some());
    }

    #[test]
    fn urls_from_either_variable() {
        let client = ready(&ua(&[(DOMAIN, "https://eu.infisical.com/api/")]));
        assert_eq!(client.base_url(), "https://eu.infisical.com");
        let client = ready(&ua(&[(API_URL, "https://self.example/api")]));
        assert_eq!(client.base_url(), "https://self.example");
        let client = ready(&ua(&[
            (DOMAIN, "https://a.example"),
            (API_URL, "https://b.example"),
        ]));
        assert_eq!(client.base_url(), "https://a.example");
        let client = ready(&ua(&[(DOMAIN, "http://127.0.0.1:8080")]));
        assert_eq!(client.base_url(), "http://127.0.0.1:8080");
        one_problem_naming(&ua(&[(DOMAIN, "not a url")]), &[DOMAIN, "not a URL"]);
        one_problem_naming(
            &ua(&[(API_URL, "http://infisical.internal")]),
            &[API_URL, "https://"],
        );
    }

    #[test]
    fn access_tokens_come_first() {
        let client = ready(&[
            (UA_ACCESS_TOKEN, "tok-a"),
            (TOKEN, "tok-b"),
            (PROJECT_ID, "p"),
        ]);
        assert_eq!(bearer(&client), "tok-a");
        let client = ready(&[(TOKEN, "st.id.secret.key"), (PROJECT_ID, "p")]);
        assert_eq!(bearer(&client), "st.id.secret");
        // A complete earlier method wins over a half-set later one.
        let client = ready(&[(TOKEN, "tok-b"), (CLIENT_ID, "c"), (PROJECT_ID, "p")]);
        assert_eq!(method(&client), "access token");
    }

    #[test]
    fn token_file_must_be_readable() {
        let path = std::env::temp_dir().join(format!("secrets-core-config-{}", std::process::id()));
        std::fs::write(&path, "tok\n").unwrap();
        let file = path.to_str().unwrap();
        let client = ready(&[
            (TOKEN_FILE, file),
            (PROJECT_ID, "p"),
            (CLIENT_ID, "ignored"),
        ]);
        assert_eq!(method(&client), "token file");
        std::fs::write(&path, "\n").unwrap();
        one_problem_naming(
            &[(TOKEN_FILE, file), (PROJECT_ID, "p")],
            &[TOKEN_FILE, "empty"],
        );
        std::fs::remove_file(&path).unwrap();
        one_problem_naming(
            &[(TOKEN_FILE, file), (PROJECT_ID, "p")],
            &[TOKEN_FILE, file],
        );
    }

    #[test]
    fn half_universal_auth_names_the_missing_variable() {
        one_problem_naming(&[(CLIENT_ID, "c"), (PROJECT_ID, "p")], &[CLIENT_SECRET]);
        one_problem_naming(&[(CLIENT_SECRET, SECRET), (PROJECT_ID, "p")], &[CLIENT_ID]);
    }

    #[test]
    fn urls_are_shown_without_credentials_query_or_fragment() {
        for (raw, shown) in [
            (
                "https://u:p@x.example/api",
                "https://[REDACTED]@x.example/api",
            ),
            ("u:p@x.example", "[REDACTED]@x.example"),
            (
                "https://x.example/api?token=t#f",
                "https://x.example/api?[REDACTED]",
            ),
            ("https://x.example/#t", "https://x.example/#[REDACTED]"),
            (" https://x.example ", "https://x.example"),
            // An `@` in the query is not the end of credentials.
            ("https://h/?login=ops@SECRET", "https://h/?[REDACTED]"),
            ("https://h/api#a@SECRET", "https://h/api#[REDACTED]"),
            (
                "https://u:p@h/?login=ops@SECRET",
                "https://[REDACTED]@h/?[REDACTED]",
            ),
            // A password holding `/`, `?` or `#` is not shown in part.
            ("https://u:p/w@h/x", "https://[REDACTED]@h/x"),
            ("https://u:p?w@h/x", "https://[REDACTED]?[REDACTED]"),
            (
                "https://h?login=ops@SECRET",
                "https://[REDACTED]?[REDACTED]",
            ),
        ] {
            assert_eq!(shown_url(raw), shown, "{raw}");
        }
        let url = format!("https://admin:{SECRET}@x.example");
        // `invalid` checks that no problem holds the secret.
        one_problem_naming(
            &[(DOMAIN, &url), (TOKEN, "t"), (PROJECT_ID, "p")],
            &[DOMAIN],
        );
    }

    #[test]
    fn a_query_is_not_shown_even_with_an_at_sign() {
        let url = format!("https://h/?login=ops@{SECRET}");
        for problem in invalid(&[(DOMAIN, &url), (TOKEN, "t"), (PROJECT_ID, "p")]) {
            assert!(problem.contains(DOMAIN), "{problem}");
            assert!(problem.contains("https://h/"), "{problem}");
            assert!(!problem.contains("login="), "{problem}");
        }
        let err = InfisicalClient::builder()
            .base_url(&url)
            .project_id("p")
            .access_token(SecretString::from("t"))
            .build()
            .unwrap_err()
            .to_string();
        assert!(!err.contains(SECRET) && !err.contains("login="), "{err}");
        let url = format!("https://ops:{SECRET}@h/?login=ops@{SECRET}");
        let shown = shown_url(&url);
        assert!(!shown.contains(SECRET) && !shown.contains("ops"), "{shown}");
        // The builder's `Debug` shows its URL the same way.
        let shown = format!("{:?}", InfisicalClient::builder().base_url(&url));
        assert!(
            shown.contains("https://[REDACTED]@h/?[REDACTED]"),
            "{shown}"
        );
        assert!(
            !shown.contains(SECRET) && !shown.contains("login="),
            "{shown}"
        );
    }

    fn proxy_of(client: &InfisicalClient) -> Option<String> {
        client.inner.transport.via().map(str::to_owned)
    }

    const REMOTE: (&str, &str) = (DOMAIN, "https://infisical.example");

    #[test]
    fn the_https_proxy_variables_in_curl_order() {
        let all = [
            ("ALL_PROXY", "http://all-upper:1"),
            ("all_proxy", "http://all-lower:1"),
            ("HTTPS_PROXY", "http://https-upper:1"),
            ("https_proxy", "http://https-lower:1"),
        ];
        for skip in 0..all.len() {
            let mut pairs = ua(&[REMOTE]);
            pairs.extend_from_slice(&all[..all.len() - skip]);
            let (name, url) = all[all.len() - skip - 1];
            let via = proxy_of(&ready(&pairs)).expect("a proxy");
            assert!(via.starts_with(url) && via.contains(name), "{via}");
        }
        // HTTP_PROXY is never read.
        let client = ready(&ua(&[
            REMOTE,
            ("HTTP_PROXY", "http://h:1"),
            ("http_proxy", "http://h:1"),
        ]));
        assert_eq!(proxy_of(&client), None);
    }

    #[test]
    fn no_proxy_for_loopback_plain_http_or_listed_hosts() {
        let proxies = [("HTTPS_PROXY", "http://p:1"), ("ALL_PROXY", "http://p:1")];
        for domain in [
            "http://127.0.0.1:8080",
            "https://127.0.0.1:8443",
            "https://localhost:8443",
            "https://[::1]:8443",
        ] {
            let mut pairs = ua(&[(DOMAIN, domain)]);
            pairs.extend_from_slice(&proxies);
            assert_eq!(proxy_of(&ready(&pairs)), None, "{domain}");
        }
        for list in [
            "infisical.example",
            ".example",
            "*",
            "other.test, example",
            "127.0.0.1,infisical.example",
        ] {
            for name in NO_PROXY_VARS {
                let mut pairs = ua(&[REMOTE, (name, list)]);
                pairs.extend_from_slice(&proxies);
                assert_eq!(proxy_of(&ready(&pairs)), None, "{name}={list}");
            }
        }
        for list in ["other.example", "xinfisical.example", "10.0.0.0/8"] {
            let mut pairs = ua(&[REMOTE, ("NO_PROXY", list)]);
            pairs.extend_from_slice(&proxies);
            assert!(proxy_of(&ready(&pairs)).is_some(), "NO_PROXY={list}");
        }
        // The lower-case name wins.
        let mut pairs = ua(&[REMOTE, ("no_proxy", "other.example"), ("NO_PROXY", "*")]);
        pairs.extend_from_slice(&proxies);
        assert!(proxy_of(&ready(&pairs)).is_some());
    }

    #[test]
    fn an_unusable_proxy_is_a_problem_naming_its_variable() {
        for (url, said) in [
            (
                "socks5://127.0.0.1:1080",
                "socks5:// proxies are not supported",
            ),
            ("socks5h://proxy", "not supported"),
            ("ftp://proxy", "unsupported proxy scheme"),
            ("http://", "not a URL"),
        ] {
            for name in HTTPS_PROXY_VARS {
                one_problem_naming(&ua(&[REMOTE, (name, url)]), &[name, said]);
            }
        }
        // Not checked when it would not be used.
        let client = ready(&ua(&[
            (DOMAIN, "http://127.0.0.1:1"),
            ("HTTPS_PROXY", "socks5://p"),
        ]));
        assert_eq!(proxy_of(&client), None);
        ready(&ua(&[
            REMOTE,
            ("HTTPS_PROXY", "socks5://p"),
            ("NO_PROXY", "*"),
        ]));
        // A scheme-less proxy is http://.
        let via = proxy_of(&ready(&ua(&[
            REMOTE,
            ("HTTPS_PROXY", "proxy.internal:3128"),
        ])));
        assert_eq!(
            via.as_deref(),
            Some("http://proxy.internal:3128/ (from HTTPS_PROXY)")
        );
    }

    #[test]
    fn proxy_credentials_are_never_shown() {
        let with_password = format!("http://user:{SECRET}@proxy.internal:3128");
        let client = ready(&ua(&[REMOTE, ("HTTPS_PROXY", &with_password)]));
        let shown = format!("{client:?}");
        assert!(shown.contains("[REDACTED]@proxy.internal:3128"), "{shown}");
        assert!(
            !shown.contains(SECRET) && !shown.contains("user"),
            "{shown}"
        );
        let builder = InfisicalClient::builder().proxy(&with_password);
        let shown = format!("{builder:?}");
        assert!(shown.contains("[REDACTED]@proxy.internal"), "{shown}");
        assert!(!shown.contains(SECRET), "{shown}");
        for bad in [
            format!("socks5://user:{SECRET}@proxy.internal:1080"),
            format!("http://user:{SECRET}@"),
            format!("http://user:{SECRET}@proxy:port"),
        ] {
            // `invalid` checks that no problem holds the secret.
            one_problem_naming(&ua(&[REMOTE, ("ALL_PROXY", &bad)]), &["ALL_PROXY"]);
            let err = InfisicalClient::builder()
                .base_url("https://infisical.example")
                .project_id("p")
                .access_token(SecretString::from("t"))
                .proxy(&bad)
                .build()
                .unwrap_err()
                .to_string();
            assert!(err.contains("proxy(..)") && !err.contains(SECRET), "{err}");
        }
    }

    #[test]
    fn credentials_and_project_need_each_other() {
        one_problem_naming(&[(CLIENT_ID, "c"), (CLIENT_SECRET, SECRET)], &[PROJECT_ID]);
        one_problem_naming(&[(TOKEN, "t")], &[PROJECT_ID]);
        one_problem_naming(
            &[(PROJECT_ID, "p")],
            &["no Infisical credentials", CLIENT_ID, TOKEN],
        );
        // Only a URL, or only a scope: both halves are missing.
        assert_eq!(invalid(&[(DOMAIN, "https://x.example")]).len(), 2);
        assert_eq!(invalid(&[(ENVIRONMENT, "prod")]).len(), 2);
        // The same channel as a load's: a report whose problems are configuration problems.
        let err = InfisicalClient::from_env(&env(&[(PROJECT_ID, "p")])).unwrap_err();
        assert!(!err.problems().is_empty(), "{err}");
        assert!(
            err.problems()
                .iter()
                .all(|p| matches!(p.kind(), crate::ProblemKind::Config(_))),
            "{err}"
        );
    }

    #[test]
    fn kubernetes_auth_from_either_identity_variable() {
        let path = std::env::temp_dir().join(format!("secrets-core-k8s-{}", std::process::id()));
        std::fs::write(&path, "jwt").unwrap();
        let file = path.to_str().unwrap();
        for identity in [MACHINE_IDENTITY_ID, KUBERNETES_IDENTITY_ID] {
            let client = ready(&[
                (identity, "id-1"),
                (KUBERNETES_TOKEN_PATH, file),
                (PROJECT_ID, "p"),
            ]);
            match &client.inner.credentials {
                Credentials::Kubernetes {
                    identity_id,
                    token_path,
                } => assert_eq!(
                    (identity_id.as_str(), token_path.as_path()),
                    ("id-1", path.as_path())
                ),
                other => panic!("{other:?}"),
            }
        }
        std::fs::remove_file(&path).unwrap();
        one_problem_naming(
            &[
                (MACHINE_IDENTITY_ID, "id-1"),
                (KUBERNETES_TOKEN_PATH, file),
                (PROJECT_ID, "p"),
            ],
            &[KUBERNETES_TOKEN_PATH, file],
        );
        one_problem_naming(
            &[(KUBERNETES_TOKEN_PATH, file), (PROJECT_ID, "p")],
            &[MACHINE_IDENTITY_ID],
        );
        if !Path::new(DEFAULT_KUBERNETES_TOKEN_PATH).exists() {
            one_problem_naming(
                &[(MACHINE_IDENTITY_ID, "id-1"), (PROJECT_ID, "p")],
                &[DEFAULT_KUBERNETES_TOKEN_PATH, KUBERNETES_TOKEN_PATH],
            );
        }
    }

    #[test]
    fn scope_values_are_checked() {
        one_problem_naming(&ua(&[(ENVIRONMENT, "Prod")]), &[ENVIRONMENT]);
        one_problem_naming(&ua(&[(SECRET_PATH, "/a b")]), &[SECRET_PATH]);
        assert_eq!(
            ready(&ua(&[(SECRET_PATH, "backend")])).default_path(),
            Some("/backend")
        );
    }

    #[test]
    fn tuning_variables() {
        let client = ready(&ua(&[(STARTUP_TIMEOUT, "2.5"), (REQUEST_TIMEOUT, "3")]));
        let settings = client.inner.transport.settings();
        assert_eq!(settings.startup_deadline, Duration::from_millis(2500));
        assert_eq!(settings.request_timeout, Duration::from_secs(3));
        one_problem_naming(&ua(&[(STARTUP_TIMEOUT, "soon")]), &[STARTUP_TIMEOUT]);
        one_problem_naming(&ua(&[(REQUEST_TIMEOUT, "0")]), &[REQUEST_TIMEOUT]);
    }

    #[test]
    fn timeouts_take_human_durations_too() {
        let client = ready(&ua(&[
            (STARTUP_TIMEOUT, "1m30s"),
            (REQUEST_TIMEOUT, "250ms"),
        ]));
        let settings = client.inner.transport.settings();
        assert_eq!(settings.startup_deadline, Duration::from_secs(90));
        assert_eq!(settings.request_timeout, Duration::from_millis(250));
        one_problem_naming(&ua(&[(STARTUP_TIMEOUT, "25h")]), &[STARTUP_TIMEOUT]);
        one_problem_naming(&ua(&[(REQUEST_TIMEOUT, "0s")]), &[REQUEST_TIMEOUT]);
    }

    #[test]
    fn ca_bundle_must_be_readable_pem() {
        one_problem_naming(&ua(&[(CA_BUNDLE, "/nonexistent/ca.pem")]), &[CA_BUNDLE]);
        let path = std::env::temp_dir().join(format!("secrets-core-ca-{}", std::process::id()));
        std::fs::write(&path, "not a certificate").unwrap();
        let problems = invalid(&ua(&[(CA_BUNDLE, path.to_str().unwrap())]));
        std::fs::remove_file(&path).unwrap();
        assert!(problems[0].contains("CA bundle"), "{problems:?}");
    }

    #[test]
    fn builder_proxy_rules() {
        let code = || {
            InfisicalClient::builder()
                .project_id("p")
                .access_token(SecretString::from("t"))
        };
        let via = |builder: InfisicalClientBuilder| proxy_of(&builder.build().unwrap());
        let remote = code().base_url("https://infisical.example");
        assert_eq!(via(remote), None, "no proxy unless given one");
        let given = code()
            .base_url("https://infisical.example")
            .proxy("http://p:1");
        assert_eq!(via(given).as_deref(), Some("http://p:1/ (from proxy(..))"));
        // Plain http to a remote host (allowed in code) is never proxied either.
        let plain = code()
            .base_url("http://infisical.example")
            .allow_http(true)
            .proxy("http://p:1");
        assert_eq!(via(plain), None);
        // An Env without proxy variables keeps what was given; one with them replaces it.
        let kept = code()
            .base_url("https://infisical.example")
            .proxy("http://p:1")
            .proxy_from_env(&env(&[("HTTP_PROXY", "http://h:1"), ("https_proxy", " ")]));
        assert_eq!(via(kept).as_deref(), Some("http://p:1/ (from proxy(..))"));
        let replaced = code()
            .base_url("https://infisical.example")
            .proxy("http://p:1")
            .proxy_from_env(&env(&[("ALL_PROXY", "http://a:1")]));
        assert_eq!(
            via(replaced).as_deref(),
            Some("http://a:1/ (from ALL_PROXY)")
        );
        let bypassed = code()
            .base_url("https://infisical.example")
            .proxy("http://p:1")
            .no_proxy("example");
        assert_eq!(via(bypassed), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_non_unicode_proxy_variable_is_reported_when_used() {
        use std::ffi::OsString;
        use std::os::unix::ffi::OsStringExt;
        let pairs = |domain: &str| {
            Env::from_pairs([
                (PROJECT_ID.to_owned(), OsString::from("p")),
                (TOKEN.to_owned(), OsString::from("t")),
                (DOMAIN.to_owned(), OsString::from(domain)),
                (
                    "HTTPS_PROXY".to_owned(),
                    OsString::from_vec(vec![0xff, 0xfe]),
                ),
                ("ALL_PROXY".to_owned(), OsString::from("http://a:1")),
            ])
        };
        let FromEnv::Invalid(problems) = from_env(&pairs("https://infisical.example")) else {
            panic!("expected invalid");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.contains("HTTPS_PROXY") && p.contains("UTF-8")),
            "{problems:?}"
        );
        assert!(matches!(
            from_env(&pairs("http://127.0.0.1:1")),
            FromEnv::Ready(_)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn non_unicode_values_are_reported() {
        use std::ffi::OsString;
        use std::os::unix::ffi::OsStringExt;
        let env = Env::from_pairs([
            (PROJECT_ID.to_owned(), OsString::from("p")),
            (TOKEN.to_owned(), OsString::from_vec(vec![0xff, 0xfe])),
        ]);
        let FromEnv::Invalid(problems) = from_env(&env) else {
            panic!("expected invalid");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.contains(TOKEN) && p.contains("UTF-8")),
            "{problems:?}"
        );
    }
}
