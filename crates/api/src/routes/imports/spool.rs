//! An import body on its way in: written to an unnamed temporary file as it arrives (so
//! a body of any size up to the import limit costs the service a buffer, not its size in
//! memory), counted, and hashed (SHA-256), before the import reads it. The import's write
//! transaction starts only once the whole body is here, so a slow upload never holds it.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};

use actix_web::http::header;
use actix_web::{HttpRequest, web};
use aws_lc_rs::digest;
use futures_util::StreamExt;

use super::ImportBodyLimit;
use crate::error::ApiError;

/// A whole body, in a temporary file that is removed when this is dropped.
pub struct Spooled {
    pub file: File,
    pub bytes: u64,
    /// SHA-256 of the body, as lowercase hex.
    pub sha256: String,
}

/// Reads the request's body into a temporary file, up to the import limit (413 above it,
/// told by `Content-Length` before anything is read when the client sends one).
pub async fn spool(req: &HttpRequest, mut payload: web::Payload) -> Result<Spooled, ApiError> {
    let limit = req
        .app_data::<web::Data<ImportBodyLimit>>()
        .map_or_else(|| ImportBodyLimit::default().0, |l| l.0);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let file = tempfile::tempfile().map_err(|e| internal("create", &e))?;
    let mut out = BufWriter::with_capacity(256 * 1024, file);
    let mut hash = digest::Context::new(&digest::SHA256);
    let mut bytes = 0usize;
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
        bytes += chunk.len();
        if bytes > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        hash.update(&chunk);
        // Into the page cache: a copy, as cheap as keeping the chunk in memory.
        out.write_all(&chunk).map_err(|e| internal("write", &e))?;
    }
    let mut file = out.into_inner().map_err(|e| internal("write", e.error()))?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| internal("rewind", &e))?;
    Ok(Spooled {
        file,
        bytes: bytes as u64,
        sha256: hex(hash.finish().as_ref()),
    })
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 of `parts`, each preceded by its length (so that no two lists of parts hash
/// alike), as lowercase hex.
pub fn sha256_of(parts: &[&[u8]]) -> String {
    let mut hash = digest::Context::new(&digest::SHA256);
    for part in parts {
        hash.update(&(part.len() as u64).to_be_bytes());
        hash.update(part);
    }
    hex(hash.finish().as_ref())
}

fn internal(what: &str, e: &std::io::Error) -> ApiError {
    ApiError::Internal(format!("could not {what} the import's temporary file: {e}"))
}
