//! An attachment as the regulator publishes it, whatever its file format:
//! text lines (titles, notes) and table rows, in reading order, each with
//! the place a person would look for it (page, table, row).
//!
//! The PDF and docx readers produce a [`Document`]; the attachment reader
//! (`attachment.rs`) finds its tables, headers and continuations in it.
//! Keeping this shape between them means the table logic is written once
//! and tested without any file format.

use std::fmt;

/// Where a block sits in its file, for messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// 1-based page (PDF).
    pub page: Option<u32>,
    /// 1-based table of the document (docx; PDF when tables can be told apart).
    pub table: Option<u32>,
    /// 1-based row within the table, or line within the page for text.
    pub row: Option<u32>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(p) = self.page {
            parts.push(format!("page {p}"));
        }
        if let Some(t) = self.table {
            parts.push(format!("table {t}"));
        }
        if let Some(r) = self.row {
            parts.push(format!("row {r}"));
        }
        if parts.is_empty() {
            f.write_str("start")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// One piece of an attachment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// Text outside any table: a title such as
    /// 「生成式人工智能服务已备案和已登记信息（2025年3月）」, a caption, a note.
    /// One block per line (PDF) or paragraph (docx).
    Text { text: String, place: Place },
    /// A table row: its cells left to right, each cell's wrapped lines
    /// joined as the reader best can (a line break inside a cell is kept as
    /// `\n` when the reader cannot tell whether the break was a space).
    Row { cells: Vec<String>, place: Place },
}

impl Block {
    pub fn place(&self) -> &Place {
        match self {
            Block::Text { place, .. } | Block::Row { place, .. } => place,
        }
    }
}

/// An attachment's content in reading order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
}

/// Why a document could not be read at all. A single bad row is not a
/// document error: readers return the row as it is and the attachment
/// reader reports it.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Not a file of the format the reader expected, or damaged.
    #[error("{file}: {message}")]
    Damaged { file: String, message: String },
    /// A page whose text cannot be read: a scanned image, or a font
    /// without a Unicode map.
    #[error("{file}: page {page}: {message}")]
    Unreadable {
        file: String,
        page: u32,
        message: String,
    },
}
