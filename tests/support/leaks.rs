//! The capture of the leak tests (`test_leaks_*`): one sentinel, put in every place a secret
//! can come from, and the checks that it never shows in a `Display`, a `Debug`, a log line
//! (everything down to TRACE, `log` records of the HTTP stack included) or a panic message.
//!
//! The subscriber and the panic hook are process-wide, so work on other threads and tasks is
//! captured too.

use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use secrets_core::{Error, ProblemKind};

use super::Sink;

/// What must never be shown. Checks look for its tail, so a partial or escaped echo is
/// caught too.
pub(crate) const SENTINEL: &str = "SENTINEL-7f3a9c";
pub(crate) const TELL: &str = "7f3a9c";

pub(crate) struct Capture {
    pub(crate) logs: Sink,
    pub(crate) panics: Sink,
}

/// Installs, once per process, a TRACE subscriber writing into a buffer (it also forwards
/// `log` records, which reqwest uses) and a panic hook that records every panic message.
pub(crate) fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let logs = Sink::default();
        let writer = logs.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("the only subscriber of this test binary");
        let panics = Sink::default();
        let recorder = panics.clone();
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = writeln!(recorder.clone(), "{info}");
            default_hook(info);
        }));
        Capture { logs, panics }
    })
}

/// Panics if `text` holds the sentinel, naming where it was seen.
#[track_caller]
pub(crate) fn assert_clean(what: &str, text: &str) {
    // Not `assert!(.., "{text}")`: the failure message would carry the sentinel on.
    if let Some(at) = text.find(TELL) {
        let context = &text[at.saturating_sub(80)..at];
        panic!("the sentinel leaked into {what}, after: {context:?}");
    }
}

/// Every way a user can print an error, and each problem's parts.
#[track_caller]
pub(crate) fn assert_error_clean(what: &str, error: &Error) {
    assert_clean(what, &error.to_string());
    assert_clean(what, &format!("{error:?}"));
    assert_clean(what, &format!("{error:#?}"));
    for problem in error.problems() {
        assert_clean(what, &problem.to_string());
        assert_clean(what, &format!("{:?}", problem.kind()));
        assert_clean(what, &format!("{:?}", problem.tried()));
        for lookup in problem.tried() {
            assert_clean(what, &lookup.to_string());
        }
        if let ProblemKind::Store(e) = problem.kind() {
            assert_clean(what, &format!("{e} {e:?} {:?}", e.message()));
        }
    }
    // What `main` returning `Err`, `unwrap` and `expect` print.
    let unwrapped = catch_unwind(AssertUnwindSafe(|| {
        std::hint::black_box(Err::<(), _>(error.clone())).expect("loading secrets");
    }));
    assert!(unwrapped.is_err());
}

/// The whole capture so far: every log line and panic message of the process.
#[track_caller]
pub(crate) fn assert_capture_clean() {
    let capture = capture();
    assert_clean("a log line", &capture.logs.text());
    assert_clean("a panic message", &capture.panics.text());
}
