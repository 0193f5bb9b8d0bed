//! What a test can inject and where: the fake's routes and the faults it answers them with.

use std::time::Duration;

/// A route of the fake, for counting requests and injecting faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `POST /api/v1/auth/universal-auth/login`.
    UniversalAuthLogin,
    /// `POST /api/v1/auth/kubernetes-auth/login`.
    KubernetesLogin,
    /// `POST /api/v1/auth/token/renew`.
    TokenRenew,
    /// `POST /api/v1/auth/token/revoke`.
    TokenRevoke,
    /// `GET /api/v4/secrets` (counted in both modes; the legacy server answers it `404`).
    ListV4,
    /// `GET /api/v4/secrets/{name}`.
    GetV4,
    /// `GET /api/v3/secrets/raw`.
    ListV3,
    /// `GET /api/v3/secrets/raw/{name}`.
    GetV3,
    /// Any other request: `GET /api/status` and everything the fake does not serve.
    Other,
}

/// A failure to inject on a route, with
/// [`FakeInfisical::fail_next`](super::FakeInfisical::fail_next) or
/// [`FakeInfisical::fail_always`](super::FakeInfisical::fail_always).
///
/// A fault takes effect before authentication: the request is logged and counted, the
/// configured latency applies, then the fault decides the response.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// This HTTP status with an Infisical-shaped JSON error body
    /// (`{"statusCode", "message", "error"}`, plus `reqId` in
    /// [`ServerMode::Current`](super::ServerMode::Current)). A number outside `100..=999` is
    /// sent as `500`.
    Status(u16),
    /// The server's rate-limit answer. Current: `429` `RateLimitExceeded`, "Rate limit
    /// exceeded. Please try again in N seconds", with `retry-after`. Legacy: `500` "Something
    /// went wrong" with `retry-after` and `x-ratelimit-*` headers, as that server really
    /// answered.
    RateLimited {
        /// The value of `retry-after` and of the seconds in the message.
        retry_after_secs: u64,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Any raw response: malformed JSON, an HTML error page from a proxy, an empty body.
    Body {
        /// The HTTP status (outside `100..=999`: `500`).
        status: u16,
        /// The `content-type` header; empty for none.
        content_type: String,
        /// The body, sent as is.
        body: Vec<u8>,
    },
    /// Close the connection without sending a response (a TCP reset where the platform
    /// allows it).
    ResetConnection,
    /// Answer normally, but send the body in small chunks with this pause between them, so a
    /// client with a timeout gives up half way through.
    Trickle {
        /// The pause before each chunk of the body.
        chunk_delay: Duration,
    },
    /// `302 Found` to this location.
    Redirect {
        /// The `location` header.
        location: String,
    },
}
