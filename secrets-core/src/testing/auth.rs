//! Logins, token renew and revoke, and the `Authorization` check of the data routes.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use serde_json::Value;

use super::handler::{Reply, error, token_error, validation_failure};
use super::json::{Issue, LoginBody, MessageBody};
use super::state::{Auth, Config, Credential, TokenString};
use super::util;

const EXPIRED: &str = "Your token has expired. Please re-authenticate.";
const MALFORMED: &str = "The provided access token is malformed. Please use a valid token or generate a new one and try again.";
const NO_TOKEN_ROW: &str = "No identity access token found";
const TTL_EXPIRED: &str = "Failed to renew MI access token due to TTL expiration";

/// A login or renew body: a JSON object or a form.
pub(crate) type Fields = BTreeMap<String, Value>;

/// Reads a JSON or form body, as Fastify's content-type parsers do.
pub(crate) async fn read_body(
    cfg: &Config,
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Fields, Reply> {
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return Err(error(
            cfg,
            413,
            "PayloadTooLarge",
            "Request body is too large",
        ));
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if bytes.is_empty() {
        return Ok(Fields::new());
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok(url::form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect());
    }
    if content_type.starts_with("application/json") || content_type.contains("+json") {
        return match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map.into_iter().collect()),
            Ok(_) => Ok(Fields::new()),
            Err(_) => Err(error(
                cfg,
                400,
                "BadRequest",
                "Body is not valid JSON but content-type is set to 'application/json'",
            )),
        };
    }
    Err(error(
        cfg,
        415,
        "UnsupportedMediaType",
        format!("Unsupported Media Type: {content_type}"),
    ))
}

/// Takes the required string `names` from `fields` (trimmed), or the zod issues of the ones
/// that are missing or not strings.
fn required<const N: usize>(fields: &Fields, names: [&str; N]) -> Result<[String; N], Vec<Issue>> {
    let mut issues = Vec::new();
    let values = names.map(|name| match fields.get(name) {
        Some(Value::String(s)) => s.trim().to_owned(),
        other => {
            let received = match other {
                None => "undefined",
                Some(Value::Null) => "null",
                Some(Value::Bool(_)) => "boolean",
                Some(Value::Number(_)) => "number",
                Some(Value::Array(_)) => "array",
                Some(_) => "object",
            };
            issues.push(Issue::invalid_type(name, received));
            String::new()
        }
    });
    if issues.is_empty() {
        Ok(values)
    } else {
        Err(issues)
    }
}

pub(crate) fn universal_login(cfg: &Config, auth: &mut Auth, fields: &Fields) -> Reply {
    let [client_id, client_secret] = match required(fields, ["clientId", "clientSecret"]) {
        Ok(values) => values,
        Err(issues) => return validation_failure(cfg, issues),
    };
    let found = auth
        .identities
        .iter()
        .find_map(|identity| match &identity.credential {
            Credential::Universal {
                client_id: id,
                client_secret: secret,
            } if *id == client_id => Some((identity.id.clone(), secret == &client_secret)),
            _ => None,
        });
    match found {
        // Both generations tell unknown client ids apart (2024 v04, June 2025 v04).
        None => error(
            cfg,
            404,
            "NotFound",
            "No identity with specified client ID was found",
        ),
        Some((_, false)) => error(cfg, 401, "UnauthorizedError", "Invalid credentials"),
        Some((identity_id, true)) => issue(cfg, auth, &identity_id),
    }
}

pub(crate) fn kubernetes_login(cfg: &Config, auth: &mut Auth, fields: &Fields) -> Reply {
    let [identity_id, jwt] = match required(fields, ["identityId", "jwt"]) {
        Ok(values) => values,
        Err(issues) => return validation_failure(cfg, issues),
    };
    let found = auth
        .identities
        .iter()
        .find_map(|identity| match &identity.credential {
            Credential::Kubernetes {
                identity_id: id,
                jwt: expected,
            } if *id == identity_id => Some(*expected == jwt),
            _ => None,
        });
    match found {
        None => error(
            cfg,
            404,
            "NotFound",
            "Kubernetes auth method not found for identity, did you configure Kubernetes auth?",
        ),
        Some(false) => error(
            cfg,
            401,
            "UnauthorizedError",
            "Access denied: Kubernetes token review failed (the service account token is not valid)",
        ),
        Some(true) => issue(cfg, auth, &identity_id),
    }
}

/// Issues a token for a successful login.
fn issue(cfg: &Config, auth: &mut Auth, identity_id: &str) -> Reply {
    let ttl = cfg.token_ttl;
    let max_ttl = cfg.max_ttl();
    let record = auth.new_record(identity_id.to_owned(), ttl, max_ttl, false);
    let token = mint(cfg, auth, record, identity_id, ttl, max_ttl);
    login_body(&token, ttl, max_ttl)
}

fn login_body(token: &str, ttl: Duration, max_ttl: Duration) -> Reply {
    Reply::json(
        StatusCode::OK,
        &LoginBody {
            access_token: token.to_owned(),
            expires_in: ttl.as_secs(),
            access_token_max_ttl: max_ttl.as_secs(),
            token_type: "Bearer",
        },
    )
}

/// A JWT-shaped token: a real header and payload (so clients can read `exp`), a random
/// signature. The JWT `exp` is creation + max TTL on the 2024 server and issue time + TTL on
/// the current one.
fn mint(
    cfg: &Config,
    auth: &mut Auth,
    record: u64,
    identity_id: &str,
    ttl: Duration,
    max_ttl: Duration,
) -> String {
    let lifetime = if cfg.is_legacy() { max_ttl } else { ttl };
    let iat = util::unix_now();
    let mut payload = serde_json::json!({
        "identityId": identity_id,
        "identityAccessTokenId": util::new_uuid(),
        "authTokenType": "identityAccessToken",
        "iat": iat,
    });
    if !lifetime.is_zero() {
        payload["exp"] = Value::from(iat + lifetime.as_secs());
    }
    let signature: Vec<u8> = (0..4)
        .flat_map(|_| util::random_u64().to_be_bytes())
        .collect();
    let token = format!(
        "{}.{}.{}",
        util::base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        util::base64url(payload.to_string().as_bytes()),
        util::base64url(&signature)
    );
    let exp = (!lifetime.is_zero()).then(|| Instant::now() + lifetime);
    auth.tokens
        .insert(token.clone(), TokenString { record, exp });
    token
}

/// Why a token the fake did not issue is refused, in the words of `jsonwebtoken` as the
/// server's error handler rewrites them.
fn unknown_token_message(token: &str) -> &'static str {
    if token.is_empty() {
        return "jwt must be provided";
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return MALFORMED;
    }
    let header_is_json = util::base64url_decode(parts[0])
        .and_then(|h| serde_json::from_slice::<Value>(&h).ok())
        .is_some_and(|v| v.is_object());
    if header_is_json {
        "invalid signature"
    } else {
        "invalid token"
    }
}

/// The checks of `jwt.verify` and then of the token row, in the server's order; returns the
/// token row's id.
fn check_token(cfg: &Config, auth: &mut Auth, token: &str) -> Result<u64, Reply> {
    let now = Instant::now();
    let Some(issued) = auth.tokens.get(token) else {
        return Err(token_error(cfg, unknown_token_message(token)));
    };
    let id = issued.record;
    let jwt_expired = issued.exp.is_some_and(|exp| now > exp);
    let Some(record) = auth.records.get_mut(&id) else {
        return Err(error(cfg, 401, "UnauthorizedError", NO_TOKEN_ROW));
    };
    // Current servers put the TTL into the JWT, so an expired token already fails
    // verification; the 2024 server only found out from the token row.
    if jwt_expired || (!cfg.is_legacy() && record.forced_expired) {
        return Err(token_error(cfg, EXPIRED));
    }
    if record.gone {
        return Err(error(cfg, 401, "UnauthorizedError", NO_TOKEN_ROW));
    }
    if record.ttl_passed(now) {
        record.gone = true;
        return Err(error(cfg, 401, "UnauthorizedError", TTL_EXPIRED));
    }
    Ok(id)
}

/// The `Authorization` check of a data route: the caller's Universal Auth client id or
/// Kubernetes identity id, `None` for a static or service token.
pub(crate) fn authenticate(
    cfg: &Config,
    auth: &mut Auth,
    headers: &HeaderMap,
) -> Result<Option<String>, Reply> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(error(cfg, 401, "UnauthorizedError", "Token missing"));
    };
    // The server drops the first seven characters, whatever they are, and expects `Bearer `.
    let value = String::from_utf8_lossy(value.as_bytes());
    let token: String = value.chars().skip(7).collect();
    if token.starts_with("st.") {
        return check_service_token(cfg, auth, &token).map(|()| None);
    }
    let record = check_token(cfg, auth, &token)?;
    let identity = auth.records.get(&record).map(|r| r.identity_id.as_str());
    Ok(auth
        .identities
        .iter()
        .find(|i| Some(i.id.as_str()) == identity)
        .map(|i| match &i.credential {
            Credential::Universal { client_id, .. } => client_id.clone(),
            Credential::Kubernetes { identity_id, .. } => identity_id.clone(),
        }))
}

fn check_service_token(cfg: &Config, auth: &Auth, token: &str) -> Result<(), Reply> {
    let mut parts = token.split('.').skip(1);
    let id = parts.next().unwrap_or_default();
    let secret = parts.next().unwrap_or_default();
    match auth.service_tokens.iter().find(|(known, _)| known == id) {
        None => Err(error(cfg, 404, "NotFound", "Service token not found")),
        Some((_, expected)) if expected != secret => Err(error(
            cfg,
            401,
            "UnauthorizedError",
            "Invalid service token",
        )),
        Some(_) => Ok(()),
    }
}

pub(crate) fn renew(cfg: &Config, auth: &mut Auth, fields: &Fields) -> Reply {
    let [token] = match required(fields, ["accessToken"]) {
        Ok(values) => values,
        Err(issues) => return validation_failure(cfg, issues),
    };
    let id = match check_token(cfg, auth, &token) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    let now = Instant::now();
    let Some(record) = auth.records.get_mut(&id) else {
        return error(cfg, 401, "UnauthorizedError", NO_TOKEN_ROW);
    };
    let (ttl, max_ttl) = (record.ttl, record.max_ttl);
    if !max_ttl.is_zero() {
        let ceiling = record.created + max_ttl;
        // A renew that would reach past the max TTL deletes the token (fixture v60).
        let message = if now > ceiling {
            Some("Failed to renew MI access token due to Max TTL expiration")
        } else if now + ttl > ceiling {
            Some("Failed to renew MI access token past its Max TTL expiration")
        } else {
            None
        };
        if let Some(message) = message {
            record.gone = true;
            return error(cfg, 401, "UnauthorizedError", message);
        }
    }
    record.last_renewed = Some(now);
    let (is_static, identity_id) = (record.is_static, record.identity_id.clone());
    if cfg.is_legacy() || is_static {
        // The 2024 server extends the same token (fixture v81).
        return login_body(&token, ttl, max_ttl);
    }
    let fresh = mint(cfg, auth, id, &identity_id, ttl, max_ttl);
    login_body(&fresh, ttl, max_ttl)
}

pub(crate) fn revoke(cfg: &Config, auth: &mut Auth, fields: &Fields) -> Reply {
    let [token] = match required(fields, ["accessToken"]) {
        Ok(values) => values,
        Err(issues) => return validation_failure(cfg, issues),
    };
    let id = match check_token(cfg, auth, &token) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    if let Some(record) = auth.records.get_mut(&id) {
        record.gone = true;
    }
    Reply::json(
        StatusCode::OK,
        &MessageBody {
            message: "Successfully revoked access token",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_tokens_are_told_apart() {
        assert_eq!(unknown_token_message("not-a-real-token"), MALFORMED);
        let header = util::base64url(br#"{"alg":"HS256"}"#);
        assert_eq!(
            unknown_token_message(&format!("{header}.e30.sig")),
            "invalid signature"
        );
        assert_eq!(unknown_token_message("abc.def.ghi"), "invalid token");
        assert_eq!(unknown_token_message(""), "jwt must be provided");
    }

    #[test]
    fn missing_fields_become_zod_issues() {
        let mut fields = Fields::new();
        fields.insert("clientId".to_owned(), Value::from(" id "));
        fields.insert("clientSecret".to_owned(), Value::from(3));
        let issues = required(&fields, ["clientId", "clientSecret", "other"]).unwrap_err();
        let json = serde_json::to_string(&issues).unwrap();
        assert_eq!(
            json,
            r#"[{"code":"invalid_type","expected":"string","received":"number","path":["clientSecret"],"message":"Expected string, received number"},{"code":"invalid_type","expected":"string","received":"undefined","path":["other"],"message":"Required"}]"#
        );
    }
}
