//! Servers that forward bytes to another: a counting TCP relay, a TLS terminator for
//! `infisical.test` (a certificate of a test CA) and a `CONNECT` proxy, all on 127.0.0.0/8,
//! each recording what went through it where a test must search it for secrets.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::server::Task;

/// The host name of the TLS terminator's certificate, resolved by the client to the
/// terminator (or to wherever a test points it).
pub(crate) const HOST: &str = "infisical.test";

/// An Infisical Cloud host, which a test's client resolves to a local server.
pub(crate) const CLOUD_HOST: &str = "eu.infisical.com";

/// A TCP relay on 127.0.0.1 in front of the fake that counts the connections the client holds
/// open: one is counted from accept until either side closes it.
pub(crate) struct Relay {
    pub(crate) url: String,
    pub(crate) open: Arc<AtomicUsize>,
}

impl Relay {
    pub(crate) async fn start(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let open = Arc::new(AtomicUsize::new(0));
        let open_count = Arc::clone(&open);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                open_count.fetch_add(1, Ordering::SeqCst);
                let open = Arc::clone(&open_count);
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(target).await {
                        relay(client, server).await;
                    }
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self { url, open }
    }
}

/// Copies both ways until either side closes or fails.
pub(crate) async fn relay(client: TcpStream, server: TcpStream) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    tokio::select! {
        _ = tokio::io::copy(&mut client_read, &mut server_write) => {}
        _ = tokio::io::copy(&mut server_read, &mut client_write) => {}
    }
}

pub(crate) type Record = Arc<Mutex<Vec<u8>>>;

pub(crate) fn read(record: &Record) -> Vec<u8> {
    record
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

/// Copies `from` to `to`, recording every byte, until either side closes.
pub(crate) async fn pipe(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    record: Record,
) {
    let mut buf = vec![0_u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        record
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(&buf[..n]);
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// Pipes `a` and `b` both ways; returns what went a→b and b→a.
pub(crate) async fn splice(
    a: impl AsyncRead + AsyncWrite + Unpin,
    b: impl AsyncRead + AsyncWrite + Unpin,
    forth: Record,
    back: Record,
) {
    let (a_read, a_write) = tokio::io::split(a);
    let (b_read, b_write) = tokio::io::split(b);
    tokio::join!(pipe(a_read, b_write, forth), pipe(b_read, a_write, back));
}

/// TLS for the names of [`test_certificate`] on 127.0.0.1, forwarding the decrypted bytes to
/// `upstream` (the fake's plain-http port) and recording them.
pub(crate) struct TlsTerminator {
    pub(crate) addr: SocketAddr,
    pub(crate) ca_pem: String,
    plain: Record,
    _task: Task,
}

impl TlsTerminator {
    pub(crate) async fn start(upstream: SocketAddr) -> Self {
        let (config, ca_pem) = test_certificate(Vec::new());
        let acceptor = tokio_rustls::TlsAcceptor::from(config);

        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let plain = Record::default();
        let record = Arc::clone(&plain);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let record = Arc::clone(&record);
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(upstream) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    splice(tls, upstream, Arc::clone(&record), record).await;
                });
            }
        });
        Self {
            addr,
            ca_pem,
            plain,
            _task: Task(task),
        }
    }

    /// Every decrypted byte, both ways.
    pub(crate) fn plain(&self) -> Vec<u8> {
        read(&self.plain)
    }
}

/// A server config with a certificate for `infisical.test`, `localhost`, `127.0.0.1` and the
/// Infisical Cloud host [`CLOUD_HOST`] from a new test CA (trusted by a test's client through
/// its CA bundle only), offering `alpn` (empty: no ALPN); and the CA's certificate as PEM.
pub(crate) fn test_certificate(
    alpn: Vec<Vec<u8>>,
) -> (Arc<tokio_rustls::rustls::ServerConfig>, String) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    use tokio_rustls::rustls;

    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "secrets-core test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let names = [HOST, "localhost", "127.0.0.1", CLOUD_HOST].map(str::to_owned);
    let mut params = CertificateParams::new(names.to_vec()).unwrap();
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.signed_by(&key, &issuer).unwrap();

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        )
        .unwrap();
    config.alpn_protocols = alpn;
    (Arc::new(config), ca_cert.pem())
}

#[derive(Clone, Copy)]
pub(crate) enum ProxyAnswer {
    /// `200`, then a tunnel to the target.
    Tunnel,
    /// `407 Proxy Authentication Required`.
    AuthRequired,
}

/// An HTTP proxy on 127.0.0.1 that accepts `CONNECT` only: it records each request head and
/// tunnels to `target` whatever the named host, recording the bytes each way.
pub(crate) struct ConnectProxy {
    pub(crate) addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
    tunnels: Arc<Mutex<Vec<(Record, Record)>>>,
    _task: Task,
}

impl ConnectProxy {
    pub(crate) async fn start(target: SocketAddr, answer: ProxyAnswer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        let (count, seen, piped) = (
            Arc::clone(&connections),
            Arc::clone(&heads),
            Arc::clone(&tunnels),
        );
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let (seen, piped) = (Arc::clone(&seen), Arc::clone(&piped));
                tokio::spawn(async move {
                    let _ = proxy_connection(stream, target, answer, &seen, &piped).await;
                });
            }
        });
        Self {
            addr,
            connections,
            heads,
            tunnels,
            _task: Task(task),
        }
    }

    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub(crate) fn heads(&self) -> Vec<String> {
        self.heads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Per tunnel: the bytes from the client, the bytes to it.
    pub(crate) fn tunnels(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.tunnels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(up, down)| (read(up), read(down)))
            .collect()
    }
}

pub(crate) async fn proxy_connection(
    mut stream: TcpStream,
    target: SocketAddr,
    answer: ProxyAnswer,
    heads: &Mutex<Vec<String>>,
    tunnels: &Mutex<Vec<(Record, Record)>>,
) -> io::Result<()> {
    // The client sends nothing after the head before the answer: read up to the blank line.
    let mut head = Vec::new();
    let mut byte = [0_u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await? == 0 || head.len() > 16 * 1024 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let is_connect = head.starts_with("CONNECT ");
    heads
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(head);
    match answer {
        _ if !is_connect => {
            stream
                .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                .await
        }
        ProxyAnswer::AuthRequired => {
            stream
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                      proxy-authenticate: Basic realm=\"test\"\r\ncontent-length: 0\r\n\r\n",
                )
                .await
        }
        ProxyAnswer::Tunnel => {
            let upstream = TcpStream::connect(target).await?;
            stream
                .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                .await?;
            let (up, down) = (Record::default(), Record::default());
            tunnels
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((Arc::clone(&up), Arc::clone(&down)));
            splice(stream, upstream, up, down).await;
            Ok(())
        }
    }
}
