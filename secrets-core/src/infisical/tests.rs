//! HTTP behaviour against small servers on 127.0.0.1 that answer with recorded (2024-10) or
//! current response bodies.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::join_all;
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::api::tests::{example, raw_recording};
use super::{InfisicalClient, InfisicalClientBuilder};
use crate::error::{StoreError, StoreErrorKind};
use crate::source::Folder;
use crate::store::{FolderSecrets, SecretStore, StoredSecret, StoredValue};

const SENTINEL: &str = "SENTINEL-c1f0e9d8-never-print-me";
const LOGIN: &str = "/api/v1/auth/universal-auth/login";
const K8S_LOGIN: &str = "/api/v1/auth/kubernetes-auth/login";
const V4: &str = "/api/v4/secrets";
const V3: &str = "/api/v3/secrets/raw";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Request {
    path: String,
    query: HashMap<String, String>,
    headers: HashMap<String, String>,
    body: String,
}

impl Request {
    fn bearer(&self) -> Option<&str> {
        self.headers
            .get("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
    }
}

/// What the server does with a request.
enum Answer {
    /// These bytes, as they are (a full HTTP response).
    Raw(Vec<u8>),
    /// Wait, then answer.
    Delayed(Duration, Box<Answer>),
    /// Close the connection without answering.
    Close,
}

type Handler = Arc<dyn Fn(&Request) -> Answer + Send + Sync>;

struct Server {
    url: String,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    async fn start(handler: impl Fn(&Request) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let seen = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                let seen = Arc::clone(&seen);
                tokio::spawn(serve(stream, handler, seen));
            }
        });
        Self { url, requests }
    }

    fn count(&self, path: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    fn requests(&self, path: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

async fn serve(mut stream: TcpStream, handler: Handler, seen: Arc<Mutex<Vec<Request>>>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        seen.lock().unwrap().push(request.clone());
        let mut answer = handler(&request);
        loop {
            match answer {
                Answer::Delayed(wait, next) => {
                    tokio::time::sleep(wait).await;
                    answer = *next;
                }
                Answer::Close => return,
                Answer::Raw(bytes) => {
                    if stream.write_all(&bytes).await.is_err() {
                        return;
                    }
                    break;
                }
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0_u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let target = lines.next()?.split(' ').nth(1)?.to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + 4 + length {
        let mut chunk = [0_u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buffer[head_end + 4..head_end + 4 + length]).into_owned();
    buffer.drain(..head_end + 4 + length);
    let url = url::Url::parse(&format!("http://x{target}")).ok()?;
    Some(Request {
        path: url.path().to_owned(),
        query: url.query_pairs().into_owned().collect(),
        headers,
        body,
    })
}

/// A JSON response with optional extra header lines.
fn json(status: u16, body: &str, extra: &[(&str, &str)]) -> Answer {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in extra {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    Answer::Raw(bytes)
}

/// A recorded 2024-10 response, byte for byte.
fn recorded(name: &str) -> Answer {
    Answer::Raw(raw_recording(name).into_bytes())
}

fn login_ok(token: &str) -> Answer {
    let body = format!(
        r#"{{"accessToken":"{token}","expiresIn":7200,"accessTokenMaxTTL":86400,"tokenType":"Bearer"}}"#
    );
    json(200, &body, &[])
}

fn listing(pairs: &[(&str, &str)]) -> String {
    let secrets: Vec<serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| serde_json::json!({"secretKey": k, "secretValue": v, "type": "shared"}))
        .collect();
    serde_json::json!({"secrets": secrets, "imports": []}).to_string()
}

fn builder(server: &Server) -> InfisicalClientBuilder {
    InfisicalClient::builder()
        .base_url(&server.url)
        .project_id("proj-1")
        .environment("prod")
        .universal_auth("client-1", SecretString::from(SENTINEL))
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
}

fn client(server: &Server) -> InfisicalClient {
    builder(server).build().unwrap()
}

fn prod(path: &str) -> Folder {
    Folder::new("prod", path)
}

fn value<'a>(folder: &'a FolderSecrets, key: &str) -> &'a str {
    match folder.get(key).map(StoredSecret::stored_value) {
        Some(StoredValue::Value(v)) => v.expose_secret(),
        other => panic!("{key}: {other:?}"),
    }
}

fn assert_clean(error: &StoreError) {
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(SENTINEL), "{shown}");
        assert!(!shown.contains("tok-"), "{shown}");
    }
}

/// A file that is removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(content: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "secrets-core-infisical-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, content).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[tokio::test]
async fn universal_auth_login_then_one_v4_list_with_every_flag() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => recorded("v02-ua-login"),
        V4 => json(200, &example("list-secrets-v4-with-imports.json"), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folder = client.fetch(&prod("/backend")).await.unwrap();
    assert_eq!(value(&folder, "LOG_LEVEL"), "info");
    assert_eq!(
        value(&folder, "SENTRY_DSN"),
        "https://otherdummy@o0.ingest.example.invalid/2"
    );
    assert!(matches!(
        folder.get("FEATURE_FLAGS_URL").unwrap().stored_value(),
        StoredValue::UnexpandedReference
    ));

    let login = &server.requests(LOGIN)[0];
    let body: serde_json::Value = serde_json::from_str(&login.body).unwrap();
    assert_eq!(body["clientId"], "client-1");
    assert_eq!(body["clientSecret"], SENTINEL);
    let list = &server.requests(V4)[0];
    let token = serde_json::from_str::<serde_json::Value>(
        raw_recording("v02-ua-login")
            .split("\r\n\r\n")
            .nth(1)
            .unwrap(),
    )
    .unwrap()["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(list.bearer(), Some(token.as_str()));
    let expected: HashMap<String, String> = [
        ("projectId", "proj-1"),
        ("environment", "prod"),
        ("secretPath", "/backend"),
        ("expandSecretReferences", "true"),
        ("includeImports", "true"),
        ("include_imports", "true"),
        ("recursive", "false"),
        ("viewSecretValue", "true"),
        ("includePersonalOverrides", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(list.query, expected);
    assert_eq!(server.count(V3), 0);
}

#[tokio::test]
async fn concurrent_folders_share_one_login_and_list_once_each() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => Answer::Delayed(Duration::from_millis(50), Box::new(login_ok("tok-1"))),
        V4 => json(200, &listing(&[("K", r.query["secretPath"].as_str())]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folders = [prod("/"), prod("/a"), prod("/b"), Folder::new("dev", "/a")];
    let results = join_all(folders.iter().map(|f| client.fetch(f))).await;
    for (folder, result) in folders.iter().zip(results) {
        assert_eq!(value(&result.unwrap(), "K"), folder.path());
    }
    assert_eq!(server.count(LOGIN), 1);
    assert_eq!(server.count(V4), 4);
    // A second load through the same client reuses the token.
    client.fetch(&prod("/")).await.unwrap();
    assert_eq!(server.count(LOGIN), 1);
}

#[tokio::test]
async fn a_503_is_retried_then_succeeds() {
    let calls = AtomicUsize::new(0);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 if calls.fetch_add(1, Ordering::SeqCst) < 2 => json(
            503,
            r#"{"statusCode":503,"message":"busy","error":"ServiceUnavailable"}"#,
            &[],
        ),
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
    assert_eq!(server.count(V4), 3);
}

#[tokio::test]
async fn server_errors_past_the_retry_budget_are_reported() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => json(502, r#"{"message":"bad gateway"}"#, &[]),
    })
    .await;
    let client = builder(&server).max_retries(2).build().unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Server);
    assert_eq!(error.status(), Some(502));
    assert!(
        error.to_string().contains("gave up after 3 attempts"),
        "{error}"
    );
    assert_eq!(server.count(V4), 3);
}

#[tokio::test]
async fn a_plain_500_is_retried_then_succeeds() {
    let calls = AtomicUsize::new(0);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 if calls.fetch_add(1, Ordering::SeqCst) == 0 => json(
            500,
            r#"{"statusCode":500,"message":"Something went wrong","error":"InternalServerError"}"#,
            &[],
        ),
        V4 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(404, "{}", &[]),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
    assert_eq!(server.count(V4), 2);
}

#[tokio::test]
async fn a_failed_login_is_never_retried_and_is_shared_by_the_load() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => recorded("v03-ua-login-wrong-client-secret"),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folders = [prod("/"), prod("/a"), prod("/b")];
    for result in join_all(folders.iter().map(|f| client.fetch(f))).await {
        let error = result.unwrap_err();
        assert_eq!(error.kind(), StoreErrorKind::Unauthorized);
        assert_eq!(error.status(), Some(401));
        assert!(error.to_string().contains("Invalid credentials"), "{error}");
        assert_clean(&error);
    }
    assert_eq!(server.count(LOGIN), 1);
    assert_eq!(server.count(V4), 0);
    // A later load tries again (once).
    client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(server.count(LOGIN), 2);
}

#[tokio::test]
async fn unknown_client_id_on_an_old_server_is_unauthorized() {
    let server = Server::start(|_| recorded("v04-ua-login-unknown-client-id")).await;
    let error = client(&server).fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Unauthorized);
    assert_eq!(error.status(), Some(404));
    assert_eq!(server.count(LOGIN), 1);
}

#[tokio::test]
async fn retry_after_and_try_again_hints_are_honoured() {
    let calls = AtomicUsize::new(0);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => match calls.fetch_add(1, Ordering::SeqCst) {
            // The 2024-10 rate limit: a 500 with Retry-After.
            0 => json(
                500,
                r#"{"statusCode":500,"message":"Something went wrong","error":"InternalServerError"}"#,
                &[("retry-after", "1")],
            ),
            // Current: 429 with the wait in the message only.
            1 => json(
                429,
                r#"{"statusCode":429,"message":"Rate limit exceeded. Please try again in 1 seconds","error":"RateLimitExceeded"}"#,
                &[],
            ),
            _ => json(200, &listing(&[("A", "1")]), &[]),
        },
        _ => json(500, "{}", &[]),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
    assert_eq!(server.count(V4), 3);
}

#[tokio::test]
async fn a_wait_past_the_deadline_is_not_attempted() {
    // The recorded 2024-10 rate limit asks for 60 s; the deadline is 5 s.
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => recorded("v70-ratelimit-exceeded-returns-500"),
    })
    .await;
    let client = builder(&server)
        .startup_deadline(Duration::from_secs(5))
        .build()
        .unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Throttled);
    assert_eq!(error.status(), Some(500));
    assert!(error.to_string().contains("startup deadline"), "{error}");
    assert_eq!(error.retry_after(), Some(Duration::from_mins(1)));
    assert_eq!(server.count(V4), 1);
}

#[tokio::test]
async fn current_rate_limit_past_the_budget_is_throttled() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        _ => json(
            429,
            &example("error-429-rate-limited.json"),
            &[("retry-after", "0")],
        ),
    })
    .await;
    let client = builder(&server).max_retries(1).build().unwrap();
    let error = client.fetch(&prod("/")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::Throttled);
    assert_eq!(error.name(), Some("RateLimitExceeded"));
    assert_eq!(error.req_id(), Some("req-7LmZ3cVq5tXeG2wB"));
    assert_eq!(server.count(V4), 2);
}

#[tokio::test]
async fn an_old_server_is_detected_once_and_asked_v3() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => recorded("v02-ua-login"),
        V4 => recorded("v50-v4-secrets-list"),
        V3 if r.query["environment"] == "staging" => recorded("v20-list-raw-staging-empty"),
        V3 => recorded("v12-list-raw-prod-root-include-imports"),
        _ => json(500, "{}", &[]),
    })
    .await;
    let client = client(&server);
    let folder = client.fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "APP_ENV"), "production");
    assert_eq!(
        value(&folder, "SENTRY_DSN"),
        "https://dummy@sentry.invalid/1"
    );
    assert_eq!(
        folder
            .get("SENTRY_DSN")
            .unwrap()
            .import()
            .map(ToString::to_string)
            .as_deref(),
        Some("prod:/shared")
    );
    // A wrong environment on an old server: an empty folder, not an error.
    let empty = client.fetch(&Folder::new("staging", "/")).await.unwrap();
    assert!(empty.is_empty());
    assert_eq!(server.count(V4), 1);
    assert_eq!(server.count(V3), 2);
    let expected: HashMap<String, String> = [
        ("workspaceId", "proj-1"),
        ("environment", "prod"),
        ("secretPath", "/"),
        ("expandSecretReferences", "true"),
        ("include_imports", "true"),
        ("recursive", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(server.requests(V3)[0].query, expected);
}

#[tokio::test]
async fn an_html_404_also_means_an_old_server() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => {
            let page = "<!DOCTYPE html><html><body>Not found</body></html>";
            Answer::Raw(
                format!(
                    "HTTP/1.1 404 Not Found\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{page}",
                    page.len()
                )
                .into_bytes(),
            )
        }
        V3 => json(200, &listing(&[("A", "1")]), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let folder = client(&server).fetch(&prod("/")).await.unwrap();
    assert_eq!(value(&folder, "A"), "1");
}

#[tokio::test]
async fn a_missing_folder_is_not_found_not_a_missing_route() {
    let server = Server::start(|r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => json(404, &example("error-404-secret-path-not-found.json"), &[]),
        _ => json(500, "{}", &[]),
    })
    .await;
    let error = client(&server).fetch(&prod("/backnd")).await.unwrap_err();
    assert_eq!(error.kind(), StoreErrorKind::NotFound);
    assert_eq!(error.name(), Some("SecretPathNotFound"));
    assert_eq!(error.req_id(), Some("req-4HkD8sNe1yUbJ6oP"));
    assert_eq!(server.count(V3), 0);
}

#[tokio::test]
async fn errors_are_classified_from_recordings() {
    let cases = [
        (
            "v44-list-raw-missing-environment",
            StoreErrorKind::BadRequest,
        ),
        ("v46-list-raw-unknown-workspace", StoreErrorKind::NotFound),
        ("v47-list-raw-bad-bool-param", StoreErrorKind::BadRequest),
        (
            "v86-create-secret-viewer-forbidden",
            StoreErrorKind::Forbidden,
        ),
    ];
    for (name, kind) in cases {
        let server = Server::start(move |r| match r.path.as_str() {
            LOGIN => login_ok("tok-1"),
            V4 => recorded("v50-v4-secrets-list"),
            _ => recorded(name),
        })
        .await;
        let error = client(&server).fetch(&prod("/")).await.unwrap_err();
        assert_eq!(error.kind(), kind, "{name}: {error}");
        // A validation failure is a request bug: no new login.
        assert_eq!(server.count(LOGIN), 1, "{name}");
        assert_clean(&error);
    }
}

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
    assert_eq!(server.count(V4), 6);
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
            super::config::base_url(raw, false).unwrap().base,
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

const RENEW: &str = "/api/v1/auth/token/renew";

/// A login or renew body for `token` with a TTL and a max TTL in seconds.
fn token_body(token: &str, ttl: u64, max_ttl: u64) -> Answer {
    let body = format!(
        r#"{{"accessToken":"{token}","expiresIn":{ttl},"accessTokenMaxTTL":{max_ttl},"tokenType":"Bearer"}}"#
    );
    json(200, &body, &[])
}

/// The `If-None-Match` a request carried.
fn if_none_match(request: &Request) -> Option<&str> {
    request.headers.get("if-none-match").map(String::as_str)
}

#[tokio::test]
async fn an_unchanged_folder_is_answered_304_and_not_parsed_again() {
    let version = Arc::new(AtomicUsize::new(1));
    let current = Arc::clone(&version);
    let server = Server::start(move |r| match r.path.as_str() {
        LOGIN => login_ok("tok-1"),
        V4 => {
            let v = current.load(Ordering::SeqCst);
            let tag = format!("\"v{v}\"");
            if if_none_match(r) == Some(tag.as_str()) {
                Answer::Raw(
                    format!("HTTP/1.1 304 Not Modified\r\netag: {tag}\r\n\r\n").into_bytes(),
                )
            } else {
                json(200, &listing(&[("A", &v.to_string())]), &[("etag", &tag)])
            }
        }
        _ => json(500, "{}", &[]),
    })
    .await;
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
