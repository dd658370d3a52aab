//! `--format junit`: one test case per row, for CI dashboards.
//!
//! A failing row is a `<failure>` whose type is the diagnostic code; a row
//! the gate accepts anyway (an exception, the baseline) is `<skipped>` with
//! the reason; everything else passes. The suite's properties carry the
//! registry's as-of date.

use std::io::{self, Write};

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{as_of, caveat, Head, RowOut, Sink};
use crate::audit::gate::{Disposition, Summary};

pub struct JunitSink<'w> {
    out: Box<dyn Write + 'w>,
    suite: TestSuite,
}

impl<'w> JunitSink<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> JunitSink<'w> {
        JunitSink {
            out,
            suite: TestSuite::new("filing-check audit"),
        }
    }
}

impl Sink for JunitSink<'_> {
    fn begin(&mut self, head: &Head<'_>) -> io::Result<()> {
        self.suite = TestSuite::new(format!("filing-check audit {}", head.input.file));
        self.suite
            .add_property(Property::new("registry_as_of", as_of(head.registry)))
            .add_property(Property::new("registry", head.registry.loaded_from.clone()))
            .add_property(Property::new("require", head.require.as_str()))
            .add_property(Property::new("caveat", caveat(head.registry)));
        Ok(())
    }

    fn row(&mut self, row: &RowOut<'_>) -> io::Result<()> {
        let eval = row.evaluation;
        let status = match row.disposition {
            Disposition::Pass => TestCaseStatus::success(),
            Disposition::Fail => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("{}: {}", eval.verdict, eval.reason))
                    .set_type(eval.code.as_str());
                s
            }
            Disposition::Waived | Disposition::Known => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!(
                    "{} ({}): {}",
                    row.gate_text(),
                    eval.verdict,
                    eval.reason
                ));
                s
            }
        };
        let mut case = TestCase::new(format!("line {}: {}", row.line, row.title()), status);
        case.set_classname(self.suite.name.as_str().to_string())
            .add_property(Property::new("verdict", eval.verdict.as_str()))
            .add_property(Property::new("code", eval.code.as_str()));
        if let Some(m) = row.top() {
            case.add_property(Property::new("filer", m.company.clone()))
                .add_property(Property::new(
                    "source",
                    format!("{} ({})", m.source, m.as_of),
                ));
        }
        self.suite.add_test_case(case);
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        let mut report = Report::new("filing-check");
        report.add_test_suite(std::mem::replace(&mut self.suite, TestSuite::new("")));
        report.serialize(&mut self.out).map_err(io::Error::other)?;
        writeln!(self.out)?;
        self.out.flush()
    }
}
