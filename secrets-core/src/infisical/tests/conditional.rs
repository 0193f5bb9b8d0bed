//! Conditional listings: a `304`, the remembered entity tag or an identical untagged body
//! reuses the remembered listing.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::fake::*;
use crate::error::StoreErrorKind;
use crate::store::SecretStore;

/// A server listing `A` = `version`, tagged `"v{version}"`; with `honours_if_none_match` it
/// answers a request carrying the current tag with `304`, else always in full.
async fn tagged(version: &Arc<AtomicUsize>, honours_if_none_match: bool) -> Server {
    let current = Arc::clone(version);
    Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => {
            let v = current.load(Ordering::SeqCst);
            let tag = format!("\"v{v}\"");
            if honours_if_none_match && if_none_match(r) == Some(tag.as_str()) {
                Answer::Raw(
                    format!("HTTP/1.1 304 Not Modified\r\netag: {tag}\r\n\r\n").into_bytes(),
                )
            } else {
                json(200, &listing(&[("A", &v.to_string())]), &[("etag", &tag)])
            }
        }
        _ => json(500, "{}", &[]),
    })
    .await
}

#[tokio::test]
async fn an_unchanged_folder_is_answered_304_and_not_parsed_again() {
    let version = Arc::new(AtomicUsize::new(1));
    let server = tagged(&version, true).await;
    let client = client(&server);
    assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "1");
    let stats = client.stats();
    assert_eq!((stats.parsed_listings, stats.not_modified), (1, 0));

    for _ in 0..2 {
        assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "1");
    }
    let stats = client.stats();
    assert_eq!((stats.parsed_listings, stats.not_modified), (1, 2));
    let sent: Vec<Option<String>> = server
        .requests(V4)
        .iter()
        .map(|r| if_none_match(r).map(str::to_owned))
        .collect();
    assert_eq!(sent, [None, Some("\"v1\"".into()), Some("\"v1\"".into())]);

    // Another folder has its own tag; a change is parsed.
    client.fetch(&prod("/other")).await.unwrap();
    assert_eq!(if_none_match(&server.requests(V4)[3]), None);
    version.store(2, Ordering::SeqCst);
    assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "2");
    let stats = client.stats();
    assert_eq!((stats.parsed_listings, stats.not_modified), (3, 2));
    assert_eq!(
        (stats.list_requests, stats.logins, stats.renewals),
        (5, 1, 0)
    );
    assert_eq!(stats.requests, 6);
}

#[tokio::test]
async fn without_an_etag_an_identical_body_is_not_parsed_again() {
    let value_now = Arc::new(Mutex::new("1"));
    let current = Arc::clone(&value_now);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => json(200, &listing(&[("A", *current.lock().unwrap())]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    for _ in 0..3 {
        assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "1");
    }
    *value_now.lock().unwrap() = "2";
    assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "2");
    let stats = client.stats();
    assert_eq!(
        (
            stats.parsed_listings,
            stats.unchanged_listings,
            stats.not_modified
        ),
        (2, 2, 0)
    );
    assert!(
        server
            .requests(V4)
            .iter()
            .all(|r| if_none_match(r).is_none())
    );
}

/// A server (or a proxy) that drops `If-None-Match` answers every listing in full: the same
/// entity tag still says the folder is the one remembered, a new tag that it changed.
#[tokio::test]
async fn a_full_listing_with_the_remembered_etag_is_not_parsed_again() {
    let version = Arc::new(AtomicUsize::new(1));
    let server = tagged(&version, false).await;
    let client = client(&server);
    for _ in 0..3 {
        assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "1");
    }
    version.store(2, Ordering::SeqCst);
    assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "2");
    assert_eq!(value(&client.fetch(&prod("/")).await.unwrap(), "A"), "2");
    let stats = client.stats();
    assert_eq!(
        (
            stats.parsed_listings,
            stats.unchanged_listings,
            stats.not_modified
        ),
        (2, 3, 0)
    );
}

#[tokio::test]
async fn a_304_to_an_unconditional_listing_is_invalid() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => Answer::Raw(b"HTTP/1.1 304 Not Modified\r\netag: \"x\"\r\n\r\n".to_vec()),
    })
    .await;
    let error = client(&server).fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::InvalidResponse);
    assert_eq!(error.status(), Some(304));
}
