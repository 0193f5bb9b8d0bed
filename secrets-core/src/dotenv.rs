//! A `.env` file for local development, read only when the loader is asked to
//! ([`Loader::dotenv`](crate::Loader::dotenv)).
//!
//! Parsed by `dotenvy`'s iterator, never its loaders: those write the process environment
//! (`set_var`), which this library never does. The file goes through the library's one capped
//! reader like every other secret file, so a FIFO or a device is refused, not opened.

use std::cell::Cell;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::file;

/// What the loader found at its `.env` path.
pub(crate) enum DotEnv {
    /// No file there: fine, said once in the provenance.
    Missing,
    /// The file's entries, by name; the first entry of a name wins, as in `dotenvy`.
    Read(HashMap<String, Entry>),
    /// The file could not be read or holds a line that is not `NAME=value`: why, naming the
    /// file and the line, never a value.
    Invalid(String),
}

/// One `NAME=value` of the file.
pub(crate) struct Entry {
    pub(crate) value: SecretString,
    /// The line the entry ends on (a quoted value may span lines), from 1.
    pub(crate) line: usize,
}

/// Reads and parses the `.env` file at `path`.
pub(crate) async fn read(path: &Path) -> DotEnv {
    match file::read_off_thread(path.to_owned(), file::DOTENV_MAX).await {
        Ok(bytes) => parse(path, &bytes),
        Err(file::FileError::NotFound) => DotEnv::Missing,
        Err(reason) => DotEnv::Invalid(format!("{} could not be read: {reason}", path.display())),
    }
}

/// Parses `bytes`, the content of the `.env` file at `path`.
fn parse(path: &Path, bytes: &[u8]) -> DotEnv {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let line = Rc::new(Cell::new(0));
    let reader = LineCounter {
        rest: bytes,
        line: Rc::clone(&line),
        after_break: true,
    };
    let mut entries = HashMap::new();
    for item in dotenvy::Iter::new(reader) {
        match item {
            Ok((name, value)) => {
                let value = SecretString::from(value);
                let line = line.get();
                entries.entry(name).or_insert(Entry { value, line });
            }
            Err(error) => {
                // `dotenvy`'s error holds the line's text, which may be a value: only its
                // kind is kept.
                let why = match error {
                    dotenvy::Error::Io(_) => "could not be read",
                    _ => "is not a `NAME=value` line",
                };
                let line = line.get();
                return DotEnv::Invalid(format!("{} line {line} {why}", path.display()));
            }
        }
    }
    DotEnv::Read(entries)
}

/// Hands the content to `dotenvy` one byte per read, keeping the line of the last byte read,
/// so that when it yields an entry (or an error) that is the line the entry ends on: its
/// buffered reader reads a line at a time and so never reads past the line it parses.
struct LineCounter<'a> {
    rest: &'a [u8],
    line: Rc<Cell<usize>>,
    after_break: bool,
}

impl Read for LineCounter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let (Some(&byte), Some(slot)) = (self.rest.first(), buf.first_mut()) else {
            return Ok(0);
        };
        *slot = byte;
        self.rest = &self.rest[1..];
        if self.after_break {
            self.line.set(self.line.get() + 1);
        }
        self.after_break = byte == b'\n';
        Ok(1)
    }
}

/// The note when keys are missing and a `.env` in the working directory was not read.
pub(crate) fn unread_note() -> Option<String> {
    let path = PathBuf::from(".env");
    file::check(&path, file::DOTENV_MAX).ok()?;
    Some(
        "a .env file exists in the working directory but was not read: to read it, call `.dotenv(\".env\")` on the loader"
            .to_owned(),
    )
}

/// The value of an entry, as the process environment would give it.
pub(crate) fn os_value(entry: &Entry) -> std::ffi::OsString {
    let text = Zeroizing::new(entry.value.expose_secret().to_owned());
    std::ffi::OsString::from(text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> HashMap<String, Entry> {
        match parse(Path::new(".env"), text.as_bytes()) {
            DotEnv::Read(entries) => entries,
            DotEnv::Invalid(message) => panic!("{message}"),
            DotEnv::Missing => unreachable!(),
        }
    }

    #[test]
    fn each_entry_knows_its_line() {
        let text = "\u{feff}# comment\nA=1\n\nB='two\nlines'\nexport C=3 # trailing\nA=again\nD=4";
        let entries = entries(text);
        let line = |name: &str| entries[name].line;
        assert_eq!((line("A"), line("B"), line("C"), line("D")), (2, 5, 6, 8));
        assert_eq!(
            entries["A"].value.expose_secret(),
            "1",
            "the first entry wins"
        );
        assert_eq!(entries["B"].value.expose_secret(), "two\nlines");
        assert_eq!(entries["C"].value.expose_secret(), "3");
    }

    #[test]
    fn a_bad_line_is_named_by_number_without_its_text() {
        for (text, line) in [
            ("A=1\nB secret-value\n", 2),
            ("A=1\nB=\"secret-value\n", 2),
            ("A=1\r\n\r\nB secret-value", 3),
        ] {
            let DotEnv::Invalid(message) = parse(Path::new("dev/.env"), text.as_bytes()) else {
                panic!("{text:?} parsed");
            };
            assert_eq!(
                message,
                format!("dev/.env line {line} is not a `NAME=value` line")
            );
            assert!(!message.contains("secret"), "{message}");
        }
    }
}
