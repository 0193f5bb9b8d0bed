//! The quickstart's secrets struct, in a file of its own so that a test can generate its
//! `.env.example` and table (`examples/quickstart.env.example`, `examples/quickstart.secrets.md`)
//! and compare them with the checked-in ones.

use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod")]
pub(crate) struct AppSecrets {
    /// The Anthropic API key of the agent.
    pub(crate) anthropic_api_key: SecretString,
    /// The API token of the authorization service.
    #[secret(name = "OPENFGA_API_TOKEN")]
    pub(crate) openfga_token: SecretString,
    /// The Postgres URL, with its password.
    pub(crate) database_url: SecretString,
    /// The port to listen on.
    #[secret(default = "8080", public)]
    pub(crate) port: u16,
    /// Error reporting; off when unset.
    pub(crate) sentry_dsn: Option<SecretString>,
}
