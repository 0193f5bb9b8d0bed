//! Section 6: cold loads over HTTPS, where a new connection costs its handshakes: HTTP/2 (the
//! default where the server offers it) against `http1_only()`.
//!
//! On loopback a connection opens at once, so the other sections cannot show what a new one
//! costs over a network: a TCP handshake, then a TLS 1.3 one, a round trip each before the
//! first request. Here a TLS front in front of the fake holds every new connection for two
//! latencies before its handshake, offers `h2` and `http/1.1` (ALPN) as a real server's TLS
//! end does, and passes each request on to the fake, whose answers come after one latency.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use secrets_core::testing::FakeInfisical;
use secrets_core::{InfisicalClient, SecretString};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

use crate::generated::{Folders1, Folders3, Folders10, Generated};
use crate::harness::{CLIENT_ID, CLIENT_SECRET, Server, our_load, seed, time};
use crate::options::Options;
use crate::stats::{Samples, ratio};

const HOST: &str = "infisical.test";

/// One shape's cold loads, each way.
struct HttpsRow {
    folders: usize,
    http2: Samples,
    http1: Samples,
    http2_connections: usize,
    http1_connections: usize,
}

pub(crate) fn over_https(opts: &Options, rt: &Runtime) {
    let data = seed::<Folders10>(seed::<Folders3>(seed::<Folders1>(FakeInfisical::builder())));
    let server = Server::start(opts.latency, data);
    let setup = opts.latency * 2;
    let front = server
        .runtime
        .block_on(Front::start(server.fake.addr(), setup));
    let client = |http1: bool| {
        let builder = InfisicalClient::builder()
            .base_url(format!("https://{HOST}:{}", front.addr.port()))
            .project_id(server.project())
            .universal_auth(CLIENT_ID, SecretString::from(CLIENT_SECRET))
            .ca_bundle_pem(front.ca_pem.clone())
            .resolve(HOST, front.addr);
        let builder = if http1 { builder.http1_only() } else { builder };
        builder.build().expect("secrets-core: https client")
    };
    let rows = vec![
        measure::<Folders1>(opts, rt, &front, &client),
        measure::<Folders3>(opts, rt, &front, &client),
        measure::<Folders10>(opts, rt, &front, &client),
    ];
    print_https(opts, setup, &rows);
}

fn measure<S: Generated>(
    opts: &Options,
    rt: &Runtime,
    front: &Front,
    client: &impl Fn(bool) -> InfisicalClient,
) -> HttpsRow {
    let mut row = HttpsRow {
        folders: S::SPEC
            .keys()
            .iter()
            .filter_map(secrets_core::KeySpec::folder)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        http2: Samples::default(),
        http1: Samples::default(),
        http2_connections: 0,
        http1_connections: 0,
    };
    // The warm-up: the process's first certificate check builds the system's verifier, once.
    for http1 in [false, true] {
        let _: S = rt.block_on(our_load(client(http1)));
    }
    for _ in 0..opts.samples {
        for http1 in [false, true] {
            let before = front.connections();
            let took = time(rt, our_load::<S>(client(http1)));
            let opened = front.connections() - before;
            if http1 {
                row.http1.push(took);
                row.http1_connections = opened;
            } else {
                row.http2.push(took);
                row.http2_connections = opened;
            }
        }
    }
    row
}

fn print_https(opts: &Options, setup: Duration, rows: &[HttpsRow]) {
    println!(
        "## 6. Cold load over HTTPS, where a new connection costs its handshakes\n\n\
         A TLS front before the fake holds each new connection {} ms (a TCP and a TLS 1.3 \
         handshake, a round trip each) and offers HTTP/2 and HTTP/1.1; every request is then \
         answered after {} ms. 10 keys per folder; median (min – max) of {} runs; \
         \"connections\" are the ones a cold load opened.\n",
        setup.as_millis(),
        opts.latency.as_millis(),
        opts.samples
    );
    println!(
        "| folders | HTTP/2 (default) | connections | `http1_only()` | connections | HTTP/2 faster |"
    );
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} | {:.2}x |",
            row.folders,
            row.http2.summary(),
            row.http2_connections,
            row.http1.summary(),
            row.http1_connections,
            ratio(row.http1.median(), row.http2.median()),
        );
    }
    println!();
}

/// The TLS front: `setup` before each handshake, then HTTP/2 served here (each request passed
/// on to the fake over HTTP/1.1) or HTTP/1.1 spliced through.
struct Front {
    addr: SocketAddr,
    ca_pem: String,
    accepted: Arc<AtomicUsize>,
}

impl Front {
    async fn start(upstream: SocketAddr, setup: Duration) -> Self {
        let (config, ca_pem) = certificate();
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("front: bind");
        let addr = listener.local_addr().expect("front: address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        let forward = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("front: client");
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::Relaxed);
                // As a real server's TLS end: small frames go out at once (Nagle's algorithm
                // against the client's delayed ACK would hold each for 40 ms).
                let _ = stream.set_nodelay(true);
                let (acceptor, forward) = (acceptor.clone(), forward.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(setup).await;
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                        let service = hyper::service::service_fn(move |request| {
                            pass_on(forward.clone(), upstream, request)
                        });
                        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                            .serve_connection(TokioIo::new(tls), service)
                            .await;
                    } else if let Ok(mut plain) = TcpStream::connect(upstream).await {
                        let mut tls = tls;
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
        Self {
            addr,
            ca_pem,
            accepted,
        }
    }

    fn connections(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
}

/// One HTTP/2 request, passed on to the fake; its answer without the headers HTTP/2 forbids.
async fn pass_on(
    http: reqwest::Client,
    upstream: SocketAddr,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .unwrap_or_default();
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut sent = http.request(parts.method, format!("http://{upstream}{target}"));
    for (name, value) in &parts.headers {
        sent = sent.header(name, value);
    }
    let Ok(answer) = sent.body(body).send().await else {
        return Ok(Response::builder()
            .status(502)
            .body(Full::default())
            .expect("a 502"));
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
    let bytes = answer.bytes().await.unwrap_or_default();
    Ok(response.body(Full::new(bytes)).expect("a response"))
}

/// A server config for `infisical.test` from a new CA, offering `h2` then `http/1.1`; the
/// CA's certificate as PEM, for the client's bundle.
fn certificate() -> (Arc<rustls::ServerConfig>, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};

    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().expect("server key");
    let params = CertificateParams::new(vec![HOST.to_owned()]).expect("server params");
    let cert = params.signed_by(&key, &issuer).expect("server certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        )
        .expect("server config");
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    (Arc::new(config), ca_cert.pem())
}
