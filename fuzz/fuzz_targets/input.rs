//! The input front end: encoding detection, delimited text (CSV/TSV/UTF-16
//! "Unicode text") and workbooks, through `input::from_reader` and
//! `input::tables_from_bytes`.
//!
//! The first byte of the input chooses how the rest is read:
//!
//! | bits | meaning                                                          |
//! |------|------------------------------------------------------------------|
//! | 0-1  | name: `fuzz.csv`, `fuzz.tsv`, `fuzz.xlsx`, `-` (no extension)   |
//! | 2-3  | `--encoding`: detect, GB18030, UTF-16LE, UTF-8                   |
//! | 4-5  | `--delimiter`: sniff, sniff, `;`, `|`                            |
//! | 6    | `tables_from_bytes` instead of `from_reader`                     |
//! | 7    | the reader hands out at most 1-7 bytes per `read` call           |
//!
//! Properties: nothing panics (a panic inside a dependency, which the
//! workbook reader catches on purpose, is only logged: see `init`), every
//! record iterator ends, a text table yields at most one item per input byte
//! (plus one), its line numbers never go down, and every error renders.
//! `FUZZ_DEBUG=1` prints the table and each record.

#![no_main]

use std::collections::HashSet;
use std::io::{self, Read};
use std::sync::Mutex;

use filing_check::input::{self, InputFormat, ReadOptions, Table};
use libfuzzer_sys::fuzz_target;

/// A reader that returns short reads, to shake out bugs at buffer borders.
struct Trickle {
    data: Vec<u8>,
    pos: usize,
    step: usize,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.step).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn drain(table: Table, body_len: usize) {
    let text = matches!(table.format, InputFormat::Csv { .. });
    let _ = format!("{:?} {}", table, table.format);
    let mut items = 0usize;
    let mut last_line = 0u64;
    let debug = std::env::var_os("FUZZ_DEBUG").is_some();
    if debug {
        eprintln!("{table:?}");
    }
    for item in table.records {
        items += 1;
        if debug {
            eprintln!("{item:?}");
        }
        let line = match item {
            Ok(record) => {
                assert!(record.line >= 1, "record line 0");
                Some(record.line)
            }
            Err(e) => {
                let _ = e.to_string();
                let _ = e.file();
                e.line()
            }
        };
        if text {
            assert!(
                items <= body_len + 1,
                "{items} items from {body_len} bytes of text"
            );
            if let Some(line) = line {
                assert!(line >= last_line, "line {line} after line {last_line}");
                last_line = line;
            }
        }
    }
}

fuzz_target!(
    init: {
        // libfuzzer-sys aborts on every panic, even one that is caught. The
        // workbook reader deliberately catches panics from calamine (a
        // damaged upload must give an error, see `input/workbook.rs`), so a
        // panic raised inside a dependency is only reported, once per
        // location. If nobody catches it, it still reaches libfuzzer-sys's
        // catch_unwind and aborts the run. A panic in filing-check's own
        // code aborts at once, as usual.
        static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map(|l| l.file()).unwrap_or("");
            if !file.contains(".cargo/registry/") {
                return abort_hook(info);
            }
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
            if seen.get_or_insert_with(HashSet::new).insert(at) {
                eprintln!("fuzz: panic in a dependency (caught by filing-check?): {info}");
            }
        }));
    },
    |data: &[u8]| {
        let Some((&mode, body)) = data.split_first() else {
            return;
        };
        let name = ["fuzz.csv", "fuzz.tsv", "fuzz.xlsx", "-"][usize::from(mode & 3)];
        let encoding = match (mode >> 2) & 3 {
            0 => None,
            1 => Some(encoding_rs::GB18030),
            2 => Some(encoding_rs::UTF_16LE),
            _ => Some(encoding_rs::UTF_8),
        };
        let delimiter = match (mode >> 4) & 3 {
            0 | 1 => None,
            2 => Some(b';'),
            _ => Some(b'|'),
        };
        let opts = ReadOptions {
            encoding,
            sheet: None,
            delimiter,
        };
        if mode & 0x40 != 0 {
            if let Ok(tables) = input::tables_from_bytes(name, body.to_vec(), &opts) {
                for table in tables {
                    drain(table, body.len());
                }
            }
            return;
        }
        let reader: Box<dyn Read + Send> = if mode & 0x80 != 0 {
            let step = usize::from(body.first().copied().unwrap_or(0) % 7) + 1;
            Box::new(Trickle {
                data: body.to_vec(),
                pos: 0,
                step,
            })
        } else {
            Box::new(io::Cursor::new(body.to_vec()))
        };
        match input::from_reader(name, reader, &opts) {
            Ok(table) => drain(table, body.len()),
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
);
