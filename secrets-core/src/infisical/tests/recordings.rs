//! The recordings of real servers (`tests/fixtures/infisical-2024-10`, `infisical-2025-06`)
//! and the API examples, read as the tests replay them.

use secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::infisical::api::ListResponse;
use crate::infisical::text::{ErrorInfo, parse_retry_after};
use crate::source::Folder;
use crate::store::{FolderSecrets, StoredSecret, StoredValue};

/// A recorded `.http` file: status, headers (lowercased names) and body.
pub(crate) struct Recording {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Recording {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn error(&self) -> ErrorInfo {
        let html = self
            .header("content-type")
            .is_some_and(|v| v.contains("html"));
        ErrorInfo::parse(self.body.as_bytes(), html)
    }
}

pub(crate) fn raw_recording(name: &str) -> String {
    raw_recording_in("infisical-2024-10", name)
}

fn raw_recording_in(dir: &str, name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/{dir}/{name}.http",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn recording(name: &str) -> Recording {
    parse_recording(&raw_recording(name))
}

/// A recording of the June 2025 server (`tests/fixtures/infisical-2025-06`).
pub(crate) fn recording_2025(name: &str) -> Recording {
    parse_recording(&raw_recording_in("infisical-2025-06", name))
}

fn parse_recording(raw: &str) -> Recording {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Recording {
        status,
        headers,
        body: body.to_owned(),
    }
}

pub(crate) fn example(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/infisical-api-examples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The recording as the transport hands it to the client.
pub(crate) fn reply_2025(name: &str) -> crate::infisical::http::Reply {
    let r = recording_2025(name);
    crate::infisical::http::Reply {
        status: r.status,
        retry_after: r.header("retry-after").and_then(parse_retry_after),
        location_host: None,
        is_html: r.header("content-type").is_some_and(|v| v.contains("html")),
        etag: r.header("etag").map(str::to_owned),
        body: Zeroizing::new(r.body.into_bytes()),
    }
}

pub(crate) fn list(body: &str, folder: &Folder) -> FolderSecrets {
    serde_json::from_str::<ListResponse>(body)
        .unwrap()
        .merge(folder)
}

pub(crate) fn value<'a>(folder: &'a FolderSecrets, key: &str) -> &'a str {
    match folder.get(key).map(StoredSecret::stored_value) {
        Some(StoredValue::Value(v)) => v.expose_secret(),
        other => panic!("{key}: {other:?}"),
    }
}

pub(crate) fn import_of(folder: &FolderSecrets, key: &str) -> Option<String> {
    folder.get(key).unwrap().import().map(ToString::to_string)
}

pub(crate) fn prod(path: &str) -> Folder {
    Folder::new("prod", path)
}
