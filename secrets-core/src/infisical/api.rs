//! Response bodies of the Infisical API: the wire shapes and nothing else.
//!
//! Every type here is `pub(crate)`: the wire format is Infisical's, not ours. Unknown fields
//! are ignored and every field a loader does not need is optional, because the server's
//! schemas drift between versions (see the 2024-10 recordings in the tests).

use secrecy::SecretString;
use serde::de::{IgnoredAny, Visitor};
use serde::{Deserialize, Deserializer};

/// A deserializer that reads a struct from a JSON object only.
///
/// serde's derived visitors also accept a struct written as an array of its fields in order
/// (`[[["KEY","value"]]]` would be a listing): no Infisical body is ever an array, and a
/// proxy's or a broken server's array must be an unusable response, not secrets. Each wire
/// struct below derives its visitor with `#[serde(remote = "Self")]` and its `Deserialize`
/// hands it this wrapper, which asks for a map where the derive asks for a struct; nested
/// structs go through their own `Deserialize`, so every level is checked, without a detour
/// through `serde_json::Value`.
pub(crate) struct MapOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for MapOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// `Deserialize` for a wire struct whose derived visitor is its inherent `deserialize`
/// (`#[serde(remote = "Self")]`): from a JSON object only (see [`MapOnly`]).
macro_rules! from_object_only {
    ($($ty:ty),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <$ty>::deserialize(MapOnly(deserializer))
            }
        }
    )*};
}

from_object_only!(
    ListResponse,
    RawSecret,
    ImportBlock,
    LoginResponse,
    ErrorBody,
    ZodIssue,
    GetResponse
);

/// `GET /api/v4/secrets` and `GET /api/v3/secrets/raw`.
#[derive(Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct ListResponse {
    // Core: a body without `secrets` is not a listing (an HTML page, a proxy's JSON).
    pub(crate) secrets: Vec<RawSecret>,
    // 2024-10 omits `imports` unless asked; current servers send `[]`.
    #[serde(default)]
    pub(crate) imports: Option<Vec<ImportBlock>>,
}

/// One secret of a listing or an import block.
#[derive(Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub(crate) struct RawSecret {
    pub(crate) secret_key: String,
    // Straight into a `SecretString`: no `String` copy of the value outlives the parse.
    pub(crate) secret_value: SecretString,
    #[serde(rename = "type", default)]
    pub(crate) kind: Option<SecretType>,
    #[serde(default)]
    pub(crate) secret_value_hidden: Option<bool>,
}

/// A secret's `type`: whether it is a personal override (`personal`) or not (`shared`, or a
/// type this client does not know). Read from the text without keeping it.
pub(crate) struct SecretType {
    pub(crate) personal: bool,
}

impl<'de> Deserialize<'de> for SecretType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TypeName;

        impl Visitor<'_> for TypeName {
            type Value = SecretType;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a secret type")
            }

            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<SecretType, E> {
                Ok(SecretType {
                    personal: name == "personal",
                })
            }
        }

        deserializer.deserialize_str(TypeName)
    }
}

/// `imports[]`: the secrets of a folder imported into the listed one.
#[derive(Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub(crate) struct ImportBlock {
    #[serde(default)]
    pub(crate) secret_path: Option<String>,
    #[serde(default)]
    pub(crate) environment: Option<String>,
    // `folderId` is absent when the imported folder no longer exists: not read at all.
    #[serde(default)]
    pub(crate) secrets: Vec<RawSecret>,
}

/// `GET /api/v3/secrets/raw/{name}` and `GET /api/v4/secrets/{name}`: used only for folders
/// the identity may not list with values (one list per folder beats one request per key).
#[derive(Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct GetResponse {
    pub(crate) secret: RawSecret,
}

/// A login (`/api/v1/auth/*/login`) or renew response.
#[derive(Deserialize)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub(crate) struct LoginResponse {
    pub(crate) access_token: SecretString,
    /// Seconds the token lives; `0` means no expiry.
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
    /// Seconds from login after which the token cannot be renewed; `0` means none.
    #[serde(rename = "accessTokenMaxTTL", default)]
    pub(crate) access_token_max_ttl: Option<u64>,
}

/// Infisical's error body: `{reqId?, statusCode, error, message, details?}`.
#[derive(Deserialize, Default)]
#[serde(remote = "Self", rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub(crate) error: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<ErrorMessage>,
    #[serde(default)]
    pub(crate) req_id: Option<String>,
}

/// `message` is a string, except for validation failures: an array of zod issues.
#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum ErrorMessage {
    Text(String),
    Issues(Vec<ZodIssue>),
    Other(IgnoredAny),
}

#[derive(Deserialize)]
#[serde(remote = "Self")]
pub(crate) struct ZodIssue {
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) path: Vec<serde_json::Value>,
}
