//! Proxies: the Infisical client reads proxy settings only through the loader's `Env`, never
//! sends a loopback or plain-http target through one, reaches an https target through a
//! `CONNECT` tunnel only (TLS end to end), honours `NO_PROXY`, refuses proxies it cannot use,
//! and never shows a proxy's credentials.
//!
//! Every server here is the test's own, on 127.0.0.0/8: a catcher recording any connection,
//! a `CONNECT` proxy, a TLS terminator for `infisical.test` (a test CA) in front of the fake
//! Infisical.

mod support;

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use support::Sink;
use support::fake::{Identity, no_env};
use support::relay::{ConnectProxy, HOST, ProxyAnswer, TlsTerminator};
use support::server::Server;

use secrets_core::testing::{FakeInfisical, FakeInfisicalBuilder, Route};
use secrets_core::{
    Env, Error, ExposeSecret, InfisicalClient, InfisicalClientBuilder, Loader, ProblemKind,
    SecretString, Secrets,
    spec::{KeySpec, Resolved, StructSpec},
};

const ID: Identity = Identity::new("client-id-proxy", "SENTINEL-client-secret-0c4e");
const VALUE: &str = "SENTINEL-value-81d2";
const PROXY_PASSWORD: &str = "SENTINEL-proxy-password-3b9f";

/// Marks the re-run of one test as the child process of that test.
const CHILD: &str = "SECRETS_CORE_TEST_PROXY_CHILD";

/// Every proxy variable a program may read, in both cases.
const PROXY_VARS: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

#[derive(Debug)]
struct App {
    api_key: SecretString,
}

impl Secrets for App {
    const SPEC: StructSpec = StructSpec::new(
        "App",
        &[KeySpec::new("API_KEY", "api_key").with_env_var("API_KEY")],
    )
    .with_default_environment("prod");

    fn from_resolved(mut resolved: Resolved) -> Result<Self, Error> {
        match resolved.take(0, Ok) {
            Some(api_key) if resolved.is_ok() => Ok(Self { api_key }),
            _ => Err(resolved.into_error()),
        }
    }
}

fn data() -> FakeInfisicalBuilder {
    ID.allow(FakeInfisical::builder().secret("prod", "/", "API_KEY", VALUE))
}

/// A client for `https://infisical.test:PORT` (the TLS terminator's port), trusting the test
/// CA, with the proxy settings of `proxy_env`; `infisical.test` resolves to `resolved_to`.
fn tls_client(
    fake: &FakeInfisical,
    tls: &TlsTerminator,
    proxy_env: &Env,
    resolved_to: SocketAddr,
) -> InfisicalClientBuilder {
    InfisicalClient::builder()
        .base_url(format!("https://{HOST}:{}", tls.addr.port()))
        .project_id(fake.project_id())
        .universal_auth(ID.client_id, SecretString::from(ID.client_secret))
        .ca_bundle_pem(tls.ca_pem.clone())
        .proxy_from_env(proxy_env)
        .resolve(HOST, resolved_to)
}

// ---------------------------------------------------------------------------------------
// Loopback targets never go through a proxy

/// The process environment of a child process holds every proxy variable, pointing at the
/// catcher; the loader reads `INFISICAL_*` from it as in production. Nothing reaches the
/// catcher and the load gets the fake's value.
#[tokio::test]
async fn process_proxy_variables_never_see_a_loopback_load() {
    const NAME: &str = "process_proxy_variables_never_see_a_loopback_load";
    if std::env::var_os(CHILD).is_some() {
        let app = Loader::<App>::new()
            .load()
            .await
            .expect("a load from the process environment");
        assert_eq!(app.api_key.expose_secret(), VALUE);
        return;
    }
    let fake = data().start().await;
    let catcher = Server::catcher().await;
    let proxy = format!("http://{}", catcher.addr());
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env_remove("API_KEY");
    for (name, value) in fake.env_vars() {
        command.env(name, value);
    }
    for name in PROXY_VARS {
        command.env(name, &proxy);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed:\n{stdout}\n{stderr}"
    );
    assert_eq!(catcher.connections(), 0, "a connection reached the proxy");
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
}

/// The same variables in the loader's `Env` map: nothing reaches the catcher.
#[tokio::test]
async fn env_map_proxy_variables_never_see_a_loopback_load() {
    let fake = data().start().await;
    let catcher = Server::catcher().await;
    let proxy = format!("http://{}", catcher.addr());
    let env = Env::from_pairs(
        fake.env_vars()
            .into_iter()
            .chain(PROXY_VARS.map(|name| (name.to_owned(), proxy.clone()))),
    );
    let app = Loader::<App>::new().env(env).load().await.unwrap();
    assert_eq!(app.api_key.expose_secret(), VALUE);
    assert_eq!(catcher.connections(), 0, "a connection reached the proxy");
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
}

/// An `https://` loopback target, with every proxy variable in the loader's `Env` pointing at
/// the catcher: direct all the same.
#[tokio::test]
async fn an_https_loopback_target_never_goes_through_a_proxy() {
    let fake = data().start().await;
    let tls = TlsTerminator::start(fake.addr()).await;
    let catcher = Server::catcher().await;
    let proxy = format!("http://{}", catcher.addr());
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), &tls.ca_pem).unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let domain = format!("https://{host}:{}", tls.addr.port());
        let env = Env::from_pairs(
            fake.env_vars()
                .into_iter()
                .chain(PROXY_VARS.map(|name| (name.to_owned(), proxy.clone())))
                .chain([
                    ("INFISICAL_DOMAIN".to_owned(), domain),
                    (
                        "INFISICAL_CA_BUNDLE".to_owned(),
                        ca.path().to_str().unwrap().to_owned(),
                    ),
                ]),
        );
        let app = Loader::<App>::new().env(env).load().await.unwrap();
        assert_eq!(app.api_key.expose_secret(), VALUE);
    }
    assert_eq!(catcher.connections(), 0, "a connection reached the proxy");
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 2);
    assert!(
        contains(&tls.plain(), VALUE.as_bytes()),
        "not loaded over TLS"
    );
}

// ---------------------------------------------------------------------------------------
// An https target: a CONNECT tunnel, TLS end to end

#[tokio::test]
async fn an_https_load_goes_through_a_connect_tunnel_only() {
    let fake = data().start().await;
    let tls = TlsTerminator::start(fake.addr()).await;
    let proxy = ConnectProxy::start(tls.addr, ProxyAnswer::Tunnel).await;
    // A direct connection to `infisical.test` would land here.
    let catcher = Server::catcher().await;
    let env = Env::from_pairs([("HTTPS_PROXY", format!("http://{}", proxy.addr))]);
    let client = tls_client(&fake, &tls, &env, catcher.addr())
        .build()
        .unwrap();
    let app = Loader::<App>::new()
        .env(no_env())
        .store(client)
        .load()
        .await
        .unwrap();
    assert_eq!(app.api_key.expose_secret(), VALUE);
    assert_eq!(fake.request_count(Route::UniversalAuthLogin), 1);
    assert_eq!(
        catcher.connections(),
        0,
        "the client connected to infisical.test itself"
    );

    // The plain side of the TLS terminator saw the login and the listing...
    let plain = tls.plain();
    let token = access_token(&plain).expect("a login reply with an access token");
    assert!(contains(&plain, ID.client_secret.as_bytes()));
    assert!(contains(&plain, VALUE.as_bytes()));
    // ...while the proxy saw a CONNECT naming the host, then TLS only.
    let heads = proxy.heads();
    assert!(!heads.is_empty());
    let connect = format!("CONNECT {HOST}:{} HTTP/1.1\r\n", tls.addr.port());
    for head in &heads {
        assert!(head.starts_with(&connect), "{head}");
    }
    let tunnels = proxy.tunnels();
    assert_eq!(tunnels.len(), heads.len());
    for (upstream, downstream) in &tunnels {
        assert_eq!(upstream.first(), Some(&0x16), "not a TLS handshake");
        assert_eq!(downstream.first(), Some(&0x16), "not a TLS handshake");
        for bytes in [upstream, downstream] {
            for secret in [
                ID.client_secret.as_bytes(),
                VALUE.as_bytes(),
                token.as_bytes(),
            ] {
                assert!(
                    !contains(bytes, secret),
                    "a secret crossed the proxy in clear"
                );
            }
            assert!(!contains(bytes, b"Authorization"));
            assert!(!contains(bytes, b"/api/"));
        }
    }
}

/// An `https://` proxy URL: TLS to the proxy, and the CONNECT tunnel with TLS to Infisical
/// inside it.
#[tokio::test]
async fn an_https_proxy_url_tunnels_too() {
    let fake = data().start().await;
    let tls = TlsTerminator::start(fake.addr()).await;
    let proxy = ConnectProxy::start(tls.addr, ProxyAnswer::Tunnel).await;
    // TLS in front of the proxy, for `127.0.0.1`.
    let proxy_tls = TlsTerminator::start(proxy.addr).await;
    let catcher = Server::catcher().await;
    let env = Env::from_pairs([(
        "https_proxy",
        format!("https://127.0.0.1:{}", proxy_tls.addr.port()),
    )]);
    let client = tls_client(&fake, &tls, &env, catcher.addr())
        .ca_bundle_pem(format!("{}{}", tls.ca_pem, proxy_tls.ca_pem))
        .build()
        .unwrap();
    let app = Loader::<App>::new()
        .env(no_env())
        .store(client)
        .load()
        .await
        .unwrap();
    assert_eq!(app.api_key.expose_secret(), VALUE);
    assert_eq!(catcher.connections(), 0);
    let connect = format!("CONNECT {HOST}:{} HTTP/1.1\r\n", tls.addr.port());
    assert!(contains(&proxy_tls.plain(), connect.as_bytes()));
    let heads = proxy.heads();
    assert!(!heads.is_empty() && heads.iter().all(|h| h.starts_with(&connect)));
    for (upstream, _) in proxy.tunnels() {
        assert_eq!(upstream.first(), Some(&0x16), "not a TLS handshake");
        assert!(!contains(&upstream, ID.client_secret.as_bytes()));
    }
}

#[tokio::test]
async fn no_proxy_sends_the_load_direct() {
    let fake = data().start().await;
    let tls = TlsTerminator::start(fake.addr()).await;
    let proxy = ConnectProxy::start(tls.addr, ProxyAnswer::Tunnel).await;
    for (name, list) in [
        ("NO_PROXY", HOST),
        ("no_proxy", "*"),
        ("NO_PROXY", "other.example, .test"),
    ] {
        let env = Env::from_pairs([
            ("HTTPS_PROXY".to_owned(), format!("http://{}", proxy.addr)),
            (name.to_owned(), list.to_owned()),
        ]);
        let client = tls_client(&fake, &tls, &env, tls.addr).build().unwrap();
        let app = Loader::<App>::new()
            .env(no_env())
            .store(client)
            .load()
            .await
            .unwrap();
        assert_eq!(app.api_key.expose_secret(), VALUE);
        assert_eq!(proxy.connections(), 0, "{name}={list}: the proxy was used");
    }
    // Without NO_PROXY the same client setup does use the proxy.
    let env = Env::from_pairs([("HTTPS_PROXY", format!("http://{}", proxy.addr))]);
    let client = tls_client(&fake, &tls, &env, tls.addr).build().unwrap();
    Loader::<App>::new()
        .env(no_env())
        .store(client)
        .load()
        .await
        .unwrap();
    assert!(proxy.connections() > 0);
}

#[tokio::test]
async fn a_socks_proxy_for_an_https_target_is_a_configuration_problem() {
    let env = Env::from_pairs([("HTTPS_PROXY", "socks5://127.0.0.1:1080")]);
    let err = InfisicalClient::builder()
        .base_url(format!("https://{HOST}"))
        .project_id("p")
        .access_token(SecretString::from("t"))
        .proxy_from_env(&env)
        .build()
        .unwrap_err();
    assert!(
        matches!(err.problems()[0].kind(), ProblemKind::Config(_)),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.contains("HTTPS_PROXY") && shown.contains("socks5://127.0.0.1:1080"),
        "{shown}"
    );
    assert!(shown.contains("not supported"), "{shown}");

    // Through the loader: a problem naming the variable, before any connection.
    let env = Env::from_pairs([
        ("INFISICAL_DOMAIN", format!("https://{HOST}")),
        (
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_ID",
            ID.client_id.to_owned(),
        ),
        (
            "INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET",
            ID.client_secret.to_owned(),
        ),
        ("INFISICAL_PROJECT_ID", "p".to_owned()),
        ("all_proxy", "socks5h://127.0.0.1:1080".to_owned()),
    ]);
    let err = Loader::<App>::new().env(env).load().await.unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("all_proxy") && shown.contains("socks5h"),
        "{shown}"
    );
    assert!(!shown.contains(ID.client_secret), "{shown}");
}

/// A proxy URL with a password: the proxy gets it (`Proxy-Authorization`), nothing shows it.
#[tokio::test]
async fn proxy_credentials_never_show() {
    let capture = Sink::global();
    let fake = data().start().await;
    let tls = TlsTerminator::start(fake.addr()).await;
    let proxy = ConnectProxy::start(tls.addr, ProxyAnswer::AuthRequired).await;
    let catcher = Server::catcher().await;
    let url = format!("http://proxy-user:{PROXY_PASSWORD}@{}", proxy.addr);
    let builder = tls_client(&fake, &tls, &no_env(), catcher.addr())
        .proxy(&url)
        .max_retries(1)
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(10));
    let shown_builder = format!("{builder:?}");
    let client = builder.build().unwrap();
    let shown_client = format!("{client:?}");
    let err = Loader::<App>::new()
        .env(no_env())
        .store(client)
        .load()
        .await
        .unwrap_err();
    let shown_error = format!("{err}\n{err:?}\n{err:#?}");
    let logs = capture.text();

    // The proxy was asked, with the credentials.
    let heads = proxy.heads();
    assert!(!heads.is_empty());
    let expected = format!(
        "proxy-authorization: basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("proxy-user:{PROXY_PASSWORD}")
        )
        .to_ascii_lowercase()
    );
    assert!(
        heads[0].to_ascii_lowercase().contains(&expected),
        "{}",
        heads[0]
    );
    assert_eq!(catcher.connections(), 0);

    let redacted = format!("http://[REDACTED]@{}", proxy.addr);
    for (what, text) in [
        ("the builder's Debug", &shown_builder),
        ("the client's Debug", &shown_client),
        ("the error", &shown_error),
        ("the logs", &logs),
    ] {
        assert!(text.contains(&redacted), "{what} does not name the proxy");
        assert!(
            !text.contains(PROXY_PASSWORD) && !text.contains("proxy-user"),
            "the proxy's credentials leaked into {what}"
        );
    }
    assert!(shown_error.contains("through the proxy"), "{shown_error}");

    // An unusable proxy URL with credentials: the error shows neither.
    let err = tls_client(&fake, &tls, &no_env(), catcher.addr())
        .proxy(format!(
            "socks5://proxy-user:{PROXY_PASSWORD}@127.0.0.1:1080"
        ))
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("[REDACTED]@127.0.0.1:1080"), "{err}");
    assert!(!err.contains(PROXY_PASSWORD) && !err.contains("proxy-user"));
    assert!(!capture.text().contains(PROXY_PASSWORD));
}

// ---------------------------------------------------------------------------------------
// What the servers saw, and the capture of the process

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The `accessToken` of the first login reply in `plain`.
fn access_token(plain: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(plain);
    let start = text.find("\"accessToken\":\"")? + "\"accessToken\":\"".len();
    let len = text[start..].find('"')?;
    (len > 0).then(|| text[start..start + len].to_owned())
}
