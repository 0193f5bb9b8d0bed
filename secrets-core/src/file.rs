//! The one capped, non-blocking reader for every file the library reads: secret files (`_FILE`
//! variables, the secrets directory), the `.env` file, token files and a CA bundle. Their
//! limits are here, side by side, and nothing else in the library opens a file.
//!
//! A path given by the environment can name anything: a device that never ends (`/dev/zero`),
//! a FIFO nobody writes to, a log file of gigabytes. So every read here:
//! - refuses what is not a regular file once symlinks are followed, before reading a byte;
//! - opens without blocking on a FIFO (on unix, `O_NONBLOCK`), then checks the opened handle
//!   again, so a file swapped between the check and the open is caught too;
//! - reads at most `cap + 1` bytes whatever the metadata says, into buffers wiped on drop;
//! - runs on a thread of its own when the caller is async ([`read_off_thread`]), so a slow disk
//!   never stalls a runtime worker.

use std::ffi::OsStr;
use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use zeroize::Zeroizing;

/// The largest secret file (a `_FILE` variable's file, a file of the secrets directory): 1 MiB.
pub(crate) const SECRET_FILE_MAX: u64 = 1024 * 1024;
/// The largest token file (`INFISICAL_TOKEN_FILE`, the Kubernetes service-account token): 64 KiB.
pub(crate) const TOKEN_FILE_MAX: u64 = 64 * 1024;
/// The largest CA bundle (`INFISICAL_CA_BUNDLE`): 4 MiB.
pub(crate) const CA_BUNDLE_MAX: u64 = 4 * 1024 * 1024;
/// The largest `.env` file ([`Loader::dotenv`](crate::Loader::dotenv)): 1 MiB, as for a secret
/// file, since it holds secrets the same way.
pub(crate) const DOTENV_MAX: u64 = SECRET_FILE_MAX;

/// Why a file was not read. Displays as the reason alone ("is a FIFO"); the caller names the
/// path and the variable. Never holds any of the file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FileError {
    /// Nothing at the path (or a symlink to nothing).
    NotFound,
    /// Not a regular file: "is a directory", "is a FIFO", ...
    NotRegular(&'static str),
    /// More than the cap.
    TooLarge(u64),
    /// Any other failure to open or read (permission denied, ...).
    Io(ErrorKind),
    /// Read, but not UTF-8 text where text was expected ([`read_secret`]).
    NotUnicode,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("no such file"),
            Self::NotRegular(what) => f.write_str(what),
            Self::TooLarge(cap) => write!(f, "larger than {cap} bytes"),
            Self::Io(kind) => write!(f, "{kind}"),
            Self::NotUnicode => f.write_str("not UTF-8"),
        }
    }
}

impl From<std::io::Error> for FileError {
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            ErrorKind::NotFound => Self::NotFound,
            kind => Self::Io(kind),
        }
    }
}

/// Whether a variable meant to hold a path holds a bare word instead: no path separator at
/// all. Together with "no such file" it is most likely a value pasted by mistake, which must
/// then not be shown.
pub(crate) fn is_bare_word(raw: &OsStr) -> bool {
    !raw.as_encoded_bytes()
        .iter()
        .any(|&b| b.is_ascii() && std::path::is_separator(char::from(b)))
}

/// Whether `raw`, the content of a variable meant to name a file, is plainly not a path: a
/// bare word (see [`is_bare_word`]) naming nothing.
pub(crate) fn is_not_a_path(raw: &OsStr) -> bool {
    is_bare_word(raw) && matches!(std::fs::metadata(raw), Err(e) if e.kind() == ErrorKind::NotFound)
}

/// The problem with a variable that [`is_not_a_path`], in words that never show its content.
pub(crate) fn not_a_path(var: &str) -> String {
    format!(
        "{var} does not hold a path (no `/` and no such file): it looks like a value pasted by mistake"
    )
}

/// Checks `path` without reading it: it exists, is a regular file once symlinks are followed,
/// and is at most `cap` bytes long.
pub(crate) fn check(path: &Path, cap: u64) -> Result<(), FileError> {
    check_metadata(&std::fs::metadata(path)?, cap)
}

/// Reads `path` whole: a regular file of at most `cap` bytes, else the reason. Blocks the
/// calling thread for as long as the file system takes, never on a FIFO or a device.
pub(crate) fn read(path: &Path, cap: u64) -> Result<Zeroizing<Vec<u8>>, FileError> {
    // The check before opening keeps devices from being opened at all (opening some has side
    // effects); the check of the opened handle catches a swap in between.
    check(path, cap)?;
    let file = open(path)?;
    let meta = file.metadata()?;
    check_metadata(&meta, cap)?;
    read_capped(file, meta.len(), cap)
}

/// [`read`] on a thread of its own, so that an async caller's worker is never blocked; works
/// under any executor. The caller bounds the wait (a startup deadline) where it has one.
pub(crate) async fn read_off_thread(
    path: PathBuf,
    cap: u64,
) -> Result<Zeroizing<Vec<u8>>, FileError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("secrets-core-file".to_owned())
        .spawn(move || {
            // The receiver is gone only when the caller gave up waiting; the buffer is wiped.
            let _ = tx.send(read(&path, cap));
        })?;
    rx.await
        .unwrap_or(Err(FileError::Io(ErrorKind::Interrupted)))
}

/// Reads a secret file (a `_FILE` variable's, or one of the secrets directory) as text, at most
/// [`SECRET_FILE_MAX`] bytes, off the runtime's threads. A single trailing newline (`\n` or
/// `\r\n`) is dropped, as `echo` and editors add one; any other whitespace is the value's.
pub(crate) async fn read_secret(path: PathBuf) -> Result<SecretString, FileError> {
    let bytes = read_off_thread(path, SECRET_FILE_MAX).await?;
    secret_text(&bytes)
}

/// The value a secret file's `bytes` hold: see [`read_secret`].
fn secret_text(bytes: &[u8]) -> Result<SecretString, FileError> {
    let mut text = std::str::from_utf8(bytes).map_err(|_| FileError::NotUnicode)?;
    if let Some(rest) = text.strip_suffix('\n') {
        text = rest.strip_suffix('\r').unwrap_or(rest);
    }
    Ok(SecretString::from(text))
}

fn check_metadata(meta: &Metadata, cap: u64) -> Result<(), FileError> {
    let file_type = meta.file_type();
    if file_type.is_dir() {
        return Err(FileError::NotRegular("is a directory"));
    }
    if !file_type.is_file() {
        return Err(FileError::NotRegular(special_kind(meta)));
    }
    if meta.len() > cap {
        return Err(FileError::TooLarge(cap));
    }
    Ok(())
}

#[cfg(unix)]
fn special_kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let file_type = meta.file_type();
    if file_type.is_fifo() {
        "is a FIFO"
    } else if file_type.is_char_device() {
        "is a character device"
    } else if file_type.is_block_device() {
        "is a block device"
    } else if file_type.is_socket() {
        "is a socket"
    } else {
        "is not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &Metadata) -> &'static str {
    "is not a regular file"
}

/// Opens for reading; on unix without waiting for a writer should the path be a FIFO by now.
fn open(path: &Path) -> Result<File, FileError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    Ok(options.open(path)?)
}

/// Reads at most `cap + 1` bytes: one more than allowed is enough to refuse, whatever the
/// metadata said (`expected`). Every buffer, grown or final, is wiped when dropped.
fn read_capped(file: File, expected: u64, cap: u64) -> Result<Zeroizing<Vec<u8>>, FileError> {
    let limit = cap.saturating_add(1);
    let limit_len = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut reader = file.take(limit);
    // Room for the expected length and the byte that proves the end, so that a file matching
    // its metadata is read without growing (growing copies the bytes, into wiped buffers).
    let expected = usize::try_from(expected.saturating_add(1)).unwrap_or(usize::MAX);
    let mut buf = Zeroizing::new(vec![0u8; expected.max(512).min(limit_len)]);
    let mut len = 0;
    loop {
        if len == buf.len() {
            if len >= limit_len {
                break;
            }
            let mut grown = Zeroizing::new(vec![0u8; len.saturating_mul(2).min(limit_len)]);
            grown[..len].copy_from_slice(&buf[..len]);
            buf = grown;
        }
        match reader.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    if u64::try_from(len).unwrap_or(u64::MAX) > cap {
        return Err(FileError::TooLarge(cap));
    }
    buf.truncate(len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "secrets-core-file-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn regular_files_are_read_whole_up_to_the_cap() {
        let dir = temp_dir("regular");
        let path = dir.join("f");
        std::fs::write(&path, b"abc\n").unwrap();
        assert_eq!(&read(&path, 4).unwrap()[..], b"abc\n");
        assert_eq!(read(&path, 3), Err(FileError::TooLarge(3)));
        assert_eq!(check(&path, 4), Ok(()));
        assert_eq!(check(&path, 3), Err(FileError::TooLarge(3)));
        std::fs::write(&path, b"").unwrap();
        assert!(read(&path, 4).unwrap().is_empty());
        assert_eq!(read(&dir.join("none"), 4), Err(FileError::NotFound));
        assert_eq!(read(&dir, 4), Err(FileError::NotRegular("is a directory")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_cap_holds_when_the_metadata_understates_the_length() {
        let dir = temp_dir("understated");
        let path = dir.join("f");
        std::fs::write(&path, vec![b'x'; 10_000]).unwrap();
        // The file grew after its length was taken: the cap still holds, by reading.
        let file = File::open(&path).unwrap();
        assert_eq!(read_capped(file, 0, 4096), Err(FileError::TooLarge(4096)));
        let file = File::open(&path).unwrap();
        assert_eq!(read_capped(file, 0, 10_000).unwrap().len(), 10_000);
        let file = File::open(&path).unwrap();
        assert_eq!(read_capped(file, 0, 9_999), Err(FileError::TooLarge(9_999)));
        // Metadata that overstates the length does not make the buffer larger than the cap.
        let file = File::open(&path).unwrap();
        assert_eq!(read_capped(file, u64::MAX, 10_000).unwrap().len(), 10_000);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_secret_file_loses_one_trailing_newline_only() {
        use secrecy::ExposeSecret;
        let text = |bytes: &[u8]| secret_text(bytes).map(|s| s.expose_secret().to_owned());
        assert_eq!(text(b"value\n").unwrap(), "value");
        assert_eq!(text(b"value\r\n").unwrap(), "value");
        assert_eq!(text(b"value\n\n").unwrap(), "value\n");
        assert_eq!(text(b" value ").unwrap(), " value ");
        assert_eq!(text(b"\xff\n").unwrap_err(), FileError::NotUnicode);
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(FileError::NotFound.to_string(), "no such file");
        assert_eq!(
            FileError::TooLarge(65536).to_string(),
            "larger than 65536 bytes"
        );
        assert_eq!(FileError::NotRegular("is a FIFO").to_string(), "is a FIFO");
        assert_eq!(
            FileError::Io(ErrorKind::PermissionDenied).to_string(),
            "permission denied"
        );
        assert_eq!(FileError::NotUnicode.to_string(), "not UTF-8");
    }

    #[test]
    fn bare_words_have_no_separator() {
        assert!(is_bare_word(OsStr::new("postgres:secret@db")));
        assert!(is_bare_word(OsStr::new("token.txt")));
        assert!(!is_bare_word(OsStr::new("/run/secrets/db")));
        assert!(!is_bare_word(OsStr::new("./token")));
        assert!(is_not_a_path(OsStr::new("st.pasted-token-4c1e")));
        assert!(!is_not_a_path(OsStr::new("/nonexistent/token")));
        // A bare word that names a file in the working directory is a path.
        assert!(!is_not_a_path(OsStr::new("Cargo.toml")));
        let message = not_a_path("X_FILE");
        assert!(
            message.starts_with("X_FILE does not hold a path"),
            "{message}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn devices_fifos_and_sockets_are_refused_before_reading() {
        let dir = temp_dir("special");
        assert_eq!(
            read(Path::new("/dev/zero"), SECRET_FILE_MAX),
            Err(FileError::NotRegular("is a character device"))
        );
        let fifo = dir.join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // No writer: a blocking open would never return.
        assert_eq!(
            read(&fifo, SECRET_FILE_MAX),
            Err(FileError::NotRegular("is a FIFO"))
        );
        let socket = dir.join("socket");
        let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        assert_eq!(
            read(&socket, SECRET_FILE_MAX),
            Err(FileError::NotRegular("is a socket"))
        );
        let link = dir.join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert_eq!(
            check(&link, SECRET_FILE_MAX),
            Err(FileError::NotRegular("is a character device"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_swapped_in_after_the_check_is_caught_on_the_handle() {
        let dir = temp_dir("swap");
        let fifo = dir.join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // What `read` does after its check passed on a regular file.
        let file = open(&fifo).unwrap();
        let meta = file.metadata().unwrap();
        assert_eq!(
            check_metadata(&meta, SECRET_FILE_MAX),
            Err(FileError::NotRegular("is a FIFO"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn off_thread_reads_work_outside_a_tokio_runtime() {
        let dir = temp_dir("thread");
        let path = dir.join("f");
        std::fs::write(&path, b"value").unwrap();
        // Polled by a bare executor: no Tokio runtime at all.
        let read = block_on(read_off_thread(path.clone(), 16));
        assert_eq!(&read.unwrap()[..], b"value");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A minimal executor: parks the thread until woken.
    fn block_on<F: Future>(fut: F) -> F::Output {
        use std::sync::Arc;
        use std::task::{Context, Poll, Wake};
        struct Unpark(std::thread::Thread);
        impl Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Arc::new(Unpark(std::thread::current())).into();
        let mut cx = Context::from_waker(&waker);
        let mut fut = std::pin::pin!(fut);
        loop {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }
}
