//! Which encoding a text input is in, and decoding it strictly.
//!
//! Excel on Chinese Windows writes CSV in GBK (read as its superset GB18030),
//! or UTF-8 with a byte-order mark, or "Unicode text" in UTF-16LE with a BOM.
//! A wrong guess silently turns vendor names into mojibake that then matches
//! nothing, so decoding here never substitutes U+FFFD: an undecodable byte is
//! an error with its line, which tells the user to pass `--encoding`.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Read};

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Decoder, DecoderResult, Encoding, GB18030, GBK, REPLACEMENT, UTF_8};

use super::InputError;

/// Parses an `--encoding` label: any WHATWG label (utf-8, gbk, gb2312,
/// gb18030, big5, utf-16le, utf-16be, utf-16 = LE, shift_jis...) plus the
/// Windows and Python spellings users type (cp936, utf-8-sig...).
/// GBK and GB2312 are read as GB18030, which decodes a superset of both.
pub fn parse_encoding(label: &str) -> Result<&'static Encoding, InputError> {
    let trimmed = label.trim().to_ascii_lowercase();
    let encoding = match trimmed.as_str() {
        "cp936" | "ms936" | "windows-936" | "936" => Some(GB18030),
        "cp950" | "ms950" | "windows-950" | "950" => Encoding::for_label(b"big5"),
        "utf-8-sig" | "utf8-sig" | "utf-8-bom" | "utf8bom" => Some(UTF_8),
        other => Encoding::for_label(other.as_bytes()),
    };
    match encoding {
        // "replacement" is what WHATWG maps unsafe legacy labels to
        // (iso-2022-kr, hz-gb-2312...): it decodes everything to U+FFFD.
        Some(encoding) if encoding != REPLACEMENT => Ok(canonical(encoding)),
        _ => Err(InputError::UnknownEncoding {
            label: label.to_owned(),
        }),
    }
}

/// GBK and GB2312 text is read as GB18030, its superset.
fn canonical(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == GBK {
        GB18030
    } else {
        encoding
    }
}

/// The name an encoding is reported by ("UTF-8", "GB18030", "UTF-16LE"...).
pub(super) fn display_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 {
        "GB18030" // encoding_rs spells it in lower case
    } else {
        encoding.name()
    }
}

/// The outcome of looking at the start of a text input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Detected {
    pub encoding: &'static Encoding,
    /// Whether `--encoding` chose it; error hints differ.
    pub forced: bool,
    /// Length of the byte-order mark to drop from the start (0 if none).
    pub bom_len: usize,
}

/// Decides the encoding of a text input from its first bytes. `complete`
/// says whether `sample` is the whole input (else its end may cut a
/// character in two).
///
/// A forced encoding wins, though a BOM of that same encoding is still
/// dropped. Otherwise: a BOM; else UTF-8 if the sample is valid UTF-8;
/// else the guess of chardetng, with GBK read as GB18030.
pub(super) fn detect(sample: &[u8], complete: bool, forced: Option<&'static Encoding>) -> Detected {
    let bom = Encoding::for_bom(sample);
    if let Some(encoding) = forced {
        let bom_len = match bom {
            Some((bom_encoding, len)) if canonical(bom_encoding) == encoding => len,
            _ => 0,
        };
        return Detected {
            encoding,
            forced: true,
            bom_len,
        };
    }
    if let Some((encoding, bom_len)) = bom {
        return Detected {
            encoding,
            forced: false,
            bom_len,
        };
    }
    let encoding = if is_utf8_prefix(sample, complete) || mostly_utf8(sample) {
        UTF_8
    } else {
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(sample, complete);
        // The sample is known not to be UTF-8, so do not let it be guessed.
        canonical(detector.guess(None, Utf8Detection::Deny))
    };
    Detected {
        encoding,
        forced: false,
        bom_len: 0,
    }
}

/// Whether text with some invalid bytes is nevertheless UTF-8 with a few
/// damaged characters, rather than a legacy encoding: its valid multi-byte
/// characters far outnumber its invalid sequences. (GBK or Big5 text almost
/// never forms valid multi-byte UTF-8.) Such a file is then decoded as
/// UTF-8, strictly, so the damaged line is reported instead of the whole
/// file being read as mojibake.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                valid += s.chars().filter(|c| !c.is_ascii()).count();
                break;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                // `good` is valid UTF-8 by construction.
                valid += std::str::from_utf8(good)
                    .map_or(0, |s| s.chars().filter(|c| !c.is_ascii()).count());
                invalid += 1;
                // `None`: cut off at the end, which counts as damage too.
                let Some(len) = e.error_len() else { break };
                rest = &bad[len..];
            }
        }
    }
    valid >= 2 && valid >= 4 * invalid
}

/// Whether `bytes` is valid UTF-8, allowing a character cut off at the end
/// when `bytes` is only the start of the input.
fn is_utf8_prefix(bytes: &[u8], complete: bool) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        // `error_len() == None`: the input ended inside a character.
        Err(err) => !complete && err.error_len().is_none(),
    }
}

/// Whether CSV can be parsed over the undecoded bytes in `encoding` with
/// this delimiter: the structural bytes (`"`, CR, LF, the delimiter) must
/// never occur inside a multi-byte character. That holds for UTF-8, and for
/// the legacy ASCII-compatible encodings (GB18030, Big5, Shift_JIS...) as
/// long as the delimiter is below 0x40, where their trail bytes start
/// (`|`, 0x7C, can be the second byte of a GBK character).
pub(super) fn is_byte_transparent(encoding: &'static Encoding, delimiter: u8) -> bool {
    encoding == UTF_8 || (encoding.is_ascii_compatible() && delimiter < 0x40)
}

/// Decodes one field strictly; on failure returns the first offending byte
/// (when it can be told).
pub(super) fn decode_strict(
    encoding: &'static Encoding,
    bytes: &[u8],
) -> Result<String, Option<u8>> {
    if encoding == UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_owned()),
            Err(err) => Err(bytes.get(err.valid_up_to()).copied()),
        };
    }
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text.into_owned()),
        None => Err(first_invalid_byte(encoding, bytes)),
    }
}

/// The first byte of `bytes` that `encoding` cannot decode.
fn first_invalid_byte(encoding: &'static Encoding, bytes: &[u8]) -> Option<u8> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = vec![0; capacity];
    match decoder.decode_to_utf8_without_replacement(bytes, &mut out, true) {
        (DecoderResult::Malformed(bad, extra), read, _) => read
            .checked_sub(usize::from(bad) + usize::from(extra))
            .and_then(|at| bytes.get(at))
            .copied(),
        _ => None,
    }
}

/// Lossy decoding of the sample, only for sniffing the delimiter and for
/// spotting NUL characters; records are always decoded strictly.
pub(super) fn decode_sample<'a>(encoding: &'static Encoding, sample: &'a [u8]) -> Cow<'a, str> {
    encoding.decode_without_bom_handling(sample).0
}

/// Where a stream stopped being decodable: carried inside the `io::Error`
/// that [`Transcoder`] returns, so the CSV reader can pass it on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Malformed {
    /// 1-based line of the undecodable bytes.
    pub line: u64,
    pub byte: Option<u8>,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "undecodable text on line {}", self.line)
    }
}

impl std::error::Error for Malformed {}

/// Streams text in any encoding out as UTF-8, strictly: the first
/// undecodable sequence ends the stream with an `InvalidData` error carrying
/// a [`Malformed`]. Used where CSV cannot be parsed over the original bytes
/// (UTF-16, or `|` in a legacy encoding); unlike `encoding_rs_io`, which
/// substitutes U+FFFD, it keeps bad input an error with a line number.
pub(super) struct Transcoder<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    input_pos: usize,
    input_len: usize,
    input_done: bool,
    output: Box<[u8]>,
    output_pos: usize,
    output_len: usize,
    /// Line ends produced so far, to place an error.
    newlines: u64,
    /// Whether the last byte produced was a CR (a CRLF counts once).
    after_cr: bool,
    /// An error to report once the output before it has been read.
    pending: Option<Malformed>,
    finished: bool,
}

const TRANSCODE_BUFFER: usize = 64 * 1024;

impl<R: Read> Transcoder<R> {
    pub(super) fn new(inner: R, encoding: &'static Encoding) -> Self {
        Transcoder {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; TRANSCODE_BUFFER].into_boxed_slice(),
            input_pos: 0,
            input_len: 0,
            input_done: false,
            // Room for at least one character, whatever the input holds.
            output: vec![0; TRANSCODE_BUFFER * 3].into_boxed_slice(),
            output_pos: 0,
            output_len: 0,
            newlines: 0,
            after_cr: false,
            pending: None,
            finished: false,
        }
    }
}

impl<R: Read> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.output_pos < self.output_len {
                let available = &self.output[self.output_pos..self.output_len];
                let n = available.len().min(buf.len());
                buf[..n].copy_from_slice(&available[..n]);
                self.output_pos += n;
                return Ok(n);
            }
            if let Some(malformed) = self.pending.take() {
                self.finished = true;
                return Err(io::Error::new(io::ErrorKind::InvalidData, malformed));
            }
            if self.finished {
                return Ok(0);
            }
            if self.input_pos == self.input_len && !self.input_done {
                self.input_len = self.inner.read(&mut self.input)?;
                self.input_pos = 0;
                self.input_done = self.input_len == 0;
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.input_pos..self.input_len],
                &mut self.output,
                self.input_done,
            );
            self.input_pos += read;
            self.output_pos = 0;
            self.output_len = written;
            // Line ends: LF, CRLF or a lone CR (old Mac Excel), each once.
            for &b in &self.output[..written] {
                if b == b'\r' || (b == b'\n' && !self.after_cr) {
                    self.newlines += 1;
                }
                self.after_cr = b == b'\r';
            }
            match result {
                DecoderResult::InputEmpty => self.finished = self.input_done,
                DecoderResult::OutputFull => {}
                DecoderResult::Malformed(bad, extra) => {
                    // The bad bytes end `extra` bytes before what was read;
                    // they may have begun in the previous input buffer.
                    let byte = self
                        .input_pos
                        .checked_sub(usize::from(bad) + usize::from(extra))
                        .and_then(|at| self.input.get(at))
                        .copied();
                    self.pending = Some(Malformed {
                        line: self.newlines + 1,
                        byte,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_utf8_file_is_still_utf8() {
        let text = "Vendor,Model\n北京智谱华章科技有限公司,GLM大模型\n百度,文心\u{0}一言\n"
            .replace('\u{0}', "");
        let mut bytes = text.into_bytes();
        let at = bytes.len() - 7;
        bytes.insert(at, 0xFF);
        assert!(mostly_utf8(&bytes));
        assert_eq!(detect(&bytes, true, None).encoding, UTF_8);
        // GBK text is not mistaken for damaged UTF-8.
        let (gbk, _, _) =
            encoding_rs::GBK.encode("供应商名称,模型\n北京智谱华章科技有限公司,智谱清言\n");
        assert!(!mostly_utf8(&gbk));
    }
    use encoding_rs::{BIG5, UTF_16BE, UTF_16LE};

    #[test]
    fn labels() {
        for (label, expected) in [
            ("utf-8", UTF_8),
            ("UTF8", UTF_8),
            ("utf-8-sig", UTF_8),
            ("gbk", GB18030),
            ("GB2312", GB18030),
            ("gb18030", GB18030),
            ("cp936", GB18030),
            ("utf-16le", UTF_16LE),
            ("utf-16be", UTF_16BE),
            ("utf-16", UTF_16LE),
            (" big5 ", BIG5),
        ] {
            assert_eq!(parse_encoding(label).unwrap(), expected, "{label}");
        }
        let err = parse_encoding("klingon").unwrap_err();
        assert_eq!(err.file(), "--encoding");
        assert!(err.to_string().contains("gbk"), "{err}");
        // A label WHATWG maps to the "replacement" encoding is no use.
        assert!(parse_encoding("iso-2022-kr").is_err());
    }

    #[test]
    fn display_names() {
        assert_eq!(display_name(GB18030), "GB18030");
        assert_eq!(display_name(UTF_8), "UTF-8");
        assert_eq!(display_name(UTF_16LE), "UTF-16LE");
    }

    #[test]
    fn detects_boms() {
        let utf8 = detect(b"\xEF\xBB\xBFa,b\n", true, None);
        assert_eq!((utf8.encoding, utf8.bom_len), (UTF_8, 3));
        let le = detect(b"\xFF\xFEa\0", true, None);
        assert_eq!((le.encoding, le.bom_len), (UTF_16LE, 2));
        let be = detect(b"\xFE\xFF\0a", true, None);
        assert_eq!((be.encoding, be.bom_len), (UTF_16BE, 2));
    }

    #[test]
    fn forced_encoding_wins_but_its_own_bom_is_dropped() {
        let forced = detect(b"\xEF\xBB\xBFa", true, Some(GB18030));
        assert_eq!(
            forced,
            Detected {
                encoding: GB18030,
                forced: true,
                bom_len: 0
            }
        );
        let same = detect(b"\xEF\xBB\xBFa", true, Some(UTF_8));
        assert_eq!((same.encoding, same.bom_len), (UTF_8, 3));
        let plain = detect("名称".as_bytes(), true, Some(GB18030));
        assert_eq!((plain.encoding, plain.forced), (GB18030, true));
    }

    #[test]
    fn detects_utf8_even_when_the_sample_cuts_a_character() {
        let text = "名称,备案号\n智谱华章,110108\n".as_bytes();
        assert_eq!(detect(text, true, None).encoding, UTF_8);
        // Cut inside the last "号"-like character: still UTF-8 if more follows.
        let cut = &"名称,号".as_bytes()[..8];
        assert_eq!(detect(cut, false, None).encoding, UTF_8);
        assert_ne!(detect(cut, true, None).encoding, UTF_8);
    }

    #[test]
    fn guesses_gbk_as_gb18030() {
        let (bytes, _, _) = GB18030.encode(
            "供应商名称,统一社会信用代码,联系人\n北京智谱华章科技有限公司,91110108MA01,张三\n",
        );
        let detected = detect(&bytes, true, None);
        assert_eq!(detected.encoding, GB18030);
        assert!(!detected.forced);
    }

    #[test]
    fn strict_decoding_reports_the_bad_byte() {
        assert_eq!(decode_strict(UTF_8, "智谱".as_bytes()).unwrap(), "智谱");
        assert_eq!(decode_strict(UTF_8, b"ab\xB9c"), Err(Some(0xB9)));
        let (gbk, _, _) = GB18030.encode("智谱");
        assert_eq!(decode_strict(GB18030, &gbk).unwrap(), "智谱");
        // 0xFF is no GB18030 byte.
        assert_eq!(decode_strict(GB18030, b"a\xFFb"), Err(Some(0xFF)));
    }

    #[test]
    fn byte_transparency() {
        assert!(is_byte_transparent(UTF_8, b'|'));
        assert!(is_byte_transparent(GB18030, b','));
        assert!(is_byte_transparent(GB18030, b'\t'));
        assert!(!is_byte_transparent(GB18030, b'|'));
        assert!(!is_byte_transparent(UTF_16LE, b','));
    }

    fn transcode(encoding: &'static Encoding, bytes: &[u8]) -> io::Result<String> {
        let mut out = String::new();
        Transcoder::new(bytes, encoding).read_to_string(&mut out)?;
        Ok(out)
    }

    #[test]
    fn transcodes_utf16() {
        // (`Encoding::encode` never produces UTF-16, so build it by hand.)
        let utf16: Vec<u8> = "名称\t备注\n智谱\t无\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(
            transcode(UTF_16LE, &utf16).unwrap(),
            "名称\t备注\n智谱\t无\n"
        );
    }

    #[test]
    fn transcoder_places_the_first_bad_sequence() {
        let mut bytes = GB18030.encode("a\nb\n智谱").0.into_owned();
        bytes.extend_from_slice(b"\xFF\nmore\n");
        let mut out = Vec::new();
        let mut transcoder = Transcoder::new(bytes.as_slice(), GB18030);
        let err = transcoder.read_to_end(&mut out).unwrap_err();
        // What came before the bad byte was delivered first.
        assert_eq!(String::from_utf8(out).unwrap(), "a\nb\n智谱");
        let malformed = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<Malformed>())
            .copied();
        assert_eq!(
            malformed,
            Some(Malformed {
                line: 3,
                byte: Some(0xFF)
            })
        );
    }

    #[test]
    fn transcoder_serves_tiny_reads() {
        let utf16: Vec<u8> = "智谱AI".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut transcoder = Transcoder::new(utf16.as_slice(), UTF_16BE);
        let mut out = Vec::new();
        let mut one = [0u8; 1];
        while transcoder.read(&mut one).unwrap() == 1 {
            out.push(one[0]);
        }
        assert_eq!(String::from_utf8(out).unwrap(), "智谱AI");
    }
}
