//! The request log: what the fake keeps of each request it received (never a token or a
//! value).

use super::Route;

/// One request the fake received, as
/// [`FakeInfisical::requests`](super::FakeInfisical::requests) lists it.
///
/// Token and secret values are never recorded: only whether an `Authorization` header was
/// present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: Option<String>,
    pub(super) route: Route,
    pub(super) has_authorization: bool,
    pub(super) status: Option<u16>,
}

impl RecordedRequest {
    /// The HTTP method, e.g. `GET`.
    #[must_use]
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path as sent, e.g. `/api/v4/secrets`.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string (without `?`), if any.
    #[must_use]
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The decoded value of one query parameter, if present.
    #[must_use]
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// The route the request was counted under.
    #[must_use]
    pub fn route(&self) -> Route {
        self.route
    }

    /// Whether the request carried an `Authorization` header.
    #[must_use]
    pub fn has_authorization(&self) -> bool {
        self.has_authorization
    }

    /// The status answered, or `None` while the answer is pending or when the connection was
    /// reset.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}
