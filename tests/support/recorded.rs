//! The recorded responses of real servers in `secrets-core/tests/fixtures/`, and how a
//! response of the fake is held against one: the same status, the same JSON keys at every
//! level, the same value types, and the same values except ids, timestamps, tokens and
//! request ids. Requests are sent the way the recordings were made (no proxy, no redirects).

use std::collections::BTreeSet;

use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder};
use secrets_core::testing::FakeInfisical;
use serde_json::{Value, json};

use super::datasets::{CLIENT_ID, CLIENT_SECRET};

/// A recorded response: status line, headers, body.
pub(crate) struct Recorded {
    pub(crate) name: String,
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Recorded {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{}: body is not JSON: {e}", self.name))
    }
}

pub(crate) fn fixture_path(dir: &str, file: &str) -> String {
    format!(
        "{}/secrets-core/tests/fixtures/{dir}/{file}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Reads `secrets-core/tests/fixtures/infisical-2024-10/<name>.http` (raw `curl -i` output, CRLF lines).
pub(crate) fn recorded(name: &str) -> Recorded {
    recorded_in("infisical-2024-10", name)
}

/// Reads `secrets-core/tests/fixtures/<dir>/<name>.http`.
pub(crate) fn recorded_in(dir: &str, name: &str) -> Recorded {
    let path = fixture_path(dir, &format!("{name}.http"));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("{path}: no blank line after the headers"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{path}: no status line"));
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    Recorded {
        name: name.to_owned(),
        status,
        headers,
        body: body.to_owned(),
    }
}

pub(crate) fn recorded_2025(name: &str) -> Recorded {
    recorded_in("infisical-2025-06", name)
}

/// Reads `secrets-core/tests/fixtures/infisical-api-examples/<name>.json`.
pub(crate) fn example(name: &str) -> Value {
    let path = fixture_path("infisical-api-examples", &format!("{name}.json"));
    let raw = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A response of the fake.
pub(crate) struct Got {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Got {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("fake sent non-JSON ({e}): {}", self.body))
    }
}

pub(crate) async fn send(request: RequestBuilder) -> Got {
    let response = request.send().await.expect("request to the fake failed");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("body of the fake");
    Got {
        status,
        headers,
        body,
    }
}

/// Values that differ between any two servers: ids, timestamps, tokens, request ids.
pub(crate) const VOLATILE: &[&str] = &[
    "id",
    "_id",
    "folderId",
    "createdAt",
    "updatedAt",
    "accessToken",
    "reqId",
    "actorId",
    "membershipId",
    "date",
];

pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub(crate) fn compare(at: &str, expected: &Value, actual: &Value, errors: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let ek: BTreeSet<&String> = e.keys().collect();
            let ak: BTreeSet<&String> = a.keys().collect();
            if ek != ak {
                errors.push(format!(
                    "{at}: keys differ; missing {:?}, unexpected {:?}",
                    ek.difference(&ak).collect::<Vec<_>>(),
                    ak.difference(&ek).collect::<Vec<_>>()
                ));
            }
            if let (Some(id), Some(legacy_id)) = (a.get("id"), a.get("_id"))
                && id != legacy_id
            {
                errors.push(format!("{at}: `_id` differs from `id`"));
            }
            for (key, ev) in e {
                let Some(av) = a.get(key) else { continue };
                let here = format!("{at}.{key}");
                if VOLATILE.contains(&key.as_str()) {
                    if type_name(ev) != type_name(av) {
                        errors.push(format!(
                            "{here}: type {} instead of {}",
                            type_name(av),
                            type_name(ev)
                        ));
                    }
                } else {
                    compare(&here, ev, av, errors);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                errors.push(format!("{at}: {} elements instead of {}", a.len(), e.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                compare(&format!("{at}[{i}]"), ev, av, errors);
            }
        }
        _ if type_name(expected) != type_name(actual) => errors.push(format!(
            "{at}: type {} instead of {}",
            type_name(actual),
            type_name(expected)
        )),
        _ if expected != actual => errors.push(format!("{at}: {actual} instead of {expected}")),
        _ => {}
    }
}

/// Same keys at every level, same types, same values except the volatile ones.
pub(crate) fn assert_json_agrees(what: &str, expected: &Value, actual: &Value) {
    let mut errors = Vec::new();
    compare("$", expected, actual, &mut errors);
    assert!(
        errors.is_empty(),
        "{what}: the fake disagrees with the recording:\n  {}\nexpected: {expected}\nactual:   {actual}",
        errors.join("\n  ")
    );
}

/// Status, content type, the rate-limit and etag headers, and the body.
pub(crate) fn assert_agrees(fixture: &Recorded, got: &Got) {
    let name = &fixture.name;
    assert_eq!(
        got.status, fixture.status,
        "{name}: status; body {}",
        got.body
    );
    assert_eq!(
        got.header("content-type"),
        fixture.header("content-type"),
        "{name}: content-type"
    );
    for header in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
        "etag",
    ] {
        assert_eq!(
            got.header(header).is_some(),
            fixture.header(header).is_some(),
            "{name}: presence of {header}"
        );
    }
    assert_eq!(
        got.header("x-ratelimit-limit"),
        fixture.header("x-ratelimit-limit"),
        "{name}: x-ratelimit-limit"
    );
    assert_json_agrees(name, &fixture.json(), &got.json());
}

pub(crate) fn client() -> Client {
    // secrets-core builds reqwest with rustls and no provider of reqwest's choosing (it brings
    // its own config): a plain client needs one installed. Another test may have done it.
    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub(crate) async fn login_as(fake: &FakeInfisical, client_id: &str) -> String {
    let got = send(
        client()
            .post(format!("{}/api/v1/auth/universal-auth/login", fake.url()))
            .json(&json!({ "clientId": client_id, "clientSecret": CLIENT_SECRET })),
    )
    .await;
    assert_eq!(got.status, 200, "login: {}", got.body);
    got.json()["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_owned()
}

pub(crate) async fn login(fake: &FakeInfisical) -> String {
    login_as(fake, CLIENT_ID).await
}

/// `GET <path_and_query>` with `Authorization: Bearer <token>`.
pub(crate) async fn get(fake: &FakeInfisical, token: &str, path_and_query: &str) -> Got {
    send(
        client()
            .get(format!("{}{path_and_query}", fake.url()))
            .bearer_auth(token),
    )
    .await
}

pub(crate) async fn post_json(fake: &FakeInfisical, path: &str, body: &Value) -> Got {
    send(client().post(format!("{}{path}", fake.url())).json(body)).await
}
