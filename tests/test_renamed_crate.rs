//! `#[secret(crate = "...")]` points the generated code at `secrets_core` under another name.

use secrets_core as sc;

use sc::ExposeSecret as _;

#[derive(sc::Secrets)]
#[secret(crate = "sc")]
struct Renamed {
    database_url: sc::SecretString,
    #[secret(default = "8080")]
    port: u16,
}

#[tokio::test]
async fn a_renamed_crate_loads() {
    let env = sc::Env::from_pairs([("DATABASE_URL", "postgres://db/app")]);
    let s = Renamed::loader().env(env).load().await.unwrap();
    assert_eq!(s.database_url.expose_secret(), "postgres://db/app");
    assert_eq!(s.port, 8080);
    assert_eq!(
        format!("{s:?}"),
        "Renamed { database_url: [REDACTED], port: [REDACTED] }"
    );
}
