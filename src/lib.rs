//! Examples and integration tests of `secrets-core` live in `examples/` and `tests/` beside
//! this file; the package itself has no code.

/// Every Rust snippet of the README, compiled (and run unless marked `no_run`) as a doc test,
/// so that what a reader pastes works.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeSnippets;
