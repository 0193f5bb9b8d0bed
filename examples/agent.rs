//! The secrets of an LLM agent service: model API key, `OpenFGA`, Keycloak, database, JWT
//! signing and an encryption key.
//!
//! With the Infisical CLI's variables set (`INFISICAL_UNIVERSAL_AUTH_CLIENT_ID`,
//! `INFISICAL_UNIVERSAL_AUTH_CLIENT_SECRET`, `INFISICAL_PROJECT_ID`, `INFISICAL_ENVIRONMENT`,
//! and `INFISICAL_DOMAIN` for a self-hosted instance) it loads from that Infisical; without
//! them it runs on env vars alone and explains what is missing.
//!
//! Run with `cargo run --example agent`; `AGENT_SECRETS_DIR` moves the secrets directory from
//! `/run/secrets`.

use std::process::ExitCode;

use secrets_core::{ExposeSecret, SecretBox, SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "/langgraph-agent", environment = "prod")]
struct AgentSecrets {
    /// The model provider's key.
    anthropic_api_key: SecretString,
    /// Fine-grained authorization.
    #[secret(path = "/openfga")]
    openfga_api_url: url_like::HttpUrl,
    #[secret(path = "/openfga")]
    openfga_store_id: String,
    #[secret(path = "/openfga", name = "OPENFGA_API_TOKEN")]
    openfga_token: SecretString,
    /// The identity provider the agent's API trusts.
    #[secret(path = "/keycloak")]
    keycloak_issuer_url: url_like::HttpUrl,
    #[secret(path = "/keycloak")]
    keycloak_client_id: String,
    #[secret(path = "/keycloak")]
    keycloak_client_secret: SecretString,
    /// State and checkpoints.
    database_url: SecretString,
    #[secret(default = "10")]
    database_pool_size: u32,
    /// Signs the agent's session tokens.
    jwt_signing_secret: SecretString,
    /// Encrypts stored conversation history: 32 bytes, hex, decoded into zeroized memory.
    #[secret(no_env, decode = "hex")]
    history_encryption_key: SecretBox<[u8; 32]>,
    sentry_dsn: Option<SecretString>,
}

/// A tiny `http(s)://` URL check, standing in for the `url` crate in a real service.
mod url_like {
    use std::str::FromStr;

    #[derive(Debug)]
    pub(crate) struct HttpUrl(pub(crate) String);

    impl FromStr for HttpUrl {
        type Err = &'static str;

        fn from_str(s: &str) -> Result<Self, Self::Err> {
            if s.starts_with("https://") || s.starts_with("http://") {
                Ok(Self(s.to_owned()))
            } else {
                Err("expected an http:// or https:// URL")
            }
        }
    }
}

/// Where a real service would build its clients; here it only says what it would connect to.
fn start_agent(s: &AgentSecrets) {
    let lengths = [
        s.anthropic_api_key.expose_secret().len(),
        s.openfga_token.expose_secret().len(),
        s.keycloak_client_secret.expose_secret().len(),
        s.database_url.expose_secret().len(),
        s.jwt_signing_secret.expose_secret().len(),
    ];
    println!(
        "agent ready: OpenFGA store {} at {}, Keycloak client {} of {}, pool of {}, \
         encryption key of {} bytes, Sentry {}, secrets of {lengths:?} characters",
        s.openfga_store_id,
        s.openfga_api_url.0,
        s.keycloak_client_id,
        s.keycloak_issuer_url.0,
        s.database_pool_size,
        s.history_encryption_key.expose_secret().len(),
        if s.sentry_dsn.is_some() { "on" } else { "off" },
    );
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt().with_target(false).init();
    // /run/secrets: where Kubernetes mounts secret volumes and the Infisical agent writes.
    let secrets_dir =
        std::env::var_os("AGENT_SECRETS_DIR").unwrap_or_else(|| "/run/secrets".into());
    let loader = AgentSecrets::loader()
        .secrets_dir(secrets_dir)
        .log_provenance(true);
    match loader.load_with_provenance().await {
        Ok((secrets, provenance)) => {
            println!("{provenance}");
            start_agent(&secrets);
            ExitCode::SUCCESS
        }
        Err(e) => {
            // The report ends with what would configure Infisical when it is not.
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
