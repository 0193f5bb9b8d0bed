//! What the builder accepts and refuses, and what `Debug` shows of a client.

use std::time::Duration;

use secrecy::SecretString;

use super::fake::*;
use crate::infisical::{InfisicalClient, InfisicalClientBuilder};
use crate::store::SecretStore;

#[test]
fn store_identity_comes_from_the_configuration() {
    let client = InfisicalClient::builder()
        .project_id("p")
        .environment("staging")
        .secret_path("/backend/")
        .access_token(SecretString::from("t"))
        .build()
        .unwrap();
    assert_eq!(client.name(), "Infisical");
    assert_eq!(client.environment(), Some("staging"));
    assert_eq!(client.default_path(), Some("/backend"));
    assert_eq!(client.base_url(), "https://app.infisical.com");
    assert_eq!(client.project_id(), "p");
}

#[test]
fn builder_checks() {
    let base = || {
        InfisicalClient::builder()
            .project_id("p")
            .access_token(SecretString::from("t"))
    };
    let message = |b: InfisicalClientBuilder| b.build().unwrap_err().to_string();
    assert!(message(base().base_url("http://infisical.example.com")).contains("plain http://"));
    assert!(
        base()
            .base_url("http://infisical.example.com")
            .allow_http(true)
            .build()
            .is_ok()
    );
    for url in [
        "http://127.0.0.2:8080",
        "http://[::1]:80/api",
        "http://localhost/",
    ] {
        assert!(base().base_url(url).build().is_ok(), "{url}");
    }
    assert!(message(base().base_url("ftp://x")).contains("unsupported scheme"));
    assert!(message(base().base_url("not a url")).contains("not a URL"));
    assert!(message(base().base_url("https://u:p@x.example")).contains("credentials"));
    assert!(
        message(InfisicalClient::builder().access_token(SecretString::from("t")))
            .contains("no project id")
    );
    assert!(message(InfisicalClient::builder().project_id("p")).contains("no credentials"));
    assert!(message(base().access_token(SecretString::from(" "))).contains("empty"));
    assert!(message(base().environment("Prod")).contains("not a slug"));
    assert!(message(base().secret_path("/a b")).contains("secret path"));
    assert!(message(base().startup_deadline(Duration::ZERO)).contains("above zero"));
    assert!(message(base().ca_bundle_pem(b"garbage".to_vec())).contains("CA bundle"));
    assert!(message(base().token_file("/nonexistent/secrets-core/token")).contains("token file"));
    assert!(
        message(
            base()
                .kubernetes_auth("id")
                .kubernetes_token_path("/nonexistent/k8s/token")
        )
        .contains("service-account token")
    );
}

#[test]
fn base_urls_are_normalised() {
    let cases = [
        ("https://app.infisical.com", "https://app.infisical.com"),
        ("https://app.infisical.com/", "https://app.infisical.com"),
        ("https://app.infisical.com/api", "https://app.infisical.com"),
        (
            "https://app.infisical.com/api/",
            "https://app.infisical.com",
        ),
        (
            "https://x.example:8443/infisical/api",
            "https://x.example:8443/infisical",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ];
    for (raw, base) in cases {
        assert_eq!(
            crate::infisical::config::base_url(raw, false).unwrap().base,
            base,
            "{raw}"
        );
    }
}

#[test]
fn debug_output_never_shows_a_secret() {
    let builder = InfisicalClient::builder()
        .project_id("p")
        .universal_auth("client-1", SecretString::from(SENTINEL));
    let shown = format!("{builder:?}");
    assert!(
        shown.contains("[REDACTED]") && !shown.contains(SENTINEL),
        "{shown}"
    );
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(
        shown.contains("[REDACTED]") && !shown.contains(SENTINEL),
        "{shown}"
    );
    let client = InfisicalClient::builder()
        .project_id("p")
        .access_token(SecretString::from(SENTINEL))
        .build()
        .unwrap();
    assert!(!format!("{client:?} {:?}", client.clone()).contains(SENTINEL));
}

/// Infisical Cloud's hosts over HTTPS are known to serve `/api/v4`; any other server, or a
/// cloud host over plain HTTP (a local stand-in), is asked first.
#[test]
fn only_infisical_cloud_is_known_to_serve_the_current_api() {
    let api_known = |url: &str| {
        InfisicalClient::builder()
            .base_url(url)
            .allow_http(true)
            .project_id("p")
            .access_token(SecretString::from("t"))
            .build()
            .unwrap()
            .api_known()
    };
    for cloud in [
        "https://app.infisical.com",
        "https://APP.Infisical.com/api",
        "https://app.infisical.com:443",
        "https://us.infisical.com",
        "https://eu.infisical.com/",
    ] {
        assert!(api_known(cloud), "{cloud}");
    }
    for other in [
        "https://infisical.example.com",
        "https://app.infisical.com:8443",
        "https://app.infisical.com.example.com",
        "http://app.infisical.com",
        "http://127.0.0.1:8080",
    ] {
        assert!(!api_known(other), "{other}");
    }
}
