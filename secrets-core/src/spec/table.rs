//! The key table of a struct with `#[secret(flatten)]` fields, built in a `const`.
//!
//! `#[secret(flatten, prefix = "DB_")]`: the nested struct's keys become part of the outer
//! table, a `const` built by `KeyTable`. A prefixed key is a new string, and `key()` is a
//! `&'static str` that the loader, the report and the provenance read everywhere; rather than
//! keep the prefix apart in `KeySpec` and make every reader compose it (and allocate), the
//! derive writes every prefixed name into one `const` byte array (`prefixed_names`, sized by
//! `prefixed_len`), and `KeyTable::flatten` slices the names out of it: `&'static str`s made
//! at compile time, so nothing changes for the readers.

use super::{KeySpec, StructSpec};

/// `a == b`, in a `const`.
pub(super) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `a == b` of two optional names, in a `const`.
const fn opt_eq(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => str_eq(a, b),
        (None, None) => true,
        _ => false,
    }
}

/// Whether `key` takes `prefix`, and then whether its file variable does too.
const fn takes_prefix(key: &KeySpec, prefix: &str) -> (bool, bool) {
    let key_too = !prefix.is_empty() && key.named_by_field;
    (
        key_too,
        key_too && key.env_is_key() && key.file_env.is_some(),
    )
}

/// The number of bytes of every name `prefix` makes out of `nested`'s keys.
#[doc(hidden)]
#[must_use]
pub const fn prefixed_len(nested: StructSpec, prefix: &str) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < nested.keys.len() {
        let key = &nested.keys[i];
        let (key_too, file_too) = takes_prefix(key, prefix);
        if key_too {
            len += prefix.len() + key.key.len();
        }
        if file_too && let Some(file) = key.file_env {
            len += prefix.len() + file.len();
        }
        i += 1;
    }
    len
}

/// Every name `prefix` makes out of `nested`'s keys, one after the other, in the order
/// [`KeyTable::flatten`] reads them.
///
/// # Panics
/// When `LEN` is not [`prefixed_len`] (at compile time).
#[doc(hidden)]
#[must_use]
pub const fn prefixed_names<const LEN: usize>(nested: StructSpec, prefix: &str) -> [u8; LEN] {
    const fn put(out: &mut [u8], at: usize, s: &str) -> usize {
        let s = s.as_bytes();
        let mut i = 0;
        while i < s.len() {
            out[at + i] = s[i];
            i += 1;
        }
        at + s.len()
    }
    let mut out = [0u8; LEN];
    let mut at = 0;
    let mut i = 0;
    while i < nested.keys.len() {
        let key = &nested.keys[i];
        let (key_too, file_too) = takes_prefix(key, prefix);
        if key_too {
            at = put(&mut out, at, prefix);
            at = put(&mut out, at, key.key);
        }
        if file_too && let Some(file) = key.file_env {
            at = put(&mut out, at, prefix);
            at = put(&mut out, at, file);
        }
        i += 1;
    }
    assert!(at == LEN, "prefixed names of the wrong length");
    out
}

/// The next `len` bytes of `names` as a string, and the rest.
const fn cut(names: &'static [u8], len: usize) -> (&'static str, &'static [u8]) {
    let (name, rest) = names.split_at(len);
    match std::str::from_utf8(name) {
        Ok(name) => (name, rest),
        Err(_) => panic!("a prefixed name is not UTF-8"),
    }
}

/// The key table of a struct with `#[secret(flatten)]` fields, built in a `const`: the
/// struct's own keys and every nested struct's, in field order.
#[doc(hidden)]
pub struct KeyTable<const N: usize> {
    keys: [KeySpec; N],
    len: usize,
}

impl<const N: usize> KeyTable<N> {
    #[must_use]
    pub const fn new() -> Self {
        Self {
            keys: [KeySpec::new("", ""); N],
            len: 0,
        }
    }

    /// Adds one key of the struct itself.
    ///
    /// # Panics
    /// When the table is full (a bug of the derive; at compile time, in a `const`).
    #[must_use]
    pub const fn key(mut self, key: KeySpec) -> Self {
        assert!(self.len < N, "more keys than the table holds");
        self.keys[self.len] = key;
        self.len += 1;
        self
    }

    /// Adds the keys of a flattened struct: `prefix` starts the keys it derived from field
    /// names (the names are in `names`, from [`prefixed_names`]), and a key without its own
    /// folder takes the nested struct's.
    ///
    /// # Panics
    /// When the nested struct sets `environment`, or the table is full (at compile time).
    #[must_use]
    pub const fn flatten(mut self, nested: StructSpec, prefix: &str, names: &'static [u8]) -> Self {
        assert!(
            nested.environment.is_none(),
            "a struct flattened into another cannot set `environment`: set it on the outer struct"
        );
        let mut names = names;
        let mut i = 0;
        while i < nested.keys.len() {
            let mut key = nested.keys[i];
            let (key_too, file_too) = takes_prefix(&key, prefix);
            if key_too {
                let env_is_key = key.env_is_key();
                let (name, rest) = cut(names, prefix.len() + key.key.len());
                names = rest;
                key.key = name;
                if env_is_key {
                    key.env = Some(name);
                }
            }
            if file_too && let Some(file) = key.file_env {
                let (name, rest) = cut(names, prefix.len() + file.len());
                names = rest;
                key.file_env = Some(name);
            }
            if key.path.is_none() {
                key.path = nested.path;
            }
            self = self.key(key);
            i += 1;
        }
        self
    }

    /// The table, once every key is in.
    ///
    /// # Panics
    /// When a key is missing (a bug of the derive; at compile time).
    #[must_use]
    pub const fn finish(self) -> [KeySpec; N] {
        assert!(self.len == N, "fewer keys than the table holds");
        self.keys
    }
}

impl<const N: usize> Default for KeyTable<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a key of `keys[first..first + first_len]` and one of
/// `keys[second..second + second_len]` are the same secret
/// (same key in the same folder, `None` being the struct's) or read the same variable.
#[doc(hidden)]
#[must_use]
pub const fn clashes(
    keys: &[KeySpec],
    first: usize,
    first_len: usize,
    second: usize,
    second_len: usize,
) -> bool {
    let mut at = first;
    while at < first + first_len {
        let mut other = second;
        while other < second + second_len {
            let (left, right) = (&keys[at], &keys[other]);
            let same_key = str_eq(left.key, right.key) && opt_eq(left.path, right.path);
            let same_env = match (left.env, right.env) {
                (Some(l), Some(r)) => str_eq(l, r),
                _ => false,
            };
            let same_file = match (left.file_env, right.file_env) {
                (Some(l), Some(r)) => str_eq(l, r),
                _ => false,
            };
            if same_key || same_env || same_file {
                return true;
            }
            other += 1;
        }
        at += 1;
    }
    false
}
