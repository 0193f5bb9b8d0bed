//! An HTTPS front for the fake that offers HTTP/2 as a real server's TLS end does (ALPN `h2`,
//! then `http/1.1`), counting the connections it accepts and what each negotiated.
//!
//! An HTTP/2 connection is served here: each request goes on to the fake over HTTP/1.1 and its
//! answer comes back on the request's stream. An HTTP/1.1 connection is spliced to the fake
//! byte for byte.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::{TcpListener, TcpStream};

use super::relay::{Record, splice, test_certificate};
use super::server::Task;

/// The protocol each accepted connection negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Negotiated {
    Http2,
    Http1,
}

pub(crate) struct H2Front {
    pub(crate) addr: SocketAddr,
    pub(crate) ca_pem: String,
    connections: Arc<Mutex<Vec<Negotiated>>>,
    _task: Task,
}

impl H2Front {
    /// In front of the fake's plain-http port `upstream`.
    pub(crate) async fn start(upstream: SocketAddr) -> Self {
        Self::start_adding(upstream, None).await
    }

    /// The same, adding `header` (name, value) to every HTTP/2 answer: a hostile server.
    pub(crate) async fn start_adding(
        upstream: SocketAddr,
        header: Option<(&'static str, String)>,
    ) -> Self {
        let (config, ca_pem) = test_certificate(vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&connections);
        // The forwarding client speaks plain HTTP, but reqwest asks for the process's provider.
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
        let forward = reqwest::Client::builder().no_proxy().build().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let (acceptor, seen, forward) =
                    (acceptor.clone(), Arc::clone(&seen), forward.clone());
                let header = header.clone();
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                    let negotiated = if h2 {
                        Negotiated::Http2
                    } else {
                        Negotiated::Http1
                    };
                    seen.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(negotiated);
                    if h2 {
                        let service = hyper::service::service_fn(move |request| {
                            forward_to(forward.clone(), upstream, request, header.clone())
                        });
                        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(tls), service)
                            .await;
                    } else if let Ok(plain) = TcpStream::connect(upstream).await {
                        splice(tls, plain, Record::default(), Record::default()).await;
                    }
                });
            }
        });
        Self {
            addr,
            ca_pem,
            connections,
            _task: Task(task),
        }
    }

    /// What every connection accepted so far negotiated, in the order they came.
    pub(crate) fn connections(&self) -> Vec<Negotiated> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// One HTTP/2 request, sent on to the fake over HTTP/1.1; the fake's answer, without the
/// headers HTTP/2 forbids (`connection`, `keep-alive`, `transfer-encoding`).
async fn forward_to(
    http: reqwest::Client,
    upstream: SocketAddr,
    request: Request<Incoming>,
    added: Option<(&'static str, String)>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut upstream_request = http.request(parts.method, format!("http://{upstream}{path}"));
    for (name, value) in &parts.headers {
        upstream_request = upstream_request.header(name, value);
    }
    let Ok(answer) = upstream_request.body(body).send().await else {
        return Ok(Response::builder()
            .status(502)
            .body(Full::default())
            .unwrap());
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !matches!(
            name.as_str(),
            "connection" | "keep-alive" | "transfer-encoding"
        ) {
            response = response.header(name, value);
        }
    }
    if let Some((name, value)) = added {
        response = response.header(name, value);
    }
    let bytes = answer.bytes().await.unwrap_or_default();
    Ok(response.body(Full::new(bytes)).unwrap())
}
