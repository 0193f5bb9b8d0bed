//! Small helpers of the fake server: ids, tokens, timestamps, etags, percent-decoding.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// 64 unpredictable bits. Not cryptographic; a test server only needs values that do not
/// repeat and that a client cannot guess by accident.
pub(crate) fn random_u64() -> u64 {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Every `RandomState::new()` carries fresh keys, so two calls never hash alike.
    RandomState::new().hash_one((n, nanos))
}

/// A version-4-shaped UUID whose first group is a process-wide counter, so ids sort in
/// creation order. The real server lists secrets ordered by id; with these ids, the fake's
/// insertion order and id order agree.
pub(crate) fn new_uuid() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let a = random_u64();
    let b = random_u64();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        n & 0xffff_ffff,
        a & 0xffff,
        (a >> 16) & 0xfff,
        8 + ((a >> 28) & 0x3),
        (a >> 32) & 0xfff,
        b & 0xffff_ffff_ffff,
    )
}

/// A request id in the style of the current server (`req-` and 16 alphanumerics).
pub(crate) fn new_req_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::from("req-");
    let mut bits = random_u64();
    for i in 0..16 {
        if i == 8 {
            bits = random_u64();
        }
        out.push(char::from(
            ALPHABET[usize::from((bits & 0xff) as u8) % ALPHABET.len()],
        ));
        bits >>= 8;
    }
    out
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The current time as the server writes it: `2024-10-10T04:13:29.228Z`.
pub(crate) fn iso_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        now.subsec_millis()
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(input: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [n >> 18, n >> 12, n >> 6, n];
        for (i, s) in sextets.iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(alphabet[(s & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// Unpadded base64url, as in JWTs.
pub(crate) fn base64url(input: &[u8]) -> String {
    base64(input, B64URL, false)
}

/// Decodes unpadded base64url; `None` on any character outside the alphabet.
pub(crate) fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in input.bytes() {
        let v = B64URL.iter().position(|&a| a == c)?;
        acc = (acc << 6) | u32::try_from(v).ok()?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

/// An etag in the shape `@fastify/etag` sends: a quoted base64 digest of the body. The digest
/// is FNV-1a (two lanes), which is enough to tell bodies apart in tests.
pub(crate) fn etag(body: &[u8]) -> String {
    let lane = |offset: u64| {
        body.iter().fold(offset, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let mut digest = Vec::with_capacity(20);
    digest.extend_from_slice(&lane(0xcbf2_9ce4_8422_2325).to_be_bytes());
    digest.extend_from_slice(&lane(0x8422_2325_cbf2_9ce4).to_be_bytes());
    digest.extend_from_slice(
        &u32::try_from(body.len() & 0xffff_ffff)
            .unwrap_or(0)
            .to_be_bytes(),
    );
    format!("\"{}\"", base64(&digest, B64STD, true))
}

/// Decodes `%XX` escapes of a URL path segment; invalid escapes are kept as they are.
pub(crate) fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|c| char::from(*c).to_digit(16)),
                bytes.get(i + 2).and_then(|c| char::from(*c).to_digit(16)),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Normalises a folder path given in code: leading `/`, no trailing `/`, `/` for empty.
pub(crate) fn normalize_path(path: &str) -> String {
    let trimmed = path.trim().trim_matches('/');
    if trimmed.is_empty() {
        "/".to_owned()
    } else {
        format!("/{trimmed}")
    }
}

/// True when `path` is `ancestor` or lies below it.
pub(crate) fn is_within(path: &str, ancestor: &str) -> bool {
    ancestor == "/"
        || path == ancestor
        || path
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The parent folders of `path`, root first, `path` itself excluded.
pub(crate) fn ancestors(path: &str) -> Vec<String> {
    let mut out = vec!["/".to_owned()];
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for end in 1..segments.len() {
        out.push(format!("/{}", segments[..end].join("/")));
    }
    if path == "/" {
        out.clear();
    }
    out
}

/// Number of segments of a folder path (`/` has 0).
pub(crate) fn depth(path: &str) -> usize {
    path.split('/').filter(|s| !s.is_empty()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for s in ["", "a", "ab", "abc", "abcd", "{\"alg\":\"HS256\"}"] {
            let e = base64url(s.as_bytes());
            assert!(!e.contains('='));
            assert_eq!(base64url_decode(&e).unwrap(), s.as_bytes());
        }
        assert_eq!(base64url(b"\xfb\xff"), "-_8");
    }

    #[test]
    fn uuids_sort_in_creation_order() {
        let a = new_uuid();
        let b = new_uuid();
        assert_eq!(a.len(), 36);
        assert!(a < b, "{a} < {b}");
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_011), (2024, 10, 15));
    }

    #[test]
    fn paths() {
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("a/b/"), "/a/b");
        assert_eq!(ancestors("/a/b/c"), ["/", "/a", "/a/b"]);
        assert!(ancestors("/").is_empty());
        assert!(is_within("/a/b", "/a"));
        assert!(!is_within("/ab", "/a"));
        assert_eq!(percent_decode("A%20B%zz"), "A B%zz");
    }

    #[test]
    fn etags_differ() {
        assert_ne!(etag(b"{}"), etag(b"[]"));
        assert_eq!(etag(b"x"), etag(b"x"));
    }
}
