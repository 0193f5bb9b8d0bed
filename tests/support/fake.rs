//! The shared setups around the fake Infisical: the identity a test file logs in with, the
//! `INFISICAL_*` variables that point a loader at a fake, a client ready to use, and env maps.
//!
//! Each test file keeps its own identity and values (the leak tests search for theirs), so
//! a string found where it must not be names the file it came from.

use secrets_core::testing::{
    DEFAULT_PROJECT_ID, FakeInfisical, FakeInfisicalBuilder, Fault, Route, ServerMode,
};
use secrets_core::{Env, InfisicalClient, InfisicalClientBuilder, SecretString};

/// A Universal Auth identity: what the fake lets in and what a client logs in with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Identity {
    pub(crate) client_id: &'static str,
    pub(crate) client_secret: &'static str,
}

impl Identity {
    pub(crate) const fn new(client_id: &'static str, client_secret: &'static str) -> Self {
        Self {
            client_id,
            client_secret,
        }
    }

    /// `builder` with this identity allowed to log in.
    pub(crate) fn allow(self, builder: FakeInfisicalBuilder) -> FakeInfisicalBuilder {
        builder.universal_auth(self.client_id, self.client_secret)
    }

    /// A client builder for the server at `url`, the fake's default project, logging in as
    /// this identity; the caller adds timeouts and builds.
    pub(crate) fn client(self, url: &str) -> InfisicalClientBuilder {
        InfisicalClient::builder()
            .base_url(url)
            .project_id(DEFAULT_PROJECT_ID)
            .universal_auth(self.client_id, SecretString::from(self.client_secret))
    }

    /// The variables that point a loader at `url` and `project`, logging in as this identity.
    pub(crate) fn env_vars(self, url: &str, project: &str) -> Vec<(String, String)> {
        [
            ("INFISICAL_DOMAIN", url),
            ("INFISICAL_PROJECT_ID", project),
            ("INFISICAL_UNIVERSAL_AUTH_CLIENT_ID", self.client_id),
            ("INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET", self.client_secret),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }
}

/// An env map of `pairs`, and nothing of the process environment.
pub(crate) fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(owned(pairs))
}

/// An empty env map: nothing to fall back to.
pub(crate) fn no_env() -> Env {
    Env::from_pairs::<String, String>([])
}

/// The variables pointing at `fake` ([`FakeInfisical::env_vars`]), plus `extra`.
pub(crate) fn fake_env(fake: &FakeInfisical, extra: &[(&str, &str)]) -> Env {
    Env::from_pairs(fake.env_vars().into_iter().chain(owned(extra)))
}

/// The variables pointing at `fake` without credentials, plus `extra`.
pub(crate) fn fake_env_without_credentials(fake: &FakeInfisical, extra: &[(&str, &str)]) -> Env {
    let pairs = [
        ("INFISICAL_DOMAIN".to_owned(), fake.url().to_owned()),
        (
            "INFISICAL_PROJECT_ID".to_owned(),
            fake.project_id().to_owned(),
        ),
    ];
    Env::from_pairs(pairs.into_iter().chain(owned(extra)))
}

/// The Infisical client that `env` configures, as a loader builds it; panics when `env`
/// configures none.
pub(crate) fn client_from_env(env: &Env) -> InfisicalClient {
    InfisicalClient::from_env(env).unwrap().unwrap()
}

/// The route a listing goes to on a server of `mode` once the client knows it.
pub(crate) fn list_route(mode: ServerMode) -> Route {
    match mode {
        ServerMode::Legacy2024 => Route::ListV3,
        _ => Route::ListV4,
    }
}

/// A `Fault::Body` answer of `status` with a JSON content type.
pub(crate) fn json_body(status: u16, body: &str) -> Fault {
    Fault::Body {
        status,
        content_type: "application/json; charset=utf-8".to_owned(),
        body: body.as_bytes().to_vec(),
    }
}

fn owned<'a>(pairs: &'a [(&str, &str)]) -> impl Iterator<Item = (String, String)> + 'a {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
}
