//! What to check when a request to Infisical fails, in the words of the `INFISICAL_*`
//! variables an operator sets: the line under each store failure in the report.

use std::time::Duration;

use super::auth::Credentials;
use super::config::{
    CLIENT_ID, CLIENT_SECRET, DOMAIN, ENVIRONMENT, KUBERNETES_IDENTITY_ID, PROJECT_ID, SECRET_PATH,
    STARTUP_TIMEOUT, TOKEN, TOKEN_FILE,
};
use crate::error::{StoreCall, StoreError, StoreErrorKind};
use crate::source::Folder;

/// What the client knows that a fix may name; nothing secret (the base URL is shown as
/// configured, without credentials, query or fragment).
pub(super) struct Context<'a> {
    pub(super) credentials: &'a Credentials,
    pub(super) shown_url: &'a str,
    pub(super) startup_deadline: Duration,
}

/// The fix for `error`, if there is one to name.
pub(super) fn fix_for(error: &StoreError, folder: &Folder, cx: &Context<'_>) -> Option<String> {
    let credentials = || credential_variables(cx.credentials);
    let fix = match (error.call(), error.kind()) {
        (StoreCall::Login { .. } | StoreCall::Renewal, StoreErrorKind::BadRequest) => {
            format!("the login was refused as malformed: check {}", credentials())
        }
        (StoreCall::Login { .. }, StoreErrorKind::Unauthorized | StoreErrorKind::NotFound) => {
            format!("check {}", credentials())
        }
        (StoreCall::List, StoreErrorKind::Unauthorized) => match cx.credentials {
            Credentials::AccessToken(_) => format!(
                "the access token was rejected (expired or revoked?): check {TOKEN} (or INFISICAL_UNIVERSAL_AUTH_ACCESS_TOKEN)"
            ),
            Credentials::TokenFile(path) => format!(
                "the access token in {} was rejected (expired or revoked?): check what writes {TOKEN_FILE}",
                path.display()
            ),
            _ => format!("the access token was rejected: check {}", credentials()),
        },
        (StoreCall::List, StoreErrorKind::NotFound) => format!(
            "check {PROJECT_ID}, the environment `{}` ({ENVIRONMENT} or #[secret(environment)]) and the folder `{}` ({SECRET_PATH} or #[secret(path)])",
            folder.environment(),
            folder.path()
        ),
        (StoreCall::List, StoreErrorKind::Forbidden) => format!(
            "give the machine identity of {} a project role that may read secrets (and their values) in `{folder}`",
            identity_variable(cx.credentials)
        ),
        (_, StoreErrorKind::Unreachable) => format!(
            "check {DOMAIN} ({}) and that this host can reach it",
            cx.shown_url
        ),
        (_, StoreErrorKind::DeadlineExceeded) => format!(
            "check the server's health, or give it longer: {STARTUP_TIMEOUT} (now {} s)",
            cx.startup_deadline.as_secs_f32()
        ),
        (_, StoreErrorKind::Throttled) => "the server's rate limit was reached: fewer folders or processes behind one address, or a longer watch interval".to_owned(),
        (_, StoreErrorKind::Server) => {
            "the server failed: check its health and logs (the reqId names the request)".to_owned()
        }
        (_, StoreErrorKind::InvalidResponse) => format!(
            "check that {DOMAIN} ({}) is the Infisical server itself",
            cx.shown_url
        ),
        // A renewal refused for itself (not unreachable, slow or throttled, handled above).
        (StoreCall::Renewal, _) => format!(
            "the token could not be renewed: check the identity's access token TTL and max TTL, and {}",
            credentials()
        ),
        (StoreCall::List, StoreErrorKind::BadRequest) => {
            format!("the server refused the listing: check {PROJECT_ID} and {ENVIRONMENT}")
        }
        _ => return None,
    };
    Some(fix)
}

/// The variables that hold the credentials of this method.
fn credential_variables(credentials: &Credentials) -> String {
    match credentials {
        Credentials::AccessToken(_) => {
            format!("{TOKEN} (or INFISICAL_UNIVERSAL_AUTH_ACCESS_TOKEN)")
        }
        Credentials::TokenFile(path) => format!("the token in {} ({TOKEN_FILE})", path.display()),
        Credentials::UniversalAuth { .. } => format!("{CLIENT_ID} and {CLIENT_SECRET}"),
        Credentials::Kubernetes { .. } => format!(
            "{KUBERNETES_IDENTITY_ID} and that the identity's Kubernetes auth allows this pod's service account"
        ),
    }
}

/// The variable that names the machine identity, for "give it a role".
fn identity_variable(credentials: &Credentials) -> &'static str {
    match credentials {
        Credentials::UniversalAuth { .. } => CLIENT_ID,
        Credentials::Kubernetes { .. } => KUBERNETES_IDENTITY_ID,
        Credentials::AccessToken(_) => TOKEN,
        Credentials::TokenFile(_) => TOKEN_FILE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renewal_names_the_cause_it_failed_for() {
        let credentials = Credentials::UniversalAuth {
            client_id: "c".to_owned(),
            client_secret: "s".into(),
        };
        let cx = Context {
            credentials: &credentials,
            shown_url: "https://infisical.example",
            startup_deadline: Duration::from_secs(30),
        };
        let folder = Folder::new("prod", "/");
        let fix = |kind| {
            let error = StoreError::new(kind, "x").with_call(StoreCall::Renewal);
            fix_for(&error, &folder, &cx).unwrap()
        };
        // Unreachable or slow: the network, not the token's lifetime.
        assert!(fix(StoreErrorKind::Unreachable).starts_with("check INFISICAL_DOMAIN"));
        assert!(fix(StoreErrorKind::DeadlineExceeded).contains("INFISICAL_STARTUP_TIMEOUT"));
        // Refused: the token's lifetime.
        assert!(fix(StoreErrorKind::Unauthorized).starts_with("the token could not be renewed"));
    }
}
