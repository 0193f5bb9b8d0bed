//! The proxy variables: which one is read, when a proxy is used, and that its credentials
//! never show.

use super::*;

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
