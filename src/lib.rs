//! Examples and integration tests of `secrets-core` live in `examples/` and `tests/` beside
//! this file; the package itself has no code.
