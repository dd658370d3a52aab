//! Placeholder: the PDF reader is being written (issue 14).

use super::document::{Document, DocumentError};

/// Reads the text lines and table rows of a PDF attachment.
pub fn read(file: &str, _bytes: &[u8]) -> Result<Document, DocumentError> {
    Err(DocumentError::Damaged {
        file: file.to_string(),
        message: "PDF attachments are not read yet".into(),
    })
}
