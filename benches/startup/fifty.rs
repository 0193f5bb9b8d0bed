//! The struct of the comparison with the official SDK: 50 keys over 3 folders, with the real
//! `#[derive(Secrets)]`.

use secrets_core::{SecretString, Secrets};

/// A service's secrets: 17 in its own folder, 17 database ones, 16 third-party API keys.
#[derive(Secrets)]
#[secret(environment = "prod", path = "/app")]
pub(crate) struct Fifty {
    pub(crate) app_00: SecretString,
    pub(crate) app_01: SecretString,
    pub(crate) app_02: SecretString,
    pub(crate) app_03: SecretString,
    pub(crate) app_04: SecretString,
    pub(crate) app_05: SecretString,
    pub(crate) app_06: SecretString,
    pub(crate) app_07: SecretString,
    pub(crate) app_08: SecretString,
    pub(crate) app_09: SecretString,
    pub(crate) app_10: SecretString,
    pub(crate) app_11: SecretString,
    pub(crate) app_12: SecretString,
    pub(crate) app_13: SecretString,
    pub(crate) app_14: SecretString,
    pub(crate) app_15: SecretString,
    pub(crate) app_16: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_00: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_01: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_02: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_03: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_04: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_05: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_06: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_07: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_08: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_09: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_10: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_11: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_12: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_13: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_14: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_15: SecretString,
    #[secret(path = "/db")]
    pub(crate) db_16: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_00: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_01: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_02: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_03: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_04: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_05: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_06: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_07: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_08: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_09: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_10: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_11: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_12: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_13: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_14: SecretString,
    #[secret(path = "/third-party")]
    pub(crate) api_15: SecretString,
}

/// The folders of [`Fifty`], in the order the official SDK lists them.
pub(crate) const FOLDERS: [&str; 3] = ["/app", "/db", "/third-party"];

impl Fifty {
    /// Every field, in field order.
    pub(crate) fn values(&self) -> [&SecretString; 50] {
        [
            &self.app_00,
            &self.app_01,
            &self.app_02,
            &self.app_03,
            &self.app_04,
            &self.app_05,
            &self.app_06,
            &self.app_07,
            &self.app_08,
            &self.app_09,
            &self.app_10,
            &self.app_11,
            &self.app_12,
            &self.app_13,
            &self.app_14,
            &self.app_15,
            &self.app_16,
            &self.db_00,
            &self.db_01,
            &self.db_02,
            &self.db_03,
            &self.db_04,
            &self.db_05,
            &self.db_06,
            &self.db_07,
            &self.db_08,
            &self.db_09,
            &self.db_10,
            &self.db_11,
            &self.db_12,
            &self.db_13,
            &self.db_14,
            &self.db_15,
            &self.db_16,
            &self.api_00,
            &self.api_01,
            &self.api_02,
            &self.api_03,
            &self.api_04,
            &self.api_05,
            &self.api_06,
            &self.api_07,
            &self.api_08,
            &self.api_09,
            &self.api_10,
            &self.api_11,
            &self.api_12,
            &self.api_13,
            &self.api_14,
            &self.api_15,
        ]
    }
}
