use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
#[secret(path = "langgraph-agent", enviroment = "prod")]
struct AppSecrets {
    #[secret(name = "ANTHROPIC-API-KEY")]
    anthropic_api_key: SecretString,
    #[secret(name = "DATABASE_URL")]
    db: SecretString,
    database_url: SecretString,
    #[secret(default = 8080)]
    port: u16,
    home: String,
}

// The struct still type-checks after the errors above, so these lines add none.
async fn start() {
    let secrets = AppSecrets::loader().load().await.unwrap();
    println!("{secrets:?} on port {}", secrets.port);
    let _ = AppSecrets::load().await;
}

fn main() {
    drop(start());
}
