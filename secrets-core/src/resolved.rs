//! Values found for each key, handed to [`Secrets::from_resolved`](crate::Secrets) for
//! conversion.

use secrecy::SecretString;

use crate::error::{Error, Problem, ProblemKind, Report};
use crate::source::{Lookup, Source};
use crate::spec::StructSpec;

/// The outcome of looking up every key of a struct: a value (and where it came from) per key,
/// plus every problem found so far. Conversions add their own problems.
#[derive(Debug)]
pub struct Resolved {
    spec: StructSpec,
    slots: Vec<Slot>,
    problems: Vec<(usize, Problem)>,
    /// Closing lines of the report, said only when it fails.
    notes: Vec<String>,
}

#[derive(Debug)]
pub(crate) enum Slot {
    /// A source held a value.
    Value {
        value: SecretString,
        source: Source,
        tried: Vec<Lookup>,
    },
    /// No source held a value and the key is optional (or its empty value means `None`).
    Absent,
    /// A problem was already recorded for this key.
    Failed,
}

impl Resolved {
    pub(crate) fn new(spec: StructSpec) -> Self {
        Self {
            spec,
            slots: Vec::with_capacity(spec.keys().len()),
            problems: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, slot: Slot) {
        self.slots.push(slot);
    }

    pub(crate) fn fail(&mut self, index: usize, problem: Problem) {
        self.problems.push((index, problem));
    }

    pub(crate) fn fail_config(&mut self, problem: Problem) {
        self.problems.push((usize::MAX, problem));
    }

    /// A line that closes the report when a key is missing: it may explain why (no store was
    /// configured), without being a problem itself.
    pub(crate) fn note_if_missing(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Converts the value of key `index` with `convert`, recording a problem when it fails or
    /// when the key had no value. `None` means a problem was recorded.
    pub fn take<T>(
        &mut self,
        index: usize,
        convert: impl FnOnce(SecretString) -> Result<T, String>,
    ) -> Option<T> {
        self.take_optional(index, convert).flatten()
    }

    /// Like [`take`](Self::take) for an optional key: `Some(None)` when the key is absent.
    pub fn take_optional<T>(
        &mut self,
        index: usize,
        convert: impl FnOnce(SecretString) -> Result<T, String>,
    ) -> Option<Option<T>> {
        let slot = std::mem::replace(self.slots.get_mut(index)?, Slot::Failed);
        match slot {
            Slot::Absent => Some(None),
            Slot::Failed => None,
            Slot::Value {
                value,
                source,
                tried,
            } => match convert(value) {
                Ok(v) => Some(Some(v)),
                Err(reason) => {
                    let spec = self.spec.keys()[index];
                    let kind = ProblemKind::Invalid { source, reason };
                    self.fail(
                        index,
                        Problem::for_key(spec.key(), spec.field(), kind, tried),
                    );
                    None
                }
            },
        }
    }

    /// Whether no problem has been recorded.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The report of every problem, in field order, configuration problems last.
    #[must_use]
    pub fn into_error(mut self) -> Error {
        if self.problems.is_empty() {
            // Only a hand-written `from_resolved` that drops a value without taking it gets
            // here; say so rather than report success as failure with no reason.
            self.fail_config(Problem::config(
                "a field was not taken from the resolved values (hand-written `Secrets` impl?)",
            ));
        }
        self.problems.sort_by_key(|(index, _)| *index);
        let any_missing = self
            .problems
            .iter()
            .any(|(_, p)| matches!(p.kind(), ProblemKind::Missing));
        if !any_missing {
            self.notes.clear();
        }
        let problems = crate::report::group_store_failures(self.problems)
            .into_iter()
            .map(|(_, p)| p)
            .collect();
        Error::Load(Report::new(self.spec.name(), problems).with_notes(self.notes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::KeySpec;

    const SENTINEL: &str = "default-sentinel-4f1c";
    static KEYS: [KeySpec; 1] = [KeySpec::new("DATABASE_URL", "database_url")
        .with_env_var("DATABASE_URL")
        .with_default(SENTINEL)];
    const SPEC: StructSpec = StructSpec::new("AppSecrets", &KEYS).with_folder("/app");

    #[test]
    fn debug_of_specs_and_resolved_values_hides_defaults() {
        let mut resolved = Resolved::new(SPEC);
        resolved.push(Slot::Value {
            value: SecretString::from(SENTINEL),
            source: Source::Default,
            tried: Vec::new(),
        });
        for shown in [
            format!("{:?}", KEYS[0]),
            format!("{SPEC:?}"),
            format!("{resolved:?}"),
            format!("{resolved:#?}"),
        ] {
            assert!(!shown.contains(SENTINEL), "{shown}");
            assert!(shown.contains("[REDACTED]"), "{shown}");
        }
        // Whether there is a default stays visible.
        let none = KeySpec::new("PORT", "port");
        assert!(format!("{none:?}").contains("default: None"));
    }
}
