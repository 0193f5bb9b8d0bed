//! A raw HTTP/1.1 listener for the one-off shapes the fake Infisical does not make: a canned
//! reply, a body cut short, a reset after some bytes, a connection closed unanswered, and a
//! port nothing listens on. It counts the connections it took and the requests that carried
//! an `Authorization` header, so a test can assert that nothing (or no token) arrived.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the listener does with the n-th connection (from 0).
pub(crate) enum Reply {
    /// Read the request head, write these bytes, then close in order.
    Answer(Vec<u8>),
    /// Read the request head, write these bytes, then reset the connection (`SO_LINGER` 0).
    ResetAfter(Vec<u8>),
    /// Close at once, reading nothing and answering nothing.
    Close,
}

/// Aborts a server task when its handle goes.
pub(crate) struct Task(pub(crate) JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The listener; it stops when dropped. Connections are served one after the other.
pub(crate) struct Server {
    addr: SocketAddr,
    url: String,
    connections: Arc<AtomicUsize>,
    authorizations: Arc<AtomicUsize>,
    _task: Task,
}

impl Server {
    /// Listens on 127.0.0.1 and answers the n-th connection with `reply(n)`.
    pub(crate) async fn start(reply: impl Fn(usize) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_on(Ipv4Addr::LOCALHOST.into(), reply).await
    }

    /// A listener on 127.0.0.2 that closes every connection unanswered: where a request must
    /// never go (a proxy that must not be used, a host that must not be reached), it counts
    /// the ones that went there anyway.
    pub(crate) async fn catcher() -> Self {
        Self::start_on(Ipv4Addr::new(127, 0, 0, 2).into(), |_| Reply::Close).await
    }

    /// Listens on `ip` and answers the n-th connection with `reply(n)`.
    pub(crate) async fn start_on(
        ip: IpAddr,
        reply: impl Fn(usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let authorizations = Arc::new(AtomicUsize::new(0));
        let (count, auth) = (Arc::clone(&connections), Arc::clone(&authorizations));
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let reply = reply(n);
                if matches!(reply, Reply::Close) {
                    drop(stream);
                    continue;
                }
                if read_head(&mut stream)
                    .await
                    .is_some_and(|head| head.to_ascii_lowercase().contains("\r\nauthorization:"))
                {
                    auth.fetch_add(1, Ordering::SeqCst);
                }
                match reply {
                    Reply::Answer(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.shutdown().await;
                    }
                    Reply::ResetAfter(bytes) => {
                        let _ = stream.write_all(&bytes).await;
                        let _ = stream.set_zero_linger();
                    }
                    Reply::Close => {}
                }
            }
        });
        Self {
            addr,
            url: format!("http://{addr}"),
            connections,
            authorizations,
            _task: Task(task),
        }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The connections accepted so far.
    pub(crate) fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The requests so far whose head had an `Authorization` header.
    pub(crate) fn authorizations(&self) -> usize {
        self.authorizations.load(Ordering::SeqCst)
    }
}

/// The request head, read up to the blank line (bounded: 64 KiB, 5 s).
pub(crate) async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let read = async {
        let mut chunk = [0_u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 64 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .ok()??;
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// A whole HTTP/1.1 response: `status` (`"200 OK"`) and a JSON `body`, then close.
pub(crate) fn http_json(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A port on 127.0.0.1 that nothing listens on (it was bound, then released).
pub(crate) fn refused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `http://127.0.0.1:PORT` of [`refused_port`]: every connection is refused.
pub(crate) fn refused_url() -> String {
    format!("http://127.0.0.1:{}", refused_port())
}
