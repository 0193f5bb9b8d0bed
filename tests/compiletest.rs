//! What `#[derive(Secrets)]` says about each mistake, and where: one mistake per file of
//! `tests/ui`, next to the expected compiler output. Inputs that must compile are in
//! `tests/ui-pass`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
