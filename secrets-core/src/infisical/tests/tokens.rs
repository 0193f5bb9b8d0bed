//! Tokens: replaced once when rejected, read again from a file, renewed past half their TTL,
//! replaced by a login near their max TTL.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::future::join_all;
use secrecy::SecretString;

use super::fake::*;
use super::recordings::example;
use crate::error::StoreErrorKind;
use crate::infisical::InfisicalClient;
use crate::store::SecretStore;

#[tokio::test]
async fn an_expired_token_is_replaced_once_for_all_folders() {
    let logins = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&logins);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            login_ok(&format!("tok-{n}"))
        }
        V4 if r.bearer() == Some("tok-1") => recorded("v83-list-raw-expired-token"),
        V4 if r.bearer() == Some("tok-2") => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folders = [prod("/"), prod("/a"), prod("/b")];
    for result in join_all(folders.iter().map(|f| client.fetch(f))).await {
        assert_eq!(value(&result.unwrap(), "A"), "1");
    }
    assert_eq!(logins.load(Ordering::SeqCst), 2);
    // Two lists per folder, and the one probe of the API version (sent with the first login).
    assert_eq!(server.count(V4), 6 + 1);
}

#[tokio::test]
async fn a_token_expired_at_the_jwt_level_is_replaced_too() {
    let logins = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&logins);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok(&format!(
            "tok-{}",
            counter.fetch_add(1, Ordering::SeqCst) + 1
        )),
        V4 if r.bearer() == Some("tok-1") => {
            json(403, &example("error-403-token-expired.json"), &[])
        }
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_token_rejected_after_a_new_login_fails() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => recorded("v63-list-raw-revoked-token"),
    })
    .await;
    let error = client(&server).fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unauthorized);
    assert!(
        error.to_string().contains("No identity access token found"),
        "{error}"
    );
    assert_eq!(server.count(LOGIN), 2);
    assert_eq!(server.count(V4), 2);
    assert_clean(&error);
}

#[tokio::test]
async fn a_service_token_is_sent_as_three_parts_and_never_refreshed() {
    let server = Server::start(|_| recorded("v40-list-raw-garbage-token")).await;
    let client = InfisicalClient::builder()
        .base_url(&server.url)
        .project_id("proj-1")
        .access_token(SecretString::from(format!("st.id.{SENTINEL}.key")))
        .build()
        .unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unauthorized);
    assert_eq!(error.name(), Some("TokenError"));
    let requests = server.requests(V4);
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].bearer(),
        Some(format!("st.id.{SENTINEL}").as_str())
    );
    assert!(!format!("{error} {error:?} {client:?}").contains(SENTINEL));
}

#[tokio::test]
async fn a_token_file_is_read_again_when_its_token_is_rejected() {
    let file = Arc::new(TempFile::new("file-old\n"));
    let path = file.0.clone();
    let server = Server::start(move |r| match r.bearer() {
        Some("file-old") => {
            // The agent rotates the token meanwhile.
            std::fs::write(&path, "file-new").unwrap();
            recorded("v84-list-raw-expired-token-again")
        }
        Some("file-new") => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = InfisicalClient::builder()
        .base_url(&server.url)
        .project_id("proj-1")
        .token_file(&file.0)
        .build()
        .unwrap();
    let folder = client.fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
    assert_eq!(server.count(V4), 2);

    // Unchanged file after a rejection: no new token to try.
    std::fs::write(&file.0, "file-stale").unwrap();
    let server = Server::start(|_| recorded("v63-list-raw-revoked-token")).await;
    let client = InfisicalClient::builder()
        .base_url(&server.url)
        .project_id("proj-1")
        .token_file(&file.0)
        .build()
        .unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unauthorized);
    assert_eq!(server.count(V4), 1);
}

#[tokio::test]
async fn kubernetes_login_sends_the_identity_and_the_service_account_token() {
    let jwt = TempFile::new(&format!("{SENTINEL}\n"));
    let server = Server::start(|r| match r.path.as_str() {
        K8S_LOGIN => login_ok("tok-k8s"),
        V4 if r.bearer() == Some("tok-k8s") => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = InfisicalClient::builder()
        .base_url(&server.url)
        .project_id("proj-1")
        .kubernetes_auth("identity-1")
        .kubernetes_token_path(&jwt.0)
        .build()
        .unwrap();
    client.fetch(&prod("/")).await.unwrap();
    let login: serde_json::Value =
        serde_json::from_str(&server.requests(K8S_LOGIN)[0].body).unwrap();
    assert_eq!(login["identityId"], "identity-1");
    assert_eq!(login["jwt"], SENTINEL);
}

#[tokio::test]
async fn a_token_past_half_its_ttl_is_renewed_once_for_all_folders() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => token_body("tok-1", 60, 3600),
        // A current server: a new token.
        RENEW => token_body("tok-2", 60, 3600),
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    client.fetch(&prod("/")).await.unwrap();
    client.age_token(Duration::from_secs(31)).await;
    let folders = [prod("/"), prod("/a"), prod("/b")];
    for result in join_all(folders.iter().map(|f| client.fetch(f))).await {
        result.unwrap();
    }
    assert_eq!(server.count(RENEW), 1);
    let renew: serde_json::Value = serde_json::from_str(&server.requests(RENEW)[0].body).unwrap();
    assert_eq!(renew, serde_json::json!({ "accessToken": "tok-1" }));
    let bearers: Vec<Option<String>> = server
        .requests(V4)
        .iter()
        .map(|r| r.bearer().map(str::to_owned))
        .collect();
    assert_eq!(bearers[0].as_deref(), Some("tok-1"));
    assert!(bearers[1..].iter().all(|b| b.as_deref() == Some("tok-2")));
    let stats = client.stats();
    assert_eq!((stats.logins, stats.renewals), (1, 1));

    // Renewed just now: used as is.
    client.fetch(&prod("/")).await.unwrap();
    assert_eq!(server.count(RENEW), 1);
}

#[tokio::test]
async fn a_2024_renewal_keeps_the_token_string() {
    let server = Server::start(|r| match r.path.as_str() {
        // A 2024 server renews the same token string (recording v81).
        LOGIN | RENEW => token_body("tok-1", 60, 3600),
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    client.fetch(&prod("/")).await.unwrap();
    client.age_token(Duration::from_secs(31)).await;
    client.fetch(&prod("/")).await.unwrap();
    client.fetch(&prod("/")).await.unwrap();
    assert_eq!(server.count(RENEW), 1);
    assert!(
        server
            .requests(V4)
            .iter()
            .all(|r| r.bearer() == Some("tok-1"))
    );
}

#[tokio::test]
async fn a_refused_renewal_means_a_new_login_not_the_deleted_token() {
    let logins = Arc::new(AtomicUsize::new(0));
    let deleted = Arc::new(AtomicUsize::new(0));
    let (counter, gone) = (Arc::clone(&logins), Arc::clone(&deleted));
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            token_body(&format!("tok-{n}"), 60, 3600)
        }
        // The 2024 server refuses, and deletes the token (v60): using it again fails (v64).
        RENEW => {
            gone.store(1, Ordering::SeqCst);
            recorded("v60-token-renew")
        }
        V4 if r.bearer() == Some("tok-1") && gone.load(Ordering::SeqCst) == 1 => {
            recorded("v64-list-raw-after-failed-renew")
        }
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    client.fetch(&prod("/")).await.unwrap();
    client.age_token(Duration::from_secs(31)).await;
    client.fetch(&prod("/")).await.unwrap();
    assert_eq!(deleted.load(Ordering::SeqCst), 1);
    assert_eq!(logins.load(Ordering::SeqCst), 2);
    let requests = server.requests(V4);
    assert_eq!(requests.len(), 2, "the deleted token is never used");
    assert_eq!(requests[1].bearer(), Some("tok-2"));
    let stats = client.stats();
    assert_eq!((stats.logins, stats.renewals), (2, 1));
}

#[tokio::test]
async fn near_the_max_ttl_the_client_logs_in_instead_of_renewing() {
    let logins = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&logins);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            token_body(&format!("tok-{n}"), 60, 100)
        }
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    client.fetch(&prod("/")).await.unwrap();
    // 31 s in: a renewal would live to 91 s + 60 s, past the 100 s max TTL.
    client.age_token(Duration::from_secs(31)).await;
    client.fetch(&prod("/")).await.unwrap();
    assert_eq!(server.count(RENEW), 0);
    assert_eq!(logins.load(Ordering::SeqCst), 2);
    assert_eq!(server.requests(V4)[1].bearer(), Some("tok-2"));
}

#[tokio::test]
async fn a_renewal_that_fails_for_other_reasons_keeps_the_token() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => token_body("tok-1", 60, 3600),
        RENEW => json(
            503,
            r#"{"statusCode":503,"message":"down","error":"Unavailable"}"#,
            &[],
        ),
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = builder(&server).max_retries(0).build().unwrap();
    client.fetch(&prod("/")).await.unwrap();
    client.age_token(Duration::from_secs(31)).await;
    client.fetch(&prod("/")).await.unwrap();
    assert_eq!(server.count(RENEW), 1);
    assert_eq!(server.count(LOGIN), 1);
    assert!(
        server
            .requests(V4)
            .iter()
            .all(|r| r.bearer() == Some("tok-1"))
    );
}

#[tokio::test]
async fn a_token_file_is_read_again_at_each_load() {
    let file = TempFile::new("file-1");
    let server = Server::start(|r| match r.path.as_str() {
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = InfisicalClient::builder()
        .base_url(&server.url)
        .project_id("proj-1")
        .token_file(&file.0)
        .build()
        .unwrap();
    client.fetch(&prod("/")).await.unwrap();
    std::fs::write(&file.0, "file-2\n").unwrap();
    client.fetch(&prod("/")).await.unwrap();
    let bearers: Vec<Option<String>> = server
        .requests(V4)
        .iter()
        .map(|r| r.bearer().map(str::to_owned))
        .collect();
    assert_eq!(
        bearers,
        [Some("file-1".to_owned()), Some("file-2".to_owned())]
    );
    assert_eq!(client.stats().logins, 0);
}
