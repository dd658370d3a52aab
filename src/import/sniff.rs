//! What kind of file a list is, from its bytes: the regulator's download
//! links answer with `downloadfile.jsp` names, and people save a PDF as
//! `.docx` or a workbook as `.csv`, so the extension is only a hint for
//! messages. Pure.

use std::io::{Cursor, Read};

/// The formats an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    /// A Word document (Office Open XML).
    Docx,
    /// A spreadsheet calamine reads: xlsx/xlsm, xlsb, ods, or a legacy xls.
    Workbook,
    /// A legacy Word `.doc` (OLE) — not readable; the message says to save
    /// it as .docx.
    LegacyDoc,
    /// JSON, as `registry export --format json` writes it.
    Json,
    /// Anything else is read as delimited text (CSV/TSV in any encoding).
    Text,
}

impl FileKind {
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Docx => "Word document (docx)",
            FileKind::Workbook => "spreadsheet",
            FileKind::LegacyDoc => "legacy Word document (doc)",
            FileKind::Json => "JSON",
            FileKind::Text => "text (CSV/TSV)",
        }
    }
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The kind of file `bytes` hold.
pub fn sniff(bytes: &[u8]) -> FileKind {
    // A PDF may have junk before its header (the spec allows 1024 bytes).
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return FileKind::Pdf;
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_kind(bytes);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return ole_kind(bytes);
    }
    let text = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'[' | b'{'))
        && serde_json::from_slice::<serde_json::Value>(text).is_ok()
    {
        return FileKind::Json;
    }
    FileKind::Text
}

/// A zip is a docx when it holds `word/document.xml`; any other zip goes
/// to the spreadsheet reader, which names what is wrong with it.
fn zip_kind(bytes: &[u8]) -> FileKind {
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => {
            if archive.file_names().any(|n| n == "word/document.xml") {
                FileKind::Docx
            } else {
                FileKind::Workbook
            }
        }
        Err(_) => FileKind::Workbook,
    }
}

/// An OLE compound file is a legacy workbook or a legacy Word document; the
/// Word one has a `WordDocument` stream, whose UTF-16 name appears in the
/// directory.
fn ole_kind(bytes: &[u8]) -> FileKind {
    let needle: Vec<u8> = "WordDocument"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let mut buf = Vec::new();
    let _ = Cursor::new(bytes).take(4 << 20).read_to_end(&mut buf);
    if buf.windows(needle.len()).any(|w| w == needle.as_slice()) {
        FileKind::LegacyDoc
    } else {
        FileKind::Workbook
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_with(name: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b"<x/>").unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn formats_are_told_by_their_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), FileKind::Pdf);
        assert_eq!(sniff(b"\r\n%PDF-1.4"), FileKind::Pdf);
        assert_eq!(sniff(&zip_with("word/document.xml")), FileKind::Docx);
        assert_eq!(sniff(&zip_with("xl/workbook.xml")), FileKind::Workbook);
        assert_eq!(sniff(b"PK\x03\x04garbage"), FileKind::Workbook);
        assert_eq!(sniff("序号,算法名称\n1,a\n".as_bytes()), FileKind::Text);
        assert_eq!(sniff(b"\xEF\xBB\xBF[{\"a\":1}]"), FileKind::Json);
        assert_eq!(sniff(b"{\"a\": 1}"), FileKind::Json);
        assert_eq!(sniff(b"[not json"), FileKind::Text);
        let mut doc = OLE_MAGIC.to_vec();
        doc.extend("WordDocument".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(sniff(&doc), FileKind::LegacyDoc);
        assert_eq!(sniff(OLE_MAGIC), FileKind::Workbook);
        assert_eq!(sniff(b""), FileKind::Text);
    }
}
