//! Limits of the transport: size cap, redirects, deadlines, timeouts, resets; and bodies the
//! client must not take at their word.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use secrecy::SecretString;
use tokio::net::TcpListener;

use super::fake::*;
use crate::infisical::InfisicalClient;
use crate::error::StoreErrorKind;
use crate::store::{SecretStore, StoredValue};

#[tokio::test]
async fn oversized_responses_are_refused() {
    let big = listing(&[("A", &"x".repeat(8 * 1024))]);
    let declared = big.clone();
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => json(200, &declared, &[]),
        // No content-length: the body ends when the connection closes.
        V3 => {
            Answer::Raw(format!("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{big}").into_bytes())
        }
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = builder(&server).max_response_bytes(4096).build().unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::InvalidResponse);
    assert!(
        error
            .to_string()
            .contains("response larger than 4096 bytes"),
        "{error}"
    );
    assert_eq!(server.count(V4), 1);

    let server2 = Server::start({
        let big = listing(&[("A", &"x".repeat(8 * 1024))]);
        move |r| match r.path.as_str() {
            LOGIN => login_ok("tok-1"),
            _ => Answer::Raw(
                format!("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{big}").into_bytes(),
            ),
        }
    })
    .await;
    let client = builder(&server2).max_response_bytes(4096).build().unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::InvalidResponse);
    assert!(error.to_string().contains("larger than"), "{error}");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => Answer::Raw(
            b"HTTP/1.1 302 Found\r\nlocation: https://elsewhere.example/api/v4/secrets?x=1\r\ncontent-length: 0\r\n\r\n"
                .to_vec(),
        ),
    })
    .await;
    let error = client(&server).fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::InvalidResponse);
    assert_eq!(error.status(), Some(302));
    let shown = error.to_string();
    assert!(shown.contains("redirected to elsewhere.example"), "{shown}");
    assert!(!shown.contains("x=1"), "{shown}");
    assert_eq!(server.count(V4), 1);
}

#[tokio::test]
async fn the_startup_deadline_bounds_a_slow_server() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => Answer::Delayed(
            Duration::from_secs(5),
            Box::new(json(200, &listing(&[]), &[])),
        ),
    })
    .await;
    let client = builder(&server)
        .startup_deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::DeadlineExceeded);
    assert!(error.to_string().contains("startup deadline"), "{error}");
}

#[tokio::test]
async fn each_load_gets_its_own_deadline() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => json(200, &listing(&[("A", "1")]), &[]),
    })
    .await;
    let client = builder(&server)
        .startup_deadline(Duration::from_millis(400))
        .build()
        .unwrap();
    client.fetch(&prod("/")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Past the first load's deadline: a second load must still work.
    client.fetch(&prod("/")).await.unwrap();
}

#[tokio::test]
async fn request_timeouts_are_retried_then_unreachable() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => Answer::Delayed(
            Duration::from_secs(3),
            Box::new(json(200, &listing(&[]), &[])),
        ),
    })
    .await;
    let client = builder(&server)
        .request_timeout(Duration::from_millis(100))
        .max_retries(1)
        .build()
        .unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unreachable);
    assert!(
        error.to_string().contains("no answer from 127.0.0.1"),
        "{error}"
    );
    assert_eq!(server.count(V4), 2);
}

#[tokio::test]
async fn a_reset_connection_is_retried() {
    let calls = AtomicUsize::new(0);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ if calls.fetch_add(1, Ordering::SeqCst) == 0 => Answer::Close,
        _ => json(200, &listing(&[("A", "1")]), &[]),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
}

#[tokio::test]
async fn a_closed_port_is_unreachable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = InfisicalClient::builder()
        .base_url(url)
        .project_id("proj-1")
        .universal_auth("client-1", SecretString::from(SENTINEL))
        .max_retries(1)
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(5))
        .build()
        .unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unreachable);
    assert!(
        error.to_string().contains("could not connect to 127.0.0.1"),
        "{error}"
    );
    assert_clean(&error);
}

#[tokio::test]
async fn withheld_values_come_back_as_withheld() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => json(
            200,
            r#"{"secrets":[{"secretKey":"H","secretValue":"<hidden-by-infisical>","secretValueHidden":true}],"imports":[]}"#,
            &[],
        ),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert!(matches!(
        folder.get("H").unwrap().stored_value(),
        StoredValue::Withheld
    ));
}

#[tokio::test]
async fn malformed_listings_are_invalid_without_quoting_them() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => json(200, &format!(r#"{{"secrets":"{SENTINEL}"}}"#), &[]),
    })
    .await;
    let error = client(&server).fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::InvalidResponse);
    assert_clean(&error);
}

