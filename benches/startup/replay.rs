//! Pre-rendered responses: a server in front of the fake that answers a request it has seen
//! before with the bytes the fake answered then, after the injected latency.
//!
//! The fake renders every listing from its data on every request (2 ms for 1,000 secrets), so
//! a timing through it counts the server's rendering as if it were the client's work. Through
//! this server a client is timed against a server that only sends: what a load costs the
//! client itself. The first request of each kind (the warm-up) goes to the fake.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One response of the fake, as it was sent.
struct Recorded {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct State {
    upstream: String,
    latency: Duration,
    http: reqwest::Client,
    cache: Mutex<HashMap<String, Arc<Recorded>>>,
    requests: AtomicUsize,
}

/// The replaying server; it stops with the runtime it was started on.
pub(crate) struct Replay {
    url: String,
    state: Arc<State>,
}

impl Replay {
    /// Starts on the current runtime, in front of the server at `upstream`.
    pub(crate) async fn start(upstream: &str, latency: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("replay: bind");
        let url = format!("http://{}", listener.local_addr().expect("replay: address"));
        let state = Arc::new(State {
            upstream: upstream.trim_end_matches('/').to_owned(),
            latency,
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("replay: client"),
            cache: Mutex::new(HashMap::new()),
            requests: AtomicUsize::new(0),
        });
        let accepting = Arc::clone(&state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(Arc::clone(&accepting), stream));
            }
        });
        Self { url, state }
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// Every request received, replayed or not.
    pub(crate) fn requests(&self) -> usize {
        self.state.requests.load(Ordering::Relaxed)
    }
}

/// The requests of one connection, kept alive as reqwest expects.
async fn serve(state: Arc<State>, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut stream = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, target) = (method.to_owned(), target.to_owned());
        let mut headers = Vec::new();
        let mut length = 0;
        loop {
            let mut header = String::new();
            if stream.read_line(&mut header).await.unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_owned());
                if name == "content-length" {
                    length = value.parse().unwrap_or(0);
                }
                // What the fake's answer depends on, besides the request line and the body.
                if matches!(
                    name.as_str(),
                    "authorization" | "content-type" | "if-none-match"
                ) {
                    headers.push((name, value));
                }
            }
        }
        let mut body = vec![0; length];
        if stream.read_exact(&mut body).await.is_err() {
            return;
        }
        state.requests.fetch_add(1, Ordering::Relaxed);
        let response = respond(&state, &method, &target, &headers, body).await;
        tokio::time::sleep(state.latency).await;
        if write(stream.get_mut(), &response).await.is_err() {
            return;
        }
    }
}

/// The recorded answer, or the fake's, recorded.
async fn respond(
    state: &State,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Arc<Recorded> {
    // The token is left out of the key (every client's token is as good as the first one's),
    // but not whether there is one: a request without a token (the client's probe of the API
    // version) is answered `401` by the fake, as by a real server, not with another's listing.
    let conditional = headers
        .iter()
        .find(|(name, _)| name == "if-none-match")
        .map_or("", |(_, value)| value.as_str());
    let authenticated = headers.iter().any(|(name, _)| name == "authorization");
    let key = format!(
        "{method} {target}\n{conditional}\n{authenticated}\n{}",
        String::from_utf8_lossy(&body)
    );
    if let Some(hit) = state.cache.lock().expect("replay cache").get(&key) {
        return Arc::clone(hit);
    }
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("replay: method");
    let mut request = state
        .http
        .request(method, format!("{}{target}", state.upstream))
        .body(body);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let response = request.send().await.expect("replay: the fake answers");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "content-length" | "transfer-encoding" | "connection" | "date"
            )
        })
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                value.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = response.bytes().await.expect("replay: body").to_vec();
    let recorded = Arc::new(Recorded {
        status,
        headers,
        body,
    });
    state
        .cache
        .lock()
        .expect("replay cache")
        .insert(key, Arc::clone(&recorded));
    recorded
}

async fn write(stream: &mut TcpStream, response: &Recorded) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} -\r\ncontent-length: {}\r\n",
        response.status,
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&response.body).await?;
    stream.flush().await
}
