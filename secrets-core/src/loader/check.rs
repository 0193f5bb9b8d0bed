//! The run-time re-check of a spec's names: the derive checks them at compile time, but
//! [`Secrets`](crate::Secrets) is a public trait and a hand-written impl could carry anything.
//! The grammar and its messages are `names.rs`, the file the derive compiles too.

use std::collections::HashMap;

use crate::error::Problem;
use crate::names;
use crate::resolved::Resolved;
use crate::spec::KeySpec;

/// Reports, as configuration problems, every name of `keys` that breaks the grammar or is
/// reserved, and every name two fields share.
pub(super) fn check_spec(keys: &[KeySpec], resolved: &mut Resolved) {
    // The first field of each name, so that a collision names both (two flattened groups,
    // say, or a hand-written table).
    let mut seen_env = HashMap::with_capacity(keys.len());
    let mut seen_keys = HashMap::with_capacity(keys.len());
    for key in keys {
        let field = key.field();
        let names = key.env_var().into_iter().chain(key.file_var());
        for name in names {
            if !names::is_env_name(name) {
                let problem = names::invalid_env_name(name);
                resolved.fail_config(Problem::config(format!("field {field}: {problem}")));
            } else if let Some(reserved) = names::reserved(name) {
                let problem = names::reserved_env_var(name, reserved);
                resolved.fail_config(Problem::config(format!("field {field}: {problem}")));
            }
            if let Some(first) = seen_env.insert(name, field) {
                resolved.fail_config(Problem::config(format!(
                    "field {field}: env var `{name}` is used by two fields ({first} and {field})"
                )));
            }
        }
        if !names::is_store_key(key.key()) {
            let problem = names::invalid_store_key(key.key());
            resolved.fail_config(Problem::config(format!("field {field}: {problem}")));
        }
        if let Some(first) = seen_keys.insert((key.folder(), key.key()), field) {
            resolved.fail_config(Problem::config(format!(
                "field {field}: key `{}` is used by two fields of one folder ({first} and {field})",
                key.key(),
            )));
        }
    }
}
