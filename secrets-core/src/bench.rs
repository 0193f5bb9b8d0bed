//! What the benchmarks in `benches/` time directly, and nothing else: the client's internals
//! that no public path reaches without adding a server's work to the measurement.

/// Parses and merges one Infisical list body exactly as a load does: the entry point of the
/// CPU benchmark in `benches/startup`, which compares it with a bare `serde_json` parse.
///
/// # Errors
/// The position where the body stopped being a listing.
pub fn parse_infisical_listing(
    body: &[u8],
    folder: &crate::store::Folder,
) -> Result<crate::store::FolderSecrets, String> {
    crate::infisical::parse_listing(body, folder)
        .map_err(|e| format!("not a listing (line {}, column {})", e.line(), e.column()))
}
