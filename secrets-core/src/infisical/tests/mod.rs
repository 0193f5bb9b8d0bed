//! The client's unit tests: byte-exact replays of the recorded servers through the parsers
//! and the status table, and the client's behaviour on a fake server where the integration
//! suite does not reach (raw bytes, resets, private state).

mod builder;
mod conditional;
mod fake;
pub(crate) mod recordings;
mod requests;
mod server_text;
mod server_text_2025;
mod tokens;
mod transport;
mod wire;
mod wire_2025;
