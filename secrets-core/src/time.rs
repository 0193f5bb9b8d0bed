//! Deadlines that cannot overflow, whatever duration a caller or a server hands us.

use std::time::Duration;

use tokio::time::Instant;

/// `now + wait`, or a moment decades away when that would overflow (`Duration::MAX` is a
/// fair way to say "no deadline", and `Instant + Duration` panics on overflow).
pub(crate) fn after(wait: Duration) -> Instant {
    const FAR: Duration = Duration::from_hours(24 * 365 * 30);
    let now = Instant::now();
    now.checked_add(wait.min(FAR)).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_waits_do_not_overflow() {
        let far = after(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_hours(24 * 365));
        let soon = after(Duration::from_secs(1));
        assert!(soon <= Instant::now() + Duration::from_secs(1));
    }
}
