//! One problem per cause: the store failures of a load folded into one problem each, and how
//! such a problem reads in the report.
//!
//! A listing answers for one folder, so every key of a folder that failed gets the folder's
//! error; a login answers for every folder at once. Shown key by key, one wrong client secret
//! was thirteen copies of the same line. Here the per-key store problems are grouped by what
//! failed: the login (whatever the folder), a server-wide failure of the listings (unreachable,
//! deadline, rate limit, 5xx, a rejected token: the same for every folder), or one folder (not
//! found, forbidden, an answer that was not understood).

use std::fmt;

use crate::error::{Problem, ProblemKind, StoreCall, StoreError, StoreErrorKind};
use crate::source::Folder;

/// How many keys a store failure names before it says how many more there are.
const KEYS_SHOWN: usize = 10;

/// The fix offered under every store failure: falling back is possible, but only on request.
pub(crate) const FALLBACK_FIX: &str = "to start from env vars, files and defaults when the store fails, opt in: Loader::fallback_on_store_error(true), or #[secret(fallback_on_store_error)] on a field";

/// What makes two store failures one cause. Request ids and folders are left out except
/// where the failure is about its folder.
#[derive(PartialEq, Eq)]
struct Cause {
    store: Option<&'static str>,
    call: StoreCall,
    kind: StoreErrorKind,
    status: Option<u16>,
    name: Option<String>,
    message: Option<String>,
    folder: Option<Folder>,
}

impl Cause {
    fn of(error: &StoreError) -> Self {
        Self {
            store: error.store(),
            call: error.call(),
            kind: error.kind(),
            status: error.status(),
            name: error.name().map(str::to_owned),
            message: error.message().map(str::to_owned),
            folder: is_about_its_folder(error)
                .then(|| error.folder().cloned())
                .flatten(),
        }
    }
}

/// Whether a failure is the folder's own (another folder of the same load may well succeed).
fn is_about_its_folder(error: &StoreError) -> bool {
    error.call() == StoreCall::List
        && matches!(
            error.kind(),
            StoreErrorKind::NotFound
                | StoreErrorKind::Forbidden
                | StoreErrorKind::BadRequest
                | StoreErrorKind::InvalidResponse
        )
}

struct Group {
    index: usize,
    cause: Cause,
    error: StoreError,
    req_ids: Vec<String>,
    affected: Vec<(String, &'static str)>,
    folders: Vec<Folder>,
}

/// Folds the per-key store problems of `problems` (sorted by field index) into one problem per
/// cause, placed where its first key was; every other problem stays as it is.
pub(crate) fn group_store_failures(problems: Vec<(usize, Problem)>) -> Vec<(usize, Problem)> {
    let mut out: Vec<(usize, Option<Problem>)> = Vec::with_capacity(problems.len());
    let mut groups: Vec<Group> = Vec::new();
    for (index, problem) in problems {
        let (ProblemKind::Store(error), Some(key), Some(field)) =
            (problem.kind(), problem.key(), problem.field())
        else {
            out.push((index, Some(problem)));
            continue;
        };
        let cause = Cause::of(error);
        let at = if let Some(at) = groups.iter().position(|g| g.cause == cause) {
            at
        } else {
            // A placeholder keeps the group's place in field order.
            out.push((index, None));
            groups.push(Group {
                index,
                cause,
                error: error.clone(),
                req_ids: Vec::new(),
                affected: Vec::new(),
                folders: Vec::new(),
            });
            groups.len() - 1
        };
        let group = &mut groups[at];
        group.affected.push((key.to_owned(), field));
        if let Some(req_id) = error.req_id()
            && !group.req_ids.iter().any(|r| r == req_id)
        {
            group.req_ids.push(req_id.to_owned());
        }
        if let Some(folder) = error.folder()
            && !group.folders.contains(folder)
        {
            group.folders.push(folder.clone());
        }
    }
    let mut groups = groups.into_iter();
    out.into_iter()
        .map(|(index, problem)| {
            problem.map_or_else(
                || {
                    let group = groups.next().expect("one group per placeholder");
                    debug_assert_eq!(group.index, index);
                    (group.index, into_problem(group))
                },
                |problem| (index, problem),
            )
        })
        .collect()
}

fn into_problem(group: Group) -> Problem {
    let mut error = group.error;
    if group.req_ids.len() > 1 {
        error.set_req_id(group.req_ids.join(", "));
    }
    if group.cause.folder.is_none() {
        error.clear_folder();
    }
    let mut fixes: Vec<String> = error.fix().map(str::to_owned).into_iter().collect();
    fixes.push(FALLBACK_FIX.to_owned());
    Problem::store_failure(error, group.affected, group.folders, fixes)
}

/// One store failure in the report: what failed and the server's answer, then the fixes, then
/// the keys it kept from loading.
pub(crate) fn write_store_failure(
    f: &mut fmt::Formatter<'_>,
    error: &StoreError,
    problem: &Problem,
) -> fmt::Result {
    write!(f, "{error}")?;
    // A listing error names its folder; a server-wide one lists every folder it hit.
    let folders = problem.folders();
    if error.call() == StoreCall::List && error.folder().is_none() && !folders.is_empty() {
        f.write_str(" (listing ")?;
        for (i, folder) in folders.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{folder}")?;
        }
        f.write_str(")")?;
    }
    for fix in problem.fixes() {
        write!(f, "\n    {fix}")?;
    }
    let keys: Vec<(&str, &str)> = problem.keys().collect();
    f.write_str("\n    not loaded: ")?;
    for (i, (key, field)) in keys.iter().take(KEYS_SHOWN).enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        write!(f, "{sep}{key} (field {field})")?;
    }
    if keys.len() > KEYS_SHOWN {
        write!(f, " and {} more", keys.len() - KEYS_SHOWN)?;
    }
    if keys.len() > 1 {
        write!(f, " ({} keys)", keys.len())?;
    }
    Ok(())
}
