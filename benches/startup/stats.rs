//! Timings: medians, extremes, and how they print.

use std::fmt;
use std::time::Duration;

/// The timings of one thing measured several times.
#[derive(Debug, Clone, Default)]
pub(crate) struct Samples(Vec<Duration>);

impl Samples {
    pub(crate) fn push(&mut self, sample: Duration) {
        self.0.push(sample);
    }

    fn sorted(&self) -> Vec<Duration> {
        let mut sorted = self.0.clone();
        sorted.sort_unstable();
        sorted
    }

    /// The middle sample (the mean of the two middle ones for an even count).
    pub(crate) fn median(&self) -> Duration {
        let sorted = self.sorted();
        assert!(!sorted.is_empty(), "no samples");
        let mid = sorted.len() / 2;
        if sorted.len().is_multiple_of(2) {
            (sorted[mid - 1] + sorted[mid]) / 2
        } else {
            sorted[mid]
        }
    }

    pub(crate) fn min(&self) -> Duration {
        self.0.iter().copied().min().unwrap_or_default()
    }

    pub(crate) fn max(&self) -> Duration {
        self.0.iter().copied().max().unwrap_or_default()
    }

    /// `median (min–max)` in milliseconds.
    pub(crate) fn summary(&self) -> Summary<'_> {
        Summary(self)
    }
}

pub(crate) struct Summary<'a>(&'a Samples);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({} – {})",
            Ms(self.0.median()),
            Ms(self.0.min()),
            Ms(self.0.max())
        )
    }
}

/// A duration in milliseconds, with a precision that suits its size.
pub(crate) struct Ms(pub(crate) Duration);

impl fmt::Display for Ms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_secs_f64() * 1e3;
        if ms >= 100.0 {
            write!(f, "{ms:.0} ms")
        } else if ms >= 1.0 {
            write!(f, "{ms:.1} ms")
        } else {
            write!(f, "{ms:.3} ms")
        }
    }
}

/// `a / b` of two medians.
pub(crate) fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// By how much `to` differs from `from`, in percent.
pub(crate) fn change_percent(from: Duration, to: Duration) -> f64 {
    (ratio(to, from) - 1.0) * 100.0
}
