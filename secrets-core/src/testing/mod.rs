//! A fake Infisical server for tests (placeholder).
