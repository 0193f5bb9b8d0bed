//! A fake Infisical on a raw TCP listener, for the client's own tests: each test says what it
//! answers, byte for byte where a recording decides it, and counts what was asked.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::recordings::raw_recording;
use crate::error::StoreError;
use crate::infisical::{InfisicalClient, InfisicalClientBuilder};
use crate::source::Folder;
use crate::store::{FolderSecrets, StoredSecret, StoredValue};

pub(super) const SENTINEL: &str = "SENTINEL-c1f0e9d8-never-print-me";
pub(super) const LOGIN: &str = "/api/v1/auth/universal-auth/login";
pub(super) const K8S_LOGIN: &str = "/api/v1/auth/kubernetes-auth/login";
pub(super) const V4: &str = "/api/v4/secrets";
pub(super) const V3: &str = "/api/v3/secrets/raw";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub(super) path: String,
    pub(super) query: HashMap<String, String>,
    pub(super) headers: HashMap<String, String>,
    pub(super) body: String,
}

impl Request {
    pub(super) fn bearer(&self) -> Option<&str> {
        self.headers
            .get("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
    }
}

/// What the server does with a request.
pub(super) enum Answer {
    /// These bytes, as they are (a full HTTP response).
    Raw(Vec<u8>),
    /// Wait, then answer.
    Delayed(Duration, Box<Answer>),
    /// Close the connection without answering.
    Close,
}

pub(super) type Handler = Arc<dyn Fn(&Request) -> Answer + Send + Sync>;

pub(super) struct Server {
    pub(super) url: String,
    pub(super) requests: Arc<Mutex<Vec<Request>>>,
}

impl Server {
    pub(super) async fn start(
        handler: impl Fn(&Request) -> Answer + Send + Sync + 'static,
    ) -> Self {
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

    pub(super) fn count(&self, path: &str) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    pub(super) fn requests(&self, path: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

pub(super) async fn serve(mut stream: TcpStream, handler: Handler, seen: Arc<Mutex<Vec<Request>>>) {
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

pub(super) async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
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
pub(super) fn json(status: u16, body: &str, extra: &[(&str, &str)]) -> Answer {
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
pub(super) fn recorded(name: &str) -> Answer {
    Answer::Raw(raw_recording(name).into_bytes())
}

pub(super) fn login_ok(token: &str) -> Answer {
    let body = format!(
        r#"{{"accessToken":"{token}","expiresIn":7200,"accessTokenMaxTTL":86400,"tokenType":"Bearer"}}"#
    );
    json(200, &body, &[])
}

pub(super) fn listing(pairs: &[(&str, &str)]) -> String {
    let secrets: Vec<serde_json::Value> = pairs
        .iter()
        .map(|(k, v)| serde_json::json!({"secretKey": k, "secretValue": v, "type": "shared"}))
        .collect();
    serde_json::json!({"secrets": secrets, "imports": []}).to_string()
}

pub(super) fn builder(server: &Server) -> InfisicalClientBuilder {
    InfisicalClient::builder()
        .base_url(&server.url)
        .project_id("proj-1")
        .environment("prod")
        .universal_auth("client-1", SecretString::from(SENTINEL))
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
}

pub(super) fn client(server: &Server) -> InfisicalClient {
    builder(server).build().unwrap()
}

pub(super) fn prod(path: &str) -> Folder {
    Folder::new("prod", path)
}

pub(super) fn value<'a>(folder: &'a FolderSecrets, key: &str) -> &'a str {
    match folder.get(key).map(StoredSecret::stored_value) {
        Some(StoredValue::Value(v)) => v.expose_secret(),
        other => panic!("{key}: {other:?}"),
    }
}

pub(super) fn assert_clean(error: &StoreError) {
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(SENTINEL), "{shown}");
        assert!(!shown.contains("tok-"), "{shown}");
    }
}

/// A file that is removed when dropped.
pub(super) struct TempFile(pub(super) PathBuf);

impl TempFile {
    pub(super) fn new(content: &str) -> Self {
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

pub(super) const RENEW: &str = "/api/v1/auth/token/renew";

/// A login or renew body for `token` with a TTL and a max TTL in seconds.
pub(super) fn token_body(token: &str, ttl: u64, max_ttl: u64) -> Answer {
    let body = format!(
        r#"{{"accessToken":"{token}","expiresIn":{ttl},"accessTokenMaxTTL":{max_ttl},"tokenType":"Bearer"}}"#
    );
    json(200, &body, &[])
}

/// The `If-None-Match` a request carried.
pub(super) fn if_none_match(request: &Request) -> Option<&str> {
    request.headers.get("if-none-match").map(String::as_str)
}
