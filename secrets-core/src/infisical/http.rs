//! One HTTP exchange with bounded retries: backoff with jitter, `Retry-After`, a body size cap,
//! no redirects, and errors that never carry a token.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, ETAG, LOCATION, RETRY_AFTER};
use tokio::time::Instant;
use zeroize::Zeroizing;

use super::classify;
use super::text::{self, ErrorInfo, Redactions};
use crate::error::{StoreCall, StoreError, StoreErrorKind};

/// Timeouts, retries and limits of a client. The defaults are documented on
/// [`InfisicalClientBuilder`](super::InfisicalClientBuilder).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) startup_deadline: Duration,
    pub(crate) max_retries: usize,
    pub(crate) retry_min_delay: Duration,
    pub(crate) retry_max_delay: Duration,
    pub(crate) max_response_bytes: usize,
    /// HTTP/1.1 only, even where the server offers HTTP/2.
    pub(crate) http1_only: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            startup_deadline: Duration::from_secs(30),
            max_retries: 4,
            retry_min_delay: Duration::from_millis(250),
            retry_max_delay: Duration::from_secs(4),
            max_response_bytes: 16 * 1024 * 1024,
            http1_only: false,
        }
    }
}

impl Settings {
    fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.retry_min_delay)
            .with_max_delay(self.retry_max_delay)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(self.max_retries)
            .build()
    }
}

/// Which call an exchange is, for messages and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    Login(&'static str),
    Renew,
    List,
    /// One secret by name.
    Get,
    /// An unauthenticated listing that only learns which secrets routes the server has.
    Probe,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Login(method) => write!(f, "{method} login"),
            Self::Renew => f.write_str("token renewal"),
            Self::List => f.write_str("list secrets"),
            Self::Get => f.write_str("read secret"),
            Self::Probe => f.write_str("API version probe"),
        }
    }
}

impl From<Call> for StoreCall {
    fn from(call: Call) -> Self {
        match call {
            Call::Login(method) => Self::Login { method },
            Call::Renew => Self::Renewal,
            // A key read on its own stands in for the folder's listing.
            Call::List | Call::Get | Call::Probe => Self::List,
        }
    }
}

/// A response read in full (within the size cap). The body is wiped when dropped: it may hold
/// secret values or a token.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    /// The host of a redirect's `Location` (never its path or query).
    pub(crate) location_host: Option<String>,
    pub(crate) is_html: bool,
    /// The `ETag` header, as sent (quotes and `W/` included), when it is short printable ASCII.
    pub(crate) etag: Option<String>,
    pub(crate) body: Zeroizing<Vec<u8>>,
}

impl Reply {
    /// What the error body said, with `redactions` scrubbed from it.
    pub(crate) fn error_info(&self, redactions: &Redactions<'_>) -> ErrorInfo {
        ErrorInfo::parse_redacted(&self.body, self.is_html, redactions)
    }
}

/// How a failed attempt ended.
enum Failure {
    /// Worth another try (connect error, timeout, retryable status), with the wait the server
    /// asked for, if any.
    Retry(StoreError, Option<Duration>),
    /// Final.
    Fatal(StoreError),
}

/// What a client has done so far, counted as it happens; read through
/// [`InfisicalClient::stats`](super::InfisicalClient::stats).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) requests: AtomicU64,
    pub(crate) list_requests: AtomicU64,
    pub(crate) key_requests: AtomicU64,
    pub(crate) not_modified: AtomicU64,
    pub(crate) unchanged: AtomicU64,
    pub(crate) parsed_listings: AtomicU64,
    pub(crate) logins: AtomicU64,
    pub(crate) renewals: AtomicU64,
    pub(crate) probes: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn read(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// The HTTP side of a client: one `reqwest::Client`, the settings and the counters.
pub(crate) struct Transport {
    http: reqwest::Client,
    settings: Settings,
    host: String,
    /// The proxy in use, as shown (credentials redacted), or `None` for a direct connection.
    via: Option<String>,
    counters: Counters,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(
        http: reqwest::Client,
        settings: Settings,
        host: String,
        via: Option<String>,
    ) -> Self {
        Self {
            http,
            settings,
            host,
            via,
            counters: Counters::default(),
        }
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The proxy in use, credentials redacted; `None` for a direct connection.
    pub(crate) fn via(&self) -> Option<&str> {
        self.via.as_deref()
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Sends the request `build` makes, retrying transient failures with exponential backoff
    /// and jitter (or the server's `Retry-After`), never past `deadline`. Returns the first
    /// non-retryable reply, whatever its status. What the server says in a retried reply is
    /// logged and kept with `redactions` scrubbed from it.
    pub(crate) async fn send(
        &self,
        call: Call,
        build: impl Fn() -> reqwest::RequestBuilder,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Result<Reply, StoreError> {
        let mut backoff = self.settings.backoff();
        let mut attempts = 0_usize;
        loop {
            attempts += 1;
            Counters::bump(&self.counters.requests);
            match call {
                Call::List => Counters::bump(&self.counters.list_requests),
                Call::Get => Counters::bump(&self.counters.key_requests),
                Call::Probe => Counters::bump(&self.counters.probes),
                Call::Login(_) | Call::Renew => {}
            }
            let (error, asked) = match self.attempt(build(), redactions).await {
                Ok(reply) => return Ok(reply),
                Err(Failure::Fatal(error)) => return Err(error),
                Err(Failure::Retry(error, asked)) => (error, asked),
            };
            let Some(step) = backoff.next() else {
                return Err(error.gave_up(attempts));
            };
            let wait = asked.unwrap_or(step);
            if crate::time::after(wait) >= deadline {
                let note = format!(
                    "not retried: waiting {} s would pass the startup deadline",
                    wait.as_secs_f32().ceil()
                );
                return Err(error.annotated(&note));
            }
            tracing::warn!(
                target: "secrets_core::infisical",
                call = %call,
                attempt = attempts,
                status = error.status(),
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "Infisical request failed, retrying: {}",
                error.message().unwrap_or_default()
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends the request once, without retries, never past `deadline`: for a request whose
    /// answer is only a hint, which must not hold up the calls that wait for it.
    pub(crate) async fn send_once(
        &self,
        call: Call,
        request: reqwest::RequestBuilder,
        deadline: Instant,
        redactions: &Redactions<'_>,
    ) -> Option<Reply> {
        Counters::bump(&self.counters.requests);
        if call == Call::Probe {
            Counters::bump(&self.counters.probes);
        }
        match tokio::time::timeout_at(deadline, self.attempt(request, redactions)).await {
            Ok(Ok(reply)) => Some(reply),
            Ok(Err(_)) | Err(_) => None,
        }
    }

    async fn attempt(
        &self,
        request: reqwest::RequestBuilder,
        redactions: &Redactions<'_>,
    ) -> Result<Reply, Failure> {
        let response = request.send().await.map_err(|e| {
            let error = self.transport_error(&e);
            // A request that could not be built (a header it cannot hold) fails the same
            // way on every retry.
            if e.is_builder() {
                Failure::Fatal(error)
            } else {
                Failure::Retry(error, None)
            }
        })?;
        let reply = self.read(response).await?;
        if let Some((error, asked)) = classify::retryable(&reply, redactions) {
            return Err(Failure::Retry(error, asked));
        }
        Ok(reply)
    }

    /// Reads the body chunk by chunk, stopping past the size cap.
    async fn read(&self, mut response: reqwest::Response) -> Result<Reply, Failure> {
        let cap = self.settings.max_response_bytes;
        let status = response.status().as_u16();
        let headers = response.headers();
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(text::parse_retry_after);
        let location_host = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| text::clean(&location_host(l, &self.host)));
        let is_html = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("text/html"));
        // An entity tag is an opaque validator: kept only when it is one that can be sent back
        // as `If-None-Match` unchanged.
        let etag = headers
            .get(ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 256 && !v.contains(','))
            .map(str::to_owned);
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > cap as u64) {
            return Err(Failure::Fatal(StoreError::too_large(cap, status)));
        }
        let initial = declared.map_or(8 * 1024, |n| usize::try_from(n).unwrap_or(cap));
        let mut body = Zeroizing::new(Vec::with_capacity(initial.min(cap)));
        loop {
            let chunk = match response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => return Err(Failure::Retry(self.transport_error(&e), None)),
            };
            if body.len() + chunk.len() > cap {
                return Err(Failure::Fatal(StoreError::too_large(cap, status)));
            }
            append(&mut body, &chunk, cap);
        }
        Ok(Reply {
            status,
            retry_after,
            location_host,
            is_html,
            etag,
            body,
        })
    }

    /// A transport failure in our words: never the request URL (it is ours and holds no token,
    /// but the rule is simpler without exceptions) and never a header.
    fn transport_error(&self, error: &reqwest::Error) -> StoreError {
        let cause = innermost(error);
        let message = if error.is_timeout() {
            format!(
                "no answer from {} within {} s",
                self.host,
                self.settings.request_timeout.as_secs_f32()
            )
        } else if let (true, Some(via)) = (error.is_connect(), &self.via) {
            format!(
                "could not connect to {} through the proxy {via}: {cause}",
                self.host
            )
        } else if error.is_connect() {
            format!("could not connect to {}: {cause}", self.host)
        } else {
            format!("request to {} failed: {cause}", self.host)
        };
        StoreError::new(StoreErrorKind::Unreachable, text::clean(&message))
    }
}

/// The largest header list accepted in an HTTP/2 response, decompressed.
#[cfg(feature = "http2")]
const MAX_HTTP2_HEADER_LIST_BYTES: u32 = 16 * 1024;

/// The HTTP client's settings: timeouts, no redirects, extra roots, and no proxy but `proxy`.
pub(crate) fn http_client(
    settings: &Settings,
    ca_bundle_pem: Option<&[u8]>,
    proxy: Option<reqwest::Proxy>,
) -> Result<reqwest::ClientBuilder, String> {
    let mut http = reqwest::Client::builder()
        // Never the system proxy (reqwest reads HTTP_PROXY and the like from the process
        // environment): only the one `proxy_for` decided on, for an https target.
        .no_proxy()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.request_timeout)
        // Never follow a redirect: reqwest would resend the Authorization header to a
        // host of the same origin only, but any redirect means a wrong URL here.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("secrets-core/", env!("CARGO_PKG_VERSION")));
    let http2 = cfg!(feature = "http2") && !settings.http1_only;
    if !http2 {
        http = http.http1_only();
    }
    #[cfg(feature = "http2")]
    {
        // hyper's default today, pinned: a server's response headers (HTTP/2 sends them
        // compressed) are refused past 16 KiB, as HTTP/1.1's are past its header limit.
        http = http.http2_max_header_list_size(MAX_HTTP2_HEADER_LIST_BYTES);
    }
    http = super::tls::configure(http, ca_bundle_pem, http2)?;
    if let Some(proxy) = proxy {
        http = http.proxy(proxy);
    }
    Ok(http)
}

/// Appends without leaving unwiped copies behind: when the buffer must grow, the bytes move to
/// a bigger wiping buffer and the old one is wiped on drop (a plain `Vec` would reallocate and
/// free the old bytes as they are).
fn append(body: &mut Zeroizing<Vec<u8>>, chunk: &[u8], cap: usize) {
    let needed = body.len() + chunk.len();
    if needed > body.capacity() {
        let capacity = needed.max(body.capacity() * 2).min(cap.max(needed));
        let mut bigger = Zeroizing::new(Vec::with_capacity(capacity));
        bigger.extend_from_slice(body);
        *body = bigger;
    }
    body.extend_from_slice(chunk);
}

/// The deepest cause's text, which names the failure (`connection refused`) without the URL.
fn innermost(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The host a `Location` points to; a relative location stays on `own_host`.
fn location_host(location: &str, own_host: &str) -> String {
    match url::Url::parse(location) {
        Ok(url) => url
            .host_str()
            .map_or_else(|| "an unknown host".to_owned(), str::to_owned),
        Err(_) => own_host.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_keeps_bytes_in_order() {
        let mut body = Zeroizing::new(Vec::with_capacity(2));
        for chunk in [&b"ab"[..], b"cde", b"", b"fghij"] {
            append(&mut body, chunk, 64);
        }
        assert_eq!(&body[..], b"abcdefghij");
    }

    #[test]
    fn location_hosts() {
        assert_eq!(
            location_host("https://evil.example/x?token=1", "a"),
            "evil.example"
        );
        assert_eq!(location_host("/elsewhere", "own.example"), "own.example");
    }

    #[test]
    fn annotate_keeps_the_details() {
        let e = StoreError::new(StoreErrorKind::Throttled, "slow down")
            .with_status(429)
            .with_name("RateLimitExceeded")
            .with_req_id("req-1");
        let e = e.annotated("gave up after 5 attempts");
        assert_eq!(e.kind(), StoreErrorKind::Throttled);
        assert_eq!(e.status(), Some(429));
        assert_eq!(e.name(), Some("RateLimitExceeded"));
        assert_eq!(e.req_id(), Some("req-1"));
        assert_eq!(e.message(), Some("slow down (gave up after 5 attempts)"));
        let e = e
            .with_retry_after(Duration::from_secs(7))
            .annotated("again");
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    }

    #[test]
    fn default_backoff_is_bounded() {
        let settings = Settings::default();
        let delays: Vec<Duration> = settings.backoff().collect();
        assert_eq!(delays.len(), settings.max_retries);
        // backon's jitter adds up to 100% of the (capped) step.
        assert!(delays.iter().all(|d| *d <= settings.retry_max_delay * 2));
    }
}
