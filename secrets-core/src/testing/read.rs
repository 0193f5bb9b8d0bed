//! The secret routes: list and single get, on `/api/v4` and `/api/v3/secrets/raw`.
//!
//! A little over 500 lines: the four routes share their checks (project, environment,
//! folder, permissions) and their answers differ by version in small ways that read best side
//! by side.

use axum::http::StatusCode;

use super::handler::{Reply, error, validation_failure, values_forbidden};
use super::json::{
    HIDDEN_VALUE, ImportBlock, Issue, ListBody, SecretJson, Shape, SingleBody, secret_json,
};
use super::state::{Config, Secret, Store, ValueAccess};

/// At most this many references are substituted along one chain; what the last one brings
/// in stays literal.
const MAX_REFERENCE_DEPTH: usize = 10;
/// Nested imports are followed this deep.
const MAX_IMPORT_DEPTH: usize = 10;
/// `recursive=true` lists folders at most this many levels below the requested one.
const MAX_RECURSION_DEPTH: usize = 20;

const BOOL: &[&str] = &["true", "false"];

/// Which generation of the secrets API a request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    V3,
    V4,
}

/// The decoded query string, repeated keys kept.
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a parameter given once; `None` if absent or empty.
    fn get(&self, name: &str) -> Option<&str> {
        self.all(name).next().filter(|v| !v.trim().is_empty())
    }

    fn is_true(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }

    /// The zod checks of the route's query schema: enum parameters must hold one of their
    /// values, and no parameter may be repeated (it would arrive as an array).
    fn validate(&self, enums: &[(&str, &[&'static str])], strings: &[&str]) -> Vec<Issue> {
        let mut issues = Vec::new();
        for name in strings {
            if self.all(name).count() > 1 {
                issues.push(Issue::invalid_type(name, "array"));
            }
        }
        for (name, options) in enums {
            let values: Vec<&str> = self.all(name).collect();
            match values.as_slice() {
                [] => {}
                [value] if options.contains(value) => {}
                [value] => issues.push(Issue::invalid_enum(name, value, options)),
                _ => issues.push(Issue::invalid_type(name, "array")),
            }
        }
        issues
    }
}

/// How personal overrides are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Personal {
    /// v3: shared and personal entries side by side; the client picks.
    Both,
    /// v4 without `includePersonalOverrides`: shared only.
    SharedOnly,
    /// v4 with `includePersonalOverrides=true`: a personal entry replaces the shared one.
    Override,
}

/// What a request asks to see, and how.
struct View<'a> {
    cfg: &'a Config,
    store: &'a Store,
    expand: bool,
    /// `viewSecretValue` (current servers; the 2024 server had no such parameter).
    show_values: bool,
    personal: Personal,
}

impl View<'_> {
    fn legacy(&self) -> bool {
        self.cfg.is_legacy()
    }

    /// The value to serve for `secret`, and whether it is hidden.
    fn value(&self, secret: &Secret) -> (String, bool) {
        if !self.legacy() && (secret.access == ValueAccess::Hidden || !self.show_values) {
            return (HIDDEN_VALUE.to_owned(), true);
        }
        if !self.expand {
            return (secret.value.clone(), false);
        }
        let expanded = self.expand_refs(&secret.environment, &secret.path, &secret.value, 0);
        // With `skipMultilineEncoding`, an expanded multi-line value comes back quoted with
        // its newlines escaped.
        if secret.skip_multiline_encoding && expanded.contains('\n') {
            return (format!("\"{}\"", expanded.replace('\n', "\\n")), false);
        }
        (expanded, false)
    }

    fn render(&self, secret: &Secret, shape: Shape) -> SecretJson {
        let (value, hidden) = self.value(secret);
        secret_json(
            secret,
            value,
            hidden,
            shape,
            self.legacy(),
            &self.cfg.project_id,
        )
    }

    /// Replaces `${KEY}`, `${env.KEY}` and `${env.a.b.KEY}` by their values. A reference to
    /// nothing (or to an empty value) stays as written.
    fn expand_refs(&self, environment: &str, path: &str, value: &str, depth: usize) -> String {
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return out;
            };
            let reference = &after[..end];
            match self.resolve(environment, path, reference) {
                Some(target) if depth + 1 < MAX_REFERENCE_DEPTH => out.push_str(&self.expand_refs(
                    &target.environment,
                    &target.path,
                    &target.value,
                    depth + 1,
                )),
                Some(target) => out.push_str(&target.value),
                None => out.push_str(&rest[start..=start + 2 + end]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn resolve(&self, environment: &str, path: &str, reference: &str) -> Option<&Secret> {
        // Current servers only recognise `[A-Za-z0-9_.-]+` inside `${}`; 2024 took anything.
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        if reference.is_empty() || (!self.legacy() && !reference.chars().all(allowed)) {
            return None;
        }
        let parts: Vec<&str> = reference.split('.').collect();
        let (env, folder, key) = match parts.as_slice() {
            [key] => (environment.to_owned(), path.to_owned(), *key),
            [env, middle @ .., key] => {
                let folder = if middle.is_empty() {
                    "/".to_owned()
                } else {
                    format!("/{}", middle.join("/"))
                };
                ((*env).to_owned(), folder, *key)
            }
            [] => return None,
        };
        let personal = (self.personal == Personal::Override)
            .then(|| self.store.find(&env, &folder, key, true))
            .flatten();
        personal
            .or_else(|| self.store.find(&env, &folder, key, false))
            .filter(|s| !s.value.is_empty())
    }

    /// The secrets of `folders`, in id order, with personal entries as the route serves them.
    fn direct<'s>(&'s self, environment: &str, folders: &[String]) -> Vec<&'s Secret> {
        let store = self.store;
        let twin = |s: &Secret, personal: bool| {
            store
                .find(&s.environment, &s.path, &s.key, personal)
                .is_some()
        };
        store
            .secrets()
            .iter()
            .filter(|s| s.environment == environment && folders.contains(&s.path))
            .filter_map(|s| match self.personal {
                Personal::SharedOnly if s.personal => None,
                Personal::Override if s.personal && twin(s, false) => None,
                Personal::Override if !s.personal && twin(s, true) => {
                    store.find(&s.environment, &s.path, &s.key, true)
                }
                _ => Some(s),
            })
            .collect()
    }

    /// One block per import of `folders`, in position order. The server does not merge them.
    fn import_blocks(&self, environment: &str, folders: &[String]) -> Vec<ImportBlock> {
        folders
            .iter()
            .flat_map(|folder| self.store.imports_of(environment, folder))
            .map(|import| {
                let folder_id = self
                    .store
                    .folder_id(&import.from_environment, &import.from_path)
                    .map(str::to_owned);
                let mut visited = vec![(import.from_environment.clone(), import.from_path.clone())];
                let secrets = self
                    .imported(&import.from_environment, &import.from_path, 1, &mut visited)
                    .into_iter()
                    .map(|s| self.render(s, Shape::ImportItem))
                    .collect();
                ImportBlock {
                    secret_path: import.from_path.clone(),
                    environment: import.from_environment.clone(),
                    folder_id,
                    secrets,
                }
            })
            .collect()
    }

    /// The shared secrets one import brings: the folder's own, then those of its own imports
    /// that it does not already have.
    fn imported<'s>(
        &'s self,
        environment: &str,
        path: &str,
        depth: usize,
        visited: &mut Vec<(String, String)>,
    ) -> Vec<&'s Secret> {
        let mut out: Vec<&Secret> = self
            .store
            .in_folder(environment, path)
            .filter(|s| !s.personal)
            .collect();
        if depth >= MAX_IMPORT_DEPTH {
            return out;
        }
        let nested: Vec<(String, String)> = self
            .store
            .imports_of(environment, path)
            .map(|i| (i.from_environment.clone(), i.from_path.clone()))
            .collect();
        for (env, folder) in nested {
            if visited.contains(&(env.clone(), folder.clone())) {
                continue;
            }
            visited.push((env.clone(), folder.clone()));
            for secret in self.imported(&env, &folder, depth + 1, visited) {
                if !out.iter().any(|s| s.key == secret.key) {
                    out.push(secret);
                }
            }
        }
        out
    }
}

/// The parameters common to list and get, after validation.
struct Target {
    environment: String,
    path: String,
}

/// Checks the project, environment and folder path parameters.
fn target(cfg: &Config, query: &Query, api: Api) -> Result<Target, Reply> {
    let (project, missing) = match api {
        Api::V4 => (
            query.get("projectId").map(|id| (id, false)),
            "Missing project id or environment",
        ),
        Api::V3 => (
            query
                .get("workspaceId")
                .map(|id| (id, false))
                .or_else(|| query.get("workspaceSlug").map(|slug| (slug, true))),
            "Missing workspace id or environment",
        ),
    };
    let (Some((project, is_slug)), Some(environment)) = (project, query.get("environment")) else {
        return Err(error(cfg, 400, "BadRequest", missing));
    };
    let project = project.trim();
    if is_slug && project != cfg.project_slug {
        return Err(error(
            cfg,
            404,
            "NotFound",
            format!("Project with slug '{project}' not found"),
        ));
    }
    if !is_slug && project != cfg.project_id {
        let message = if cfg.is_legacy() {
            "Project not found during bot lookup. Are you sure you are using the correct project ID?".to_owned()
        } else {
            format!(
                "Project with ID '{project}' not found during bot lookup. Are you sure you are using the correct project ID?"
            )
        };
        return Err(error(cfg, 404, "NotFound", message));
    }
    let raw = query.all("secretPath").next().unwrap_or("/").trim();
    let path = match raw.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ if raw.is_empty() => "/",
        _ => raw,
    };
    // Folder names are `[A-Za-z0-9_-]+`; a path that starts with `/` but holds another
    // character in a segment is a bad request rather than a missing folder. (A path without
    // the leading `/` matches no folder.)
    let valid_segment = |seg: &str| {
        !seg.is_empty()
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
    };
    if path != "/" && path.starts_with('/') && !path[1..].split('/').all(valid_segment) {
        return Err(error(cfg, 400, "BadRequest", "Invalid folder name"));
    }
    Ok(Target {
        environment: environment.trim().to_owned(),
        path: path.to_owned(),
    })
}

fn enums_for(cfg: &Config, api: Api, single: bool) -> Vec<(&'static str, &'static [&'static str])> {
    let mut enums: Vec<(&str, &[&str])> =
        vec![("expandSecretReferences", BOOL), ("include_imports", BOOL)];
    if !single {
        enums.push(("recursive", BOOL));
    }
    if api == Api::V4 {
        enums.push(("includeImports", BOOL));
        if !single {
            enums.push(("includePersonalOverrides", BOOL));
        }
    }
    if !cfg.is_legacy() {
        enums.push(("viewSecretValue", BOOL));
    }
    if single {
        enums.push(("type", &["shared", "personal"]));
    }
    enums
}

const STRING_PARAMS: &[&str] = &[
    "projectId",
    "workspaceId",
    "workspaceSlug",
    "environment",
    "secretPath",
];

fn view<'a>(cfg: &'a Config, store: &'a Store, query: &Query, personal: Personal) -> View<'a> {
    View {
        cfg,
        store,
        expand: query.is_true("expandSecretReferences"),
        show_values: query.get("viewSecretValue") != Some("false"),
        personal,
    }
}

/// `GET /api/v4/secrets` and `GET /api/v3/secrets/raw`.
/// Whether the caller may see `secret`'s key but not read its value.
fn is_unreadable(secret: &Secret, unreadable: &[(String, String, String)]) -> bool {
    secret.access == ValueAccess::Unreadable
        || unreadable.iter().any(|(env, path, key)| {
            *env == secret.environment && *path == secret.path && *key == secret.key
        })
}

pub(crate) fn list(
    cfg: &Config,
    store: &Store,
    query: &Query,
    api: Api,
    unreadable: &[(String, String, String)],
) -> Reply {
    let issues = query.validate(&enums_for(cfg, api, false), STRING_PARAMS);
    if !issues.is_empty() {
        return validation_failure(cfg, issues);
    }
    let target = match target(cfg, query, api) {
        Ok(target) => target,
        Err(reply) => return reply,
    };
    let personal = match api {
        Api::V3 => Personal::Both,
        Api::V4 if query.is_true("includePersonalOverrides") => Personal::Override,
        Api::V4 => Personal::SharedOnly,
    };
    let view = view(cfg, store, query, personal);
    // Only the snake-case spelling works; camelCase `includeImports` is ignored (June 2025,
    // recording v13).
    let with_imports = query.is_true("include_imports");
    let Target { environment, path } = target;
    if store.folder_id(&environment, &path).is_none() {
        // An unknown environment or folder lists as empty: 2024 (fixtures v43, v45) and
        // June 2025 alike (v23, v24, v44, v45), on both routes.
        return Reply::json(
            StatusCode::OK,
            &ListBody {
                secrets: Vec::new(),
                imports: Some(Vec::new()),
            },
        );
    }
    let folders = if query.is_true("recursive") {
        store.folders_within(&environment, &path, MAX_RECURSION_DEPTH)
    } else {
        vec![path]
    };
    let direct = view.direct(&environment, &folders);
    if view.show_values && !cfg.is_legacy() {
        // One value the identity may not read refuses the whole list (recordings v71, v76).
        let denied: Vec<&str> = direct
            .iter()
            .filter(|s| is_unreadable(s, unreadable))
            .map(|s| s.key.as_str())
            .collect();
        if !denied.is_empty() {
            return values_forbidden(&denied);
        }
    }
    let secrets = direct
        .into_iter()
        .map(|s| view.render(s, Shape::ListItem))
        .collect();
    let imports = if with_imports {
        Some(view.import_blocks(&environment, &folders))
    } else if cfg.is_legacy() {
        // 2024 leaves the key out when imports were not asked for (fixture v10).
        None
    } else {
        Some(Vec::new())
    };
    Reply::json(StatusCode::OK, &ListBody { secrets, imports })
}

/// A single get's answer for a folder or environment that does not exist.
fn no_folder(cfg: &Config, environment: &str, path: &str) -> Reply {
    if cfg.is_legacy() {
        // The odd `error` value is what the 2024 server sent (fixture v48).
        error(
            cfg,
            404,
            "Create secret",
            "Folder not found for the given environment slug & secret path",
        )
    } else {
        // The `error` name is the service function's (recordings v36, v48 of 2025).
        error(
            cfg,
            404,
            "GetSecretByName",
            format!("Folder with path '{path}' in environment with slug '{environment}' not found"),
        )
    }
}

/// `GET /api/v4/secrets/{name}` and `GET /api/v3/secrets/raw/{name}`.
pub(crate) fn get(
    cfg: &Config,
    store: &Store,
    query: &Query,
    name: &str,
    api: Api,
    unreadable: &[(String, String, String)],
) -> Reply {
    let mut issues = query.validate(&enums_for(cfg, api, true), STRING_PARAMS);
    let version = match query.get("version").map(|v| v.trim().parse::<u32>()) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => {
            issues.push(Issue::InvalidType {
                code: "invalid_type",
                expected: "number",
                received: "nan".to_owned(),
                path: vec!["version".to_owned()],
                message: "Expected number, received nan".to_owned(),
            });
            None
        }
    };
    if !issues.is_empty() {
        return validation_failure(cfg, issues);
    }
    let target = match target(cfg, query, api) {
        Ok(target) => target,
        Err(reply) => return reply,
    };
    let Target { environment, path } = target;
    if store.folder_id(&environment, &path).is_none() {
        return no_folder(cfg, &environment, &path);
    }
    let personal = query.get("type") == Some("personal");
    let view = view(cfg, store, query, Personal::Both);
    // Only the snake-case spelling works; camelCase `includeImports` is ignored (June 2025,
    // recording v13).
    let with_imports = query.is_true("include_imports");
    let not_found = || {
        let message = if cfg.is_legacy() {
            "Secret not found".to_owned()
        } else {
            format!("Secret with name '{name}' not found")
        };
        error(cfg, 404, "NotFound", message)
    };
    if let Some(secret) = store.find(&environment, &path, name, personal) {
        if is_unreadable(secret, unreadable) && view.show_values && !cfg.is_legacy() {
            return error(
                cfg,
                403,
                "ForbiddenReadSecretError",
                format!(
                    "You do not have permission to view secret value on secret with name '{name}'"
                ),
            );
        }
        let secret = match version {
            Some(v) if v != secret.version => {
                let Some((_, old)) = secret.history.iter().find(|(n, _)| *n == v) else {
                    return error(cfg, 404, "NotFound", "Secret version not found");
                };
                Secret {
                    value: old.clone(),
                    version: v,
                    ..secret.clone()
                }
            }
            _ => secret.clone(),
        };
        let shape = match api {
            Api::V4 => Shape::Single,
            Api::V3 => Shape::SingleV3,
        };
        let secret = view.render(&secret, shape);
        return Reply::json(StatusCode::OK, &SingleBody { secret });
    }
    if !with_imports || personal {
        return not_found();
    }
    // Imports are searched from the last one back; the first match wins.
    let imports: Vec<(String, String)> = store
        .imports_of(&environment, &path)
        .map(|i| (i.from_environment.clone(), i.from_path.clone()))
        .collect();
    for (env, folder) in imports.iter().rev() {
        let mut visited = vec![(env.clone(), folder.clone())];
        if let Some(secret) = view
            .imported(env, folder, 1, &mut visited)
            .into_iter()
            .find(|s| s.key == name)
        {
            let secret = view.render(secret, Shape::SingleImported);
            return Reply::json(StatusCode::OK, &SingleBody { secret });
        }
    }
    not_found()
}
