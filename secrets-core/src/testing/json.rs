//! Response bodies, with fields in the order the real servers send them.
//!
//! `serde_json::Value` sorts object keys; these structs keep the wire order instead, which
//! matters for Fastify's `404` body and makes responses read like the recorded ones.

use serde::Serialize;

use super::state::{Actor, Secret, Tag};

/// `{"statusCode","message","error"}` (legacy) or with `reqId` first (current). `error`
/// comes before `message` for the errors the current handler builds that way.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) req_id: Option<String>,
    pub(crate) status_code: u16,
    #[serde(skip_serializing_if = "Option::is_none", rename = "error")]
    pub(crate) error_first: Option<String>,
    pub(crate) message: Message,
    /// The permission rules a `PermissionDenied` names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) details: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
}

/// A string, or the array of zod issues of a validation failure.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Message {
    Text(String),
    Issues(Vec<Issue>),
}

/// One zod issue, with the keys in the order zod 3 emits them.
#[derive(Serialize, Clone)]
#[serde(untagged)]
pub(crate) enum Issue {
    InvalidType {
        code: &'static str,
        expected: &'static str,
        received: String,
        path: Vec<String>,
        message: String,
    },
    InvalidEnum {
        received: String,
        code: &'static str,
        options: Vec<&'static str>,
        path: Vec<String>,
        message: String,
    },
}

impl Issue {
    /// A required string field that is missing or not a string.
    pub(crate) fn invalid_type(field: &str, received: &str) -> Self {
        let message = if received == "undefined" {
            "Required".to_owned()
        } else {
            format!("Expected string, received {received}")
        };
        Issue::InvalidType {
            code: "invalid_type",
            expected: "string",
            received: received.to_owned(),
            path: vec![field.to_owned()],
            message,
        }
    }

    /// A value outside an enum such as `"true" | "false"`.
    pub(crate) fn invalid_enum(field: &str, received: &str, options: &[&'static str]) -> Self {
        let expected = options
            .iter()
            .map(|o| format!("'{o}'"))
            .collect::<Vec<_>>()
            .join(" | ");
        Issue::InvalidEnum {
            received: received.to_owned(),
            code: "invalid_enum_value",
            options: options.to_vec(),
            path: vec![field.to_owned()],
            message: format!("Invalid enum value. Expected {expected}, received '{received}'"),
        }
    }
}

/// Fastify's own `404` for a route it does not have (key order differs from app errors).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FastifyNotFound {
    pub(crate) message: String,
    pub(crate) error: &'static str,
    pub(crate) status_code: u16,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginBody {
    pub(crate) access_token: String,
    #[serde(rename = "expiresIn")]
    pub(crate) expires_in: u64,
    #[serde(rename = "accessTokenMaxTTL")]
    pub(crate) access_token_max_ttl: u64,
    pub(crate) token_type: &'static str,
}

#[derive(Serialize)]
pub(crate) struct MessageBody {
    pub(crate) message: &'static str,
}

#[derive(Serialize)]
pub(crate) struct ListBody {
    pub(crate) secrets: Vec<SecretJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) imports: Option<Vec<ImportBlock>>,
}

#[derive(Serialize)]
pub(crate) struct SingleBody {
    pub(crate) secret: SecretJson,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ImportBlock {
    pub(crate) secret_path: String,
    pub(crate) environment: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) folder_id: Option<String>,
    pub(crate) secrets: Vec<SecretJson>,
}

#[derive(Serialize)]
pub(crate) struct TagJson {
    id: String,
    slug: String,
    color: Option<String>,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MetadataJson {
    key: String,
    value: String,
    is_encrypted: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ActorJson {
    actor_id: Option<String>,
    actor_type: Option<String>,
    name: Option<String>,
    membership_id: Option<String>,
    group_id: Option<String>,
}

/// A field that may be left out, be `null`, or hold a value.
#[derive(Debug, Default)]
pub(crate) enum Field<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<T> Field<T> {
    fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// `null` when `present`, else left out.
    fn null_if(present: bool) -> Self {
        if present { Field::Null } else { Field::Absent }
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Field::Value(value) => value.serialize(serializer),
            Field::Absent | Field::Null => serializer.serialize_none(),
        }
    }
}

/// A secret as either generation serialises it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SecretJson {
    id: String,
    #[serde(rename = "_id")]
    legacy_id: String,
    workspace: String,
    environment: String,
    version: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    secret_key: String,
    secret_value: String,
    secret_comment: String,
    #[serde(skip_serializing_if = "Field::is_absent")]
    secret_reminder_note: Field<String>,
    #[serde(skip_serializing_if = "Field::is_absent")]
    secret_reminder_repeat_days: Field<u32>,
    skip_multiline_encoding: bool,
    #[serde(skip_serializing_if = "Field::is_absent")]
    metadata: Field<()>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
    #[serde(skip_serializing_if = "Field::is_absent")]
    actor: Field<ActorJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_rotated_secret: Option<bool>,
    #[serde(skip_serializing_if = "Field::is_absent")]
    rotation_id: Field<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_value_hidden: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_metadata: Option<Vec<MetadataJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<TagJson>>,
}

/// Where a secret appears, which decides its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// An item of `secrets` in a list.
    ListItem,
    /// An item of an import block.
    ImportItem,
    /// The `secret` of a single get on `/api/v4`.
    Single,
    /// The `secret` of a single get on `/api/v3/secrets/raw` (no `secretPath` on either
    /// generation, recordings v30 of 2024 and v46 of 2025).
    SingleV3,
    /// The `secret` of a single get that was found through an import.
    SingleImported,
}

/// The text the server puts in place of a value the caller may not read.
pub(crate) const HIDDEN_VALUE: &str = "<hidden-by-infisical>";

/// Serialises `secret` with `value` (already expanded or hidden) in the shape of `legacy`
/// or current servers.
pub(crate) fn secret_json(
    secret: &Secret,
    value: String,
    hidden: bool,
    shape: Shape,
    legacy: bool,
    project_id: &str,
) -> SecretJson {
    let is_import = shape == Shape::ImportItem;
    let has_times = !is_import;
    let has_tags = matches!(shape, Shape::ListItem | Shape::Single | Shape::SingleV3)
        || (!legacy && shape == Shape::SingleImported);
    let has_path = if legacy {
        shape == Shape::ListItem
    } else {
        !matches!(shape, Shape::ImportItem | Shape::SingleV3)
    };
    // Secrets inside import blocks carry an empty `workspace` and no reminder fields (2024 and
    // 2025 alike).
    let legacy_import = is_import;
    let current = !legacy;
    // A single secret found in the folder itself has no rotation fields (2025, v30 and v46).
    let has_rotation = current && !matches!(shape, Shape::Single | Shape::SingleV3);
    SecretJson {
        id: secret.id.clone(),
        legacy_id: secret.id.clone(),
        workspace: if legacy_import {
            String::new()
        } else {
            project_id.to_owned()
        },
        environment: secret.environment.clone(),
        version: secret.version,
        kind: if secret.personal {
            "personal"
        } else {
            "shared"
        },
        secret_key: secret.key.clone(),
        secret_value: value,
        secret_comment: secret.comment.clone(),
        secret_reminder_note: Field::null_if(!legacy_import),
        secret_reminder_repeat_days: Field::null_if(!legacy_import),
        skip_multiline_encoding: secret.skip_multiline_encoding,
        metadata: Field::null_if(legacy),
        created_at: has_times.then(|| secret.created_at.clone()),
        updated_at: has_times.then(|| secret.updated_at.clone()),
        // The June 2025 server sends no `actor`; newer ones do, so it is served when set.
        actor: match (&secret.actor, current) {
            (Some(actor), true) => Field::Value(actor_json(actor)),
            _ => Field::Absent,
        },
        is_rotated_secret: has_rotation.then_some(false),
        rotation_id: Field::null_if(has_rotation),
        secret_path: has_path.then(|| secret.path.clone()),
        secret_value_hidden: current.then_some(hidden),
        secret_metadata: current.then(|| {
            secret
                .metadata
                .iter()
                .map(|(key, value)| MetadataJson {
                    key: key.clone(),
                    value: value.clone(),
                    is_encrypted: false,
                })
                .collect()
        }),
        tags: has_tags.then(|| secret.tags.iter().map(tag_json).collect()),
    }
}

fn tag_json(tag: &Tag) -> TagJson {
    TagJson {
        id: tag.id.clone(),
        slug: tag.slug.clone(),
        color: tag.color.clone(),
        name: tag.slug.clone(),
    }
}

fn actor_json(actor: &Actor) -> ActorJson {
    ActorJson {
        actor_id: Some(actor.id.clone()),
        actor_type: Some(actor.kind.clone()),
        name: Some(actor.name.clone()),
        membership_id: Some(actor.membership_id.clone()),
        group_id: None,
    }
}
