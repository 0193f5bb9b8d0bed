//! After a failed refresh: whether it failed as the last one did (the hook is told once per
//! change of failure state), and how long to wait before the next try.

use std::time::Duration;

use crate::error::{Error, Problem, ProblemKind, StoreError};
use crate::source::Lookup;

/// Whether two failed refreshes failed the same way: the same keys and folders, each with the
/// same kind of problem, and each store error with the same kind, status and Infisical error
/// name. Never by message text, which holds request ids (a fresh `reqId` on every Infisical
/// error) and retry counts.
pub(super) fn same_failure(a: &Error, b: &Error) -> bool {
    match (a.report(), b.report()) {
        (Some(a), Some(b)) => {
            a.target() == b.target()
                && a.problems().len() == b.problems().len()
                && a.problems()
                    .iter()
                    .zip(b.problems())
                    .all(|(p, q)| same_problem(p, q))
        }
        (None, None) => a.to_string() == b.to_string(),
        _ => false,
    }
}

fn same_problem(p: &Problem, q: &Problem) -> bool {
    let same_kind = match (p.kind(), q.kind()) {
        (ProblemKind::Store(a), ProblemKind::Store(b)) => same_store_error(a, b),
        // Every other kind is about local sources or the setup: its text holds no request id.
        (a, b) => a.to_string() == b.to_string(),
    };
    let same_trail = p.tried().len() == q.tried().len()
        && p.tried().iter().zip(q.tried()).all(|pair| match pair {
            (
                Lookup::StoreFailed { store, folder, .. },
                Lookup::StoreFailed {
                    store: other_store,
                    folder: other_folder,
                    ..
                },
            ) => store == other_store && folder == other_folder,
            (a, b) => a == b,
        });
    p.key() == q.key() && p.field() == q.field() && same_kind && same_trail
}

fn same_store_error(a: &StoreError, b: &StoreError) -> bool {
    a.kind() == b.kind()
        && a.status() == b.status()
        && a.name() == b.name()
        && a.folder() == b.folder()
}

/// The longest `Retry-After` any store problem of the report carries.
pub(super) fn retry_after(error: &Error) -> Duration {
    error
        .problems()
        .iter()
        .filter_map(|p| match p.kind() {
            ProblemKind::Store(e) => e.retry_after(),
            _ => None,
        })
        .max()
        .unwrap_or_default()
}

/// After `failures` failed refreshes in a row: a tenth of the interval (at least one second),
/// doubled per further failure, at most `max`.
pub(super) fn backoff(interval: Duration, failures: u32, max: Duration) -> Duration {
    let base = (interval / 10).max(Duration::from_secs(1));
    let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(16));
    base.saturating_mul(factor).min(max)
}

pub(super) fn jittered(wait: Duration, jitter: f64) -> Duration {
    if jitter == 0.0 {
        return wait;
    }
    let spread = (fastrand::f64() * 2.0 - 1.0) * jitter;
    // `mul_f64` panics past `Duration::MAX`; an enormous wait just stays as it is.
    Duration::try_from_secs_f64(wait.as_secs_f64() * (1.0 + spread).max(0.0)).unwrap_or(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StoreErrorKind;
    use crate::source::Folder;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let interval = Duration::from_mins(1);
        let max = Duration::from_secs(40);
        let waits: Vec<u64> = (1..=6)
            .map(|n| backoff(interval, n, max).as_secs())
            .collect();
        assert_eq!(waits, [6, 12, 24, 40, 40, 40]);
        assert_eq!(
            backoff(Duration::from_millis(100), 1, max),
            Duration::from_secs(1)
        );
        assert_eq!(backoff(interval, u32::MAX, max), max);
    }

    /// A load that failed on `DATABASE_URL` with `store` (for its folder `prod:/`) and on
    /// `PORT`, missing with a store failure in its trail.
    fn failed(store: StoreError, trail_reason: &str) -> Error {
        use crate::error::Report;
        let folder = Folder::new("prod", "/");
        let store = match store.folder() {
            Some(_) => store,
            None => store.with_folder(folder.clone()),
        };
        let problems = vec![
            Problem::for_key(
                "DATABASE_URL",
                "database_url",
                ProblemKind::Store(store),
                Vec::new(),
            ),
            Problem::for_key(
                "PORT",
                "port",
                ProblemKind::Missing,
                vec![
                    Lookup::StoreFailed {
                        store: "Infisical",
                        folder,
                        reason: trail_reason.to_owned(),
                    },
                    Lookup::EnvNotSet("PORT".to_owned()),
                ],
            ),
        ];
        Error::Load(Report::new("AppSecrets", problems))
    }

    fn token_error(req_id: &str) -> StoreError {
        StoreError::new(
            StoreErrorKind::Unauthorized,
            format!("access token rejected: Your token has expired (attempt for {req_id})"),
        )
        .with_status(403)
        .with_name("TokenError")
        .with_req_id(req_id)
    }

    #[test]
    fn failures_are_the_same_by_what_they_are_not_by_their_text() {
        let a = failed(token_error("req-1"), "answered 403 (reqId req-1)");
        let b = failed(token_error("req-2"), "answered 403 (reqId req-2)");
        assert_ne!(a.to_string(), b.to_string());
        assert!(same_failure(&a, &b));
        // Another status, error name, kind or folder is another failure.
        let other_status = failed(token_error("req-3").with_status(401), "x");
        let other_name = failed(token_error("req-4").with_name("PermissionDenied"), "x");
        let other_kind = failed(
            StoreError::new(StoreErrorKind::Forbidden, "no")
                .with_status(403)
                .with_name("TokenError"),
            "x",
        );
        let other_folder = failed(
            token_error("req-5").with_folder(Folder::new("prod", "/other")),
            "x",
        );
        for other in [&other_status, &other_name, &other_kind, &other_folder] {
            assert!(!same_failure(&a, other), "{other}");
        }
        // Other keys, or a configuration error: another failure.
        let config = Error::Config("x".to_owned());
        assert!(!same_failure(&a, &config));
        assert!(same_failure(&config, &Error::Config("x".to_owned())));
        assert!(!same_failure(&config, &Error::Config("y".to_owned())));
    }

    #[test]
    fn jitter_stays_within_its_fraction() {
        let wait = Duration::from_secs(10);
        for _ in 0..1000 {
            let j = jittered(wait, 0.2);
            assert!(
                j >= Duration::from_secs(8) && j <= Duration::from_secs(12),
                "{j:?}"
            );
        }
        assert_eq!(jittered(wait, 0.0), wait);
    }
}
