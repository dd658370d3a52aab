//! The words of the audit reports people read, in Chinese and English: one
//! table ([`Word::text`]), so that every format says the same thing.
//!
//! Procurement teams read the table, markdown and xlsx reports in Chinese
//! (the default there); `--lang en` gives English. Stable codes (`filed`,
//! `vendor-model-mismatch`…) stay English in every language, and machine
//! formats (json, jsonl, junit, github) are English only.

use crate::audit::gate::Disposition;
use crate::audit::{AuditVerdict, Code};
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

    /// What a row's code means, in a line: the gist of its reason for a
    /// reader of this language (the reason itself names the evidence, in
    /// English).
    pub fn code_summary(self, code: Code) -> &'static str {
        use Code::*;
        let (en, zh) = match code {
            Filed => ("the names match a filing", "名称与备案一致"),
            FiledByNumber => (
                "the filing number is in the registry and the names agree",
                "备案号在登记库中，且名称相符",
            ),
            WeakMatch => (
                "the closest match is below the strong threshold",
                "最接近的匹配低于可信阈值，需人工核对",
            ),
            Ambiguous => (
                "several companies match equally",
                "多家公司同样匹配，无法确定是哪一家",
            ),
            RelatedEntity => (
                "the name contains a filed name, or names a filer's group",
                "名称包含已备案的名称，或指向备案主体所属的集团，并非备案主体本身",
            ),
            UnconfirmedVendor => (
                "the model is filed; the vendor is not known to be its filer",
                "模型已备案，但不能确认该供应商就是备案主体",
            ),
            ModelNotListed => (
                "the vendor is filed; the model is not among its filings",
                "供应商有备案，但该模型不在其备案之中",
            ),
            NumberOnly => (
                "the number is a filing's, but the names do not match it",
                "备案号属实，但所填名称与该备案不符",
            ),
            NotInRegistry => (
                "nothing in the registry matches (which does not prove it is not filed)",
                "登记库中没有匹配项（这并不证明未备案）",
            ),
            RegimeNotCovered => (
                "filed, but not under the regime required",
                "已备案，但不在要求的监管类别之下",
            ),
            VendorModelMismatch => (
                "the model is filed by another company than the vendor",
                "该模型由另一家公司备案，与所填供应商不符",
            ),
            MalformedNumber => ("the filing number is not well formed", "备案号格式不正确"),
            UnknownNumber => ("no filing has that number", "登记库中没有这个备案号"),
            NumberOfOtherCompany => (
                "the number is another company's filing",
                "该备案号属于另一家公司",
            ),
            EmptyRow => (
                "no vendor, model or number",
                "空行：没有供应商、模型或备案号",
            ),
            PlaceholderName => (
                "only placeholders such as N/A, - or 无",
                "只有占位符（如 N/A、-、无）",
            ),
            ImplausibleName => (
                "a cell far too long to be a name",
                "单元格过长，不像名称（可能是备注或粘贴的文字）",
            ),
        };
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// A row's reason as a report in this language gives it: in Chinese,
    /// the gist of its code, then the reason (which names the evidence, in
    /// English).
    pub fn reason(self, code: Code, reason: &str) -> String {
        match self {
            Lang::En => reason.to_string(),
            Lang::Zh => format!("{}：{reason}", self.code_summary(code)),
        }
    }

    /// What to check for a row that needs a person, and how to accept it
    /// ([`Code::next_step`], in this language).
    pub fn next_step(self, code: Code) -> Option<&'static str> {
        use Code::*;
        if self == Lang::En {
            return code.next_step();
        }
        macro_rules! then_accept {
            ($check:literal) => {
                concat!(
                    $check,
                    "；核对后，可在 filing-check.toml 中以例外（exception）接受该行（`filing-check init` 会生成该文件；以 `--fail-on review` 运行会打印现成的条目）"
                )
            };
        }
        Some(match code {
            WeakMatch => then_accept!(
                "请对照证据所引的官方清单核对名称；如确为备案主体，请在清单中写其完整法定名称"
            ),
            Ambiguous => then_accept!(
                "多家公司同样匹配：请写供应商的完整法定名称（营业执照上的名称），或在该行补充模型或备案号"
            ),
            RelatedEntity => then_accept!(
                "查到的备案属于另一主体：请确认与贵方签约的法律实体，并向其索取自身的备案或备案主体的授权"
            ),
            UnconfirmedVendor => then_accept!(
                "请向供应商确认其所依托的备案（备案号，或备案主体的授权），并在该行写明备案主体的法定名称或备案号"
            ),
            ModelNotListed => then_accept!(
                "请向供应商索取该模型自身的备案号或上线编号并补充到该行（仅调用已备案模型的应用应登记，而非备案）"
            ),
            NumberOnly => then_accept!(
                "该备案号真实存在，但不属于所填名称：请查询（`filing-check 备案号`）并更正供应商或模型"
            ),
            _ => return None,
        })
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
    fn every_code_is_said_in_both_languages() {
        for &code in Code::ALL {
            let (en, zh) = (Lang::En.code_summary(code), Lang::Zh.code_summary(code));
            assert!(!en.is_empty() && !zh.is_empty(), "{code}");
            assert!(zh.chars().any(|c| c > '\u{3000}'), "{code}: {zh}");
            // A next step in Chinese exactly where there is one in English.
            assert_eq!(
                Lang::Zh.next_step(code).is_some(),
                code.next_step().is_some(),
                "{code}"
            );
            assert_eq!(Lang::En.next_step(code), code.next_step());
        }
    }

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
