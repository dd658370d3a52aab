//! The words of the audit reports people read, in Chinese and English: one
//! table ([`Word::text`]), so that every format says the same thing.
//!
//! Procurement teams read the table, markdown and xlsx reports in Chinese
//! (the default there); `--lang en` gives English. Stable codes (`filed`,
//! `vendor-model-mismatch`…) stay English in every language, and machine
//! formats (json, jsonl, junit, github) are English only.

use crate::audit::gate::Disposition;
use crate::audit::AuditVerdict;
use crate::model::text_enum;

text_enum! {
    /// The language of a report's headers and labels.
    pub enum Lang ("language") {
        Zh = "zh",
        En = "en",
    }
}

/// Every header and label of the reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    // Columns.
    Line,
    Vendor,
    Model,
    Verdict,
    Code,
    Gate,
    Reason,
    Regimes,
    Filer,
    FiledItems,
    FilingNo,
    Match,
    Score,
    Source,
    SourceAsOf,
    RegistryAsOf,
    FiledAs,
    /// The row's filing number (the csv column is [`Word::FilingNo`]).
    Number,
    // Verdicts.
    Filed,
    Review,
    NotFound,
    Mismatch,
    Invalid,
    // What the gate made of a row.
    Pass,
    Fail,
    Waived,
    Known,
    Exception,
    // The workbook's registry sheet.
    Registry,
    RegistryDate,
    Input,
    Columns,
    Required,
    Note,
    Rows,
    Passed,
    Failed,
}

impl Word {
    /// The word in each language: (English, Chinese). English column names
    /// are the csv's stable ones.
    const fn text(self) -> (&'static str, &'static str) {
        match self {
            Word::Line => ("line", "行号"),
            Word::Vendor => ("vendor", "供应商"),
            Word::Model => ("model", "模型"),
            Word::Verdict => ("verdict", "结论"),
            Word::Code => ("code", "代码"),
            Word::Gate => ("gate", "门禁"),
            Word::Reason => ("reason", "原因"),
            Word::Regimes => ("regimes", "监管类别"),
            Word::Filer => ("filer", "备案主体"),
            Word::FiledItems => ("filed_items", "已备案项目"),
            Word::FilingNo => ("filing_no", "备案号"),
            Word::Match => ("match", "匹配"),
            Word::Score => ("score", "得分"),
            Word::Source => ("source", "来源"),
            Word::SourceAsOf => ("source_as_of", "来源日期"),
            Word::RegistryAsOf => ("registry_as_of", "登记库日期"),
            Word::FiledAs => ("filed as", "备案信息"),
            Word::Number => ("filing no", "备案号"),
            Word::Filed => ("filed", "已备案"),
            Word::Review => ("review", "需复核"),
            Word::NotFound => ("not-found", "未找到"),
            Word::Mismatch => ("mismatch", "不一致"),
            Word::Invalid => ("invalid", "无效"),
            Word::Pass => ("pass", "通过"),
            Word::Fail => ("fail", "失败"),
            Word::Waived => ("waived", "豁免"),
            Word::Known => ("known", "已知"),
            Word::Exception => ("exception", "例外"),
            Word::Registry => ("registry", "登记库"),
            Word::RegistryDate => ("registry as of", "登记库日期"),
            Word::Input => ("input", "输入文件"),
            Word::Columns => ("columns read", "读取的列"),
            Word::Required => ("required regimes", "要求的监管类别"),
            Word::Note => ("note", "说明"),
            Word::Rows => ("rows", "行数"),
            Word::Passed => ("passed", "通过"),
            Word::Failed => ("failed", "未通过"),
        }
    }

    pub fn of_verdict(v: AuditVerdict) -> Word {
        match v {
            AuditVerdict::Filed => Word::Filed,
            AuditVerdict::Review => Word::Review,
            AuditVerdict::NotFound => Word::NotFound,
            AuditVerdict::Mismatch => Word::Mismatch,
            AuditVerdict::Invalid => Word::Invalid,
        }
    }

    pub fn of_disposition(d: Disposition) -> Word {
        match d {
            Disposition::Pass => Word::Pass,
            Disposition::Fail => Word::Fail,
            Disposition::Waived => Word::Waived,
            Disposition::Known => Word::Known,
        }
    }
}

impl Lang {
    /// `word` in this language.
    pub fn word(self, word: Word) -> &'static str {
        let (en, zh) = word.text();
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    pub fn verdict(self, v: AuditVerdict) -> &'static str {
        self.word(Word::of_verdict(v))
    }

    /// The gate's word on a row: `fail`, `waived (exception 2)`, `豁免（例外 2）`.
    pub fn gate(self, d: Disposition, exception: Option<usize>) -> String {
        let word = self.word(Word::of_disposition(d));
        match (exception, self) {
            (None, _) => word.to_string(),
            (Some(n), Lang::En) => format!("{word} ({} {n})", self.word(Word::Exception)),
            (Some(n), Lang::Zh) => format!("{word}（{} {n}）", self.word(Word::Exception)),
        }
    }

    /// How old a regime's data are, for the workbook's registry sheet.
    pub fn age(self, as_of: Option<&str>, days: Option<i64>, stale: bool, limit: u32) -> String {
        match (self, as_of, days) {
            (Lang::En, Some(d), Some(a)) => format!(
                "as of {d}, {a} days old: {} ({} {limit} days)",
                if stale { "STALE" } else { "fresh" },
                if stale { "more than" } else { "at most" }
            ),
            (Lang::Zh, Some(d), Some(a)) => format!(
                "截至 {d}，已 {a} 天：{}（{} {limit} 天）",
                if stale { "已过期" } else { "未过期" },
                if stale { "超过" } else { "不超过" }
            ),
            (Lang::En, _, _) => "no as-of date: STALE".to_string(),
            (Lang::Zh, _, _) => "无日期：已过期".to_string(),
        }
    }

    /// The label of a regime's age in the registry sheet: `genai data`.
    pub fn data_of(self, regime: &str) -> String {
        match self {
            Lang::En => format!("{regime} data"),
            Lang::Zh => format!("{regime} 数据时效"),
        }
    }

    /// The label of a source in the registry sheet: `source ID`.
    pub fn source(self, id: &str) -> String {
        format!("{} {id}", self.word(Word::Source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_words_are_the_stable_spellings() {
        for v in AuditVerdict::ALL {
            assert_eq!(Lang::En.verdict(*v), v.as_str());
        }
        for d in Disposition::ALL {
            assert_eq!(Lang::En.gate(*d, None), d.as_str());
        }
        assert_eq!(
            Lang::En.gate(Disposition::Waived, Some(2)),
            "waived (exception 2)"
        );
        assert_eq!(
            Lang::Zh.gate(Disposition::Waived, Some(2)),
            "豁免（例外 2）"
        );
        assert_eq!(Lang::Zh.verdict(AuditVerdict::NotFound), "未找到");
    }
}
