//! Limits of the transport: size cap, redirects, deadlines, timeouts, resets; and bodies the
//! client must not take at their word.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::fake::*;
use crate::error::StoreErrorKind;
use crate::store::{SecretStore, StoredValue};

#[tokio::test]
async fn a_body_without_a_length_is_cut_at_the_size_cap() {
    // A declared length over the cap is refused before reading (test_faults.rs,
    // a_body_over_the_size_cap_is_refused); a body that only ends when the connection closes
    // is counted as it arrives.
    let server = Server::start({
        let big = listing(&[("A", &"x".repeat(8 * 1024))]);
        move |r| match r.path.as_str() {
            LOGIN => login_ok("tok-1"),
            _ => Answer::Raw(
                format!("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{big}").into_bytes(),
            ),
        }
    })
    .await;
    let client = builder(&server).max_response_bytes(4096).build().unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::InvalidResponse);
    assert!(error.to_string().contains("larger than"), "{error}");
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
