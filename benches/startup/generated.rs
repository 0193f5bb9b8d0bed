//! Structs of 10 to 5,000 keys for the scaling, CPU and memory runs.
//!
//! Writing out 5,000 fields is no test of anything, so these implement [`Secrets`] by hand over
//! a `const` key table built at compile time. The loader path is the one `#[derive(Secrets)]`
//! takes: the same trait, the same `Loader`, one `Resolved::take` per key.

use secrets_core::{
    Error, SecretString, Secrets,
    spec::{KeySpec, Resolved, StructSpec},
};

/// The Infisical environment of every benchmark struct.
pub(crate) const ENVIRONMENT: &str = "prod";

/// `KEY_0000` to `KEY_9999`.
pub(crate) const NAME_LEN: usize = 8;

/// `KEY_0000`, `KEY_0001`, ... as bytes, so that a `static` can hold them.
pub(crate) const fn key_names<const N: usize>() -> [[u8; NAME_LEN]; N] {
    assert!(N <= 10_000, "four digits");
    let mut names = [*b"KEY_0000"; N];
    let mut i = 0;
    while i < N {
        let mut n = i;
        let mut digit = NAME_LEN;
        while digit > 4 {
            digit -= 1;
            // `n % 10` is below 10: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation)]
            let d = (n % 10) as u8;
            names[i][digit] = b'0' + d;
            n /= 10;
        }
        i += 1;
    }
    names
}

/// One required key per name, spread evenly over `folders` in order; no env var, so every
/// value must come from Infisical.
pub(crate) const fn key_specs<const N: usize>(
    names: &'static [[u8; NAME_LEN]; N],
    folders: &'static [&'static str],
) -> [KeySpec; N] {
    assert!(!folders.is_empty() && N.is_multiple_of(folders.len()));
    let per_folder = N / folders.len();
    let mut specs = [KeySpec::new("", ""); N];
    let mut i = 0;
    while i < N {
        let Ok(key) = core::str::from_utf8(&names[i]) else {
            panic!("key names are ASCII");
        };
        specs[i] = KeySpec::new(key, key).with_folder(folders[i / per_folder]);
        i += 1;
    }
    specs
}

/// A generated struct: its values in key order.
pub(crate) trait Generated: Secrets {
    fn values(&self) -> &[SecretString];
}

/// Takes every value, recording a problem for each one that is missing.
fn take_all(mut resolved: Resolved, count: usize) -> Result<Vec<SecretString>, Error> {
    let values: Vec<Option<SecretString>> = (0..count).map(|i| resolved.take(i, Ok)).collect();
    match values.into_iter().collect::<Option<Vec<_>>>() {
        Some(values) if resolved.is_ok() => Ok(values),
        _ => Err(resolved.into_error()),
    }
}

macro_rules! generated {
    ($(#[$doc:meta])* $name:ident: $keys:literal keys in [$($folder:literal),+ $(,)?]) => {
        $(#[$doc])*
        pub(crate) struct $name(Vec<SecretString>);

        impl Secrets for $name {
            const SPEC: StructSpec = {
                static NAMES: [[u8; NAME_LEN]; $keys] = key_names();
                static KEYS: [KeySpec; $keys] = key_specs(&NAMES, &[$($folder),+]);
                StructSpec::new(stringify!($name), &KEYS).with_default_environment(ENVIRONMENT)
            };

            fn from_resolved(resolved: Resolved) -> Result<Self, Error> {
                take_all(resolved, $keys).map(Self)
            }
        }

        impl Generated for $name {
            fn values(&self) -> &[SecretString] {
                &self.0
            }
        }
    };
}

generated!(
    /// 10 keys in one folder.
    Keys10: 10 keys in ["/keys-10"]
);
generated!(
    /// 100 keys in one folder.
    Keys100: 100 keys in ["/keys-100"]
);
generated!(
    /// 1,000 keys in one folder.
    Keys1000: 1000 keys in ["/keys-1000"]
);
generated!(
    /// One folder of 10 keys.
    Folders1: 10 keys in ["/folders-1"]
);
generated!(
    /// Three folders of 10 keys.
    Folders3: 30 keys in ["/folders-3-a", "/folders-3-b", "/folders-3-c"]
);
generated!(
    /// Ten folders of 10 keys.
    Folders10: 100 keys in [
        "/folders-10-0", "/folders-10-1", "/folders-10-2", "/folders-10-3", "/folders-10-4",
        "/folders-10-5", "/folders-10-6", "/folders-10-7", "/folders-10-8", "/folders-10-9",
    ]
);
generated!(
    /// Every key of the 5,000-secret listing of the CPU run, in one folder.
    Listing5000: 5000 keys in ["/big"]
);
