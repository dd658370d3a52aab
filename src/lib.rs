//! filing-check: is this AI vendor or model filed with China's Cyberspace
//! Administration, and under which regime?
//!
//! The library holds everything but the command line: the registry's data
//! and SQLite store ([`registry`]), name normalisation ([`normalize`]), the
//! matcher ([`matcher`]), the reports it produces ([`report`]) and their
//! output formats ([`printer`]). The `filing-check` binary only wires them
//! to arguments, files and the terminal.
//!
//! ```
//! use filing_check::{matcher::{Matcher, Verdict}, model::RegimeFilter, registry};
//!
//! let reg = registry::Registry::load(&registry::Location::Embedded).unwrap();
//! let matcher = Matcher::new(&reg.snapshot);
//! let outcome = matcher.lookup("智谱AI", RegimeFilter::Any);
//! assert_eq!(outcome.verdict, Verdict::Filed);
//! ```

pub mod audit;
pub mod coverage;
pub mod date;
pub mod eval;
pub mod filing_no;
pub mod freshness;
pub mod import;
pub mod input;
pub mod matcher;
pub mod model;
pub mod normalize;
pub mod printer;
pub mod registry;
pub mod report;
pub mod update;
pub mod web;
