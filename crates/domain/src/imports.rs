//! What an import is, as its log keeps it: the kind of record it wrote, the format its
//! body was in and the charset it was read in. Each is named on the wire and in the
//! import log by its serde name ([`crate::wire`]).

use serde::{Deserialize, Serialize};

use crate::records::RecordKind;
use crate::wire::wire_name;

/// The kinds of record an import writes, by their collection's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Members,
    Activities,
    Surveys,
    Projects,
    Observations,
    Milestones,
}

wire_name!(ImportKind);

impl ImportKind {
    pub const ALL: [ImportKind; 6] = [
        ImportKind::Members,
        ImportKind::Activities,
        ImportKind::Surveys,
        ImportKind::Projects,
        ImportKind::Observations,
        ImportKind::Milestones,
    ];

    /// The kind of record an import of this kind writes.
    pub fn record_kind(self) -> RecordKind {
        match self {
            ImportKind::Members => RecordKind::Member,
            ImportKind::Activities => RecordKind::Activity,
            ImportKind::Surveys => RecordKind::Survey,
            ImportKind::Projects => RecordKind::Project,
            ImportKind::Observations => RecordKind::Observation,
            ImportKind::Milestones => RecordKind::Milestone,
        }
    }
}

/// An import body's format, from its `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    Json,
    Ndjson,
    Csv,
}

wire_name!(ImportFormat);

/// An import body's character encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ImportCharset {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "windows-1252")]
    Windows1252,
}

wire_name!(ImportCharset);

impl ImportCharset {
    /// The charset a `charset=` label names, as browsers read labels: any case, `utf8`
    /// for UTF-8, and the ISO-8859-1 labels for Windows-1252.
    pub fn from_label(label: &str) -> Option<ImportCharset> {
        match label.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(ImportCharset::Utf8),
            "windows-1252" | "cp1252" | "iso-8859-1" | "latin1" | "l1" => {
                Some(ImportCharset::Windows1252)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charset_label_is_read_as_browsers_read_it() {
        assert_eq!(ImportCharset::from_label("UTF8"), Some(ImportCharset::Utf8));
        assert_eq!(
            ImportCharset::from_label("Latin1"),
            Some(ImportCharset::Windows1252)
        );
        assert_eq!(ImportCharset::from_label("utf-16"), None);
        // The wire and the log know one name each.
        assert_eq!(ImportCharset::Windows1252.as_str(), "windows-1252");
        assert!("latin1".parse::<ImportCharset>().is_err());
    }

    #[test]
    fn an_import_kind_is_named_by_its_records_collection() {
        for kind in ImportKind::ALL {
            assert_eq!(kind.as_str(), kind.record_kind().segment());
        }
    }
}
