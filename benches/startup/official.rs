//! The same job done with the official Infisical Rust SDK (`infisical` on crates.io), the ways
//! its API offers: one `get` per key, or one `list` per folder and then picking the keys.

use std::collections::HashMap;

use futures_util::future::join_all;
use infisical::secrets::{GetSecretRequest, ListSecretsRequest};
use infisical::{AuthMethod, Client};

use crate::generated::ENVIRONMENT;
use crate::harness::{CLIENT_ID, CLIENT_SECRET};

/// One key of the struct: its folder and its name.
pub(crate) type KeyRef = (&'static str, &'static str);

/// A new client, logged in with Universal Auth.
pub(crate) async fn login(base_url: &str) -> Client {
    let mut client = Client::builder()
        .base_url(base_url)
        .build()
        .await
        .expect("official SDK: client");
    client
        .login(AuthMethod::new_universal_auth(CLIENT_ID, CLIENT_SECRET))
        .await
        .expect("official SDK: login");
    client
}

fn get_request(project: &str, (folder, key): KeyRef) -> GetSecretRequest {
    GetSecretRequest::builder(key, project, ENVIRONMENT)
        .path(folder)
        .build()
}

fn list_request(project: &str, folder: &str) -> ListSecretsRequest {
    ListSecretsRequest::builder(project, ENVIRONMENT)
        .path(folder)
        .build()
}

/// One `GET /api/v3/secrets/raw/{name}` per key, each awaited before the next: the loop a
/// user writes.
pub(crate) async fn gets(client: &Client, project: &str, keys: &[KeyRef]) -> Vec<String> {
    let mut values = Vec::with_capacity(keys.len());
    for &key in keys {
        let secret = client
            .secrets()
            .get(get_request(project, key))
            .await
            .expect("official SDK: get");
        values.push(secret.secret_value);
    }
    values
}

/// Every `get` at once (`join_all`): the fastest the per-key API can go, still one request per
/// key.
pub(crate) async fn gets_concurrently(
    client: &Client,
    project: &str,
    keys: &[KeyRef],
) -> Vec<String> {
    let secrets = client.secrets();
    join_all(
        keys.iter()
            .map(|&key| secrets.get(get_request(project, key))),
    )
    .await
    .into_iter()
    .map(|secret| secret.expect("official SDK: get").secret_value)
    .collect()
}

/// One `GET /api/v3/secrets/raw` per folder, each awaited before the next, then the struct's
/// keys picked out of the listings.
pub(crate) async fn lists(
    client: &Client,
    project: &str,
    folders: &[&'static str],
    keys: &[KeyRef],
) -> Vec<String> {
    let mut listed = HashMap::new();
    for &folder in folders {
        let secrets = client
            .secrets()
            .list(list_request(project, folder))
            .await
            .expect("official SDK: list");
        listed.extend(
            secrets
                .into_iter()
                .map(|s| ((folder, s.secret_key), s.secret_value)),
        );
    }
    pick(listed, keys)
}

/// Every folder's `list` at once (`join_all`), then the keys picked out.
pub(crate) async fn lists_concurrently(
    client: &Client,
    project: &str,
    folders: &[&'static str],
    keys: &[KeyRef],
) -> Vec<String> {
    let secrets = client.secrets();
    let listings = join_all(
        folders
            .iter()
            .map(|&folder| secrets.list(list_request(project, folder))),
    )
    .await;
    let mut listed = HashMap::new();
    for (&folder, listing) in folders.iter().zip(listings) {
        listed.extend(
            listing
                .expect("official SDK: list")
                .into_iter()
                .map(|s| ((folder, s.secret_key), s.secret_value)),
        );
    }
    pick(listed, keys)
}

fn pick(mut listed: HashMap<(&'static str, String), String>, keys: &[KeyRef]) -> Vec<String> {
    keys.iter()
        .map(|&(folder, key)| {
            listed
                .remove(&(folder, key.to_owned()))
                .unwrap_or_else(|| panic!("official SDK: {key} not listed in {folder}"))
        })
        .collect()
}
