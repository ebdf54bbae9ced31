//! The signing secret of a zero-set-up installation: generated on first start and kept
//! in a file beside the SQLite database, so that `veikart token` and the server agree.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the HS256 secret in use came from (printed at start-up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    File(PathBuf),
    Generated(PathBuf),
}

/// Reads the secret from `path`, or creates the file with 32 random bytes (hex, mode 0600)
/// when it does not exist yet.
pub fn load_or_create_secret(path: &Path) -> std::io::Result<(Vec<u8>, SecretSource)> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((
            text.trim().as_bytes().to_vec(),
            SecretSource::File(path.to_owned()),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(hex.as_bytes())?;
                    Ok((hex.into_bytes(), SecretSource::Generated(path.to_owned())))
                }
                // Another process created it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    load_or_create_secret(path)
                }
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_generated_once_and_then_reused() {
        let dir = tempfile_dir();
        let path = dir.join("v.db.jwt-secret");
        let (first, source) = load_or_create_secret(&path).unwrap();
        assert!(matches!(source, SecretSource::Generated(_)));
        assert_eq!(first.len(), 64);
        let (second, source) = load_or_create_secret(&path).unwrap();
        assert_eq!(first, second);
        assert!(matches!(source, SecretSource::File(_)));
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let mut suffix = [0u8; 8];
        getrandom::fill(&mut suffix).unwrap();
        let name: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("veikart-secret-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
