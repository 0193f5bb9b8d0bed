use secrets_core::{SecretString, Secrets};

#[derive(Secrets)]
struct DatabaseSecrets {
    url: SecretString,
}

#[derive(Secrets)]
struct AppSecrets {
    #[secret(flatten, name = "DB", public)]
    database: DatabaseSecrets,
    #[secret(prefix = "DB_")]
    db_url: String,
    #[secret(split = ";")]
    origin: String,
    #[secret(json, with = "parse")]
    config: String,
    #[secret(json, split = ",")]
    hosts: Vec<String>,
    #[secret(with = "not a path")]
    level: String,
    #[secret(split = "")]
    ports: Vec<u16>,
}

fn parse(text: &str) -> Result<String, String> {
    Ok(text.to_owned())
}

fn main() {}
