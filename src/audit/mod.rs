//! Auditing a vendor list: one verdict, with its evidence, per row.
//!
//! A procurement row names a vendor, a model, or both, and sometimes the
//! filing number the vendor claims. This module decides what the registry
//! says about such a row — pure logic over the [`Matcher`] and the
//! [`Snapshot`]; reading the list, the gate and the output live in
//! [`columns`], [`gate`], [`policy`], [`baseline`] and [`pipeline`].

pub mod baseline;
pub mod columns;
pub mod gate;
pub mod pipeline;
pub mod policy;
pub mod sheets;
pub mod sink;

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;

use crate::coverage::Coverage;
use crate::filing_no::{self, FilingNumber};
use crate::matcher::{FilingMatch, MatchKind, Matcher, Outcome, Reason, Rule, Verdict, Via};
use crate::model::{text_enum, CompanyId, Regime, RegimeFilter, Snapshot};
use crate::registry::Registry;
use crate::report::{self, MatchInfo};

text_enum! {
    /// Which regimes a row must be filed under to count as filed.
    pub enum Require ("requirement") {
        Any = "any",
        Genai = "genai",
        DeepSynthesis = "deep-synthesis",
        Both = "both",
    }
}

impl Require {
    /// Whether filings under these regimes meet the requirement.
    pub fn met_by(self, regimes: &BTreeSet<Regime>) -> bool {
        match self {
            Require::Any => !regimes.is_empty(),
            Require::Genai => regimes.contains(&Regime::Genai),
            Require::DeepSynthesis => regimes.contains(&Regime::DeepSynthesis),
            Require::Both => {
                regimes.contains(&Regime::Genai) && regimes.contains(&Regime::DeepSynthesis)
            }
        }
    }
}

text_enum! {
    /// A row's verdict, from best to worst (the order a baseline compares).
    pub enum AuditVerdict ("verdict") {
        /// The registry lists the row's vendor/model under a required regime.
        Filed = "filed",
        /// A person must look: a weak, ambiguous or related match.
        Review = "review",
        /// Nothing in the registry matches (which proves nothing: the lists
        /// are partial and dated).
        NotFound = "not-found",
        /// The row contradicts the registry: the model is another company's,
        /// or the filing number is malformed, unknown or another's.
        Mismatch = "mismatch",
        /// The row has no usable vendor or model.
        Invalid = "invalid",
    }
}

text_enum! {
    /// Stable diagnostic codes: why a row got its verdict. Scripts and
    /// exceptions may rely on these spellings.
    pub enum Code ("code") {
        /// filed: the names match a filing under a required regime.
        Filed = "filed",
        /// filed: the filing number is in the registry and the names agree.
        FiledByNumber = "filed-by-number",
        /// review: the best match is below the strong threshold.
        WeakMatch = "weak-match",
        /// review: equally strong matches for several companies.
        Ambiguous = "ambiguous",
        /// review: the name contains a filed name, or names a filer's group.
        RelatedEntity = "related-entity",
        /// review: the model is filed, the vendor is not known to be its filer.
        UnconfirmedVendor = "unconfirmed-vendor",
        /// review: the vendor is filed, the model is not among its filings.
        ModelNotListed = "model-not-listed",
        /// review: the number is a filing's, but the names did not match it.
        NumberOnly = "number-only",
        /// not-found: nothing in the registry matches.
        NotInRegistry = "not-in-registry",
        /// not-found: filed, but not under the regime(s) required.
        RegimeNotCovered = "regime-not-covered",
        /// mismatch: the model is filed by another company than the vendor.
        VendorModelMismatch = "vendor-model-mismatch",
        /// mismatch: the filing number is not well formed.
        MalformedNumber = "malformed-number",
        /// mismatch: no filing has that number (the registry holds numbers).
        UnknownNumber = "unknown-number",
        /// mismatch: the number is another company's filing.
        NumberOfOtherCompany = "number-of-other-company",
        /// invalid: no vendor, model or number.
        EmptyRow = "empty-row",
        /// invalid: only placeholders such as `N/A`, `-` or `无`.
        PlaceholderName = "placeholder-name",
        /// invalid: a cell far too long to be a name (a note, a pasted text).
        ImplausibleName = "implausible-name",
    }
}

/// A next step: what to check, then how a person accepts the row once
/// checked (the same for every review).
macro_rules! then_accept {
    ($check:literal) => {
        concat!(
            $check,
            "; once checked, accept the row with an exception in filing-check.toml (`filing-check init` writes one; run with `--fail-on review` to have a ready entry printed)"
        )
    };
}

impl Code {
    /// What to check for a row that needs a person, and how to accept it.
    pub fn next_step(self) -> Option<&'static str> {
        use Code::*;
        Some(match self {
            WeakMatch => then_accept!(
                "check the name against the official list the evidence cites; if it is the filer, write its full legal name in the list"
            ),
            Ambiguous => then_accept!(
                "several companies match equally: write the vendor's full legal name (营业执照上的名称), or add the model or the filing number to the row"
            ),
            RelatedEntity => then_accept!(
                "the filing found is another entity's than the one named: confirm which legal entity you contract with, and ask it for its own filing or the filer's authorisation"
            ),
            UnconfirmedVendor => then_accept!(
                "ask the vendor which filing it relies on (the number, or the filer's authorisation) and write the filer's legal name or the number in the row"
            ),
            ModelNotListed => then_accept!(
                "ask the vendor for the model's own 备案号 or 上线编号 and add it to the row (an app that only calls a filed model is registered, 登记, not filed)"
            ),
            NumberOnly => then_accept!(
                "the number is a genuine filing, but not of the names given: look it up (`filing-check NUMBER`) and correct the vendor or the model"
            ),
            _ => return None,
        })
    }

    /// The verdict this code belongs to.
    pub fn verdict(self) -> AuditVerdict {
        use Code::*;
        match self {
            Filed | FiledByNumber => AuditVerdict::Filed,
            WeakMatch | Ambiguous | RelatedEntity | UnconfirmedVendor | ModelNotListed
            | NumberOnly => AuditVerdict::Review,
            NotInRegistry | RegimeNotCovered => AuditVerdict::NotFound,
            VendorModelMismatch | MalformedNumber | UnknownNumber | NumberOfOtherCompany => {
                AuditVerdict::Mismatch
            }
            EmptyRow | PlaceholderName | ImplausibleName => AuditVerdict::Invalid,
        }
    }
}

/// What the registry says about one (vendor, model, number) triple.
#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub verdict: AuditVerdict,
    pub code: Code,
    /// One sentence a person can act on.
    pub reason: String,
    /// The regimes the evidence is filed under.
    pub regimes: Vec<Regime>,
    /// The matching filings, strongest first.
    pub evidence: Vec<MatchInfo>,
    /// For a row a person must look at: what to check, and how to accept
    /// the row once checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<&'static str>,
}

impl Evaluation {
    fn new(code: Code, reason: String) -> Evaluation {
        Evaluation {
            verdict: code.verdict(),
            code,
            reason,
            regimes: Vec::new(),
            evidence: Vec::new(),
            next_step: None,
        }
    }

    /// The filed items of the evidence, at most three (`; +N` more).
    pub fn items_text(&self) -> String {
        let mut items: Vec<&str> = Vec::new();
        for m in &self.evidence {
            if !items.contains(&m.item.as_str()) {
                items.push(&m.item);
            }
        }
        let more = items.len().saturating_sub(3);
        items.truncate(3);
        let mut s = items.join("; ");
        if more > 0 {
            s.push_str(&format!("; +{more}"));
        }
        s
    }

    /// The regimes, `;`-separated.
    pub fn regimes_text(&self) -> String {
        self.regimes
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(";")
    }

    fn with_evidence(
        mut self,
        snap: &Snapshot,
        outcome: &Outcome,
        keep: impl Fn(CompanyId) -> bool,
    ) -> Self {
        self.evidence = outcome
            .matches
            .iter()
            .filter(|m| keep(m.company))
            .map(|m| report::match_info(snap, m))
            .collect();
        self.regimes = self
            .evidence
            .iter()
            .map(|e| e.regime)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self
    }
}

/// The longest cell read as a name: the longest registered Chinese company
/// names run to some 60 characters, so anything far longer is something else.
pub const MAX_NAME_CHARS: usize = 300;

/// Decides rows against one registry, read whole.
pub struct Auditor<'a> {
    snap: &'a Snapshot,
    matcher: &'a Matcher,
    require: Require,
    /// The complete lists: what an unknown number can be held against.
    coverage: Coverage,
}

impl<'a> Auditor<'a> {
    /// An auditor of a registry opened with [`crate::registry::Scope::Whole`]
    /// (whose matcher names only filings its snapshot holds).
    pub fn new(registry: &'a Registry, require: Require) -> Auditor<'a> {
        Auditor {
            snap: &registry.snapshot,
            matcher: registry.matcher(),
            require,
            coverage: Coverage::of(&registry.snapshot),
        }
    }

    pub fn require(&self) -> Require {
        self.require
    }

    /// The verdict for one row's vendor, model and claimed filing number
    /// (each possibly empty), with the next step its code calls for.
    pub fn evaluate(&self, vendor: &str, model: &str, number: &str) -> Evaluation {
        let mut e = self.judge(vendor, model, number);
        e.next_step = e.code.next_step();
        e
    }

    fn judge(&self, vendor: &str, model: &str, number: &str) -> Evaluation {
        let (vendor, model, number) = (vendor.trim(), model.trim(), number.trim());
        if vendor.is_empty() && model.is_empty() && number.is_empty() {
            return Evaluation::new(
                Code::EmptyRow,
                "the row has no vendor, model or filing number".into(),
            );
        }
        if let Some(long) = [vendor, model, number]
            .into_iter()
            .find(|s| s.chars().nth(MAX_NAME_CHARS).is_some())
        {
            return Evaluation::new(
                Code::ImplausibleName,
                format!(
                    "a cell of {} characters is not a vendor, model or number (names have at most {MAX_NAME_CHARS}); check the columns",
                    long.chars().count()
                ),
            );
        }
        let usable = |s: &str| !s.is_empty() && !crate::normalize::is_placeholder(s);
        let number = (usable(number)).then_some(number);
        let vo = usable(vendor).then(|| self.matcher.lookup_brief(vendor, RegimeFilter::Any));
        let mo = usable(model).then(|| self.matcher.lookup_brief(model, RegimeFilter::Any));
        let names = match (&vo, &mo) {
            (None, None) if number.is_none() => {
                return Evaluation::new(
                    Code::PlaceholderName,
                    format!(
                        "no usable name: {:?} / {:?} are placeholders",
                        vendor, model
                    ),
                )
            }
            (None, None) => None,
            (Some(v), None) => Some(self.single(v, "vendor")),
            (None, Some(m)) => Some(self.single(m, "model")),
            (Some(v), Some(m)) => Some(self.pair(v, m)),
        };
        let names = names.map(|e| self.required(e));
        match number {
            Some(n) => self.check_number(n, names, &vo, &mo),
            None => names.expect("a row without names has a number"),
        }
    }

    /// The companies a filed outcome points at.
    fn companies(&self, o: &Outcome) -> BTreeSet<CompanyId> {
        o.matches.iter().map(|m| m.company).collect()
    }

    fn company_names(&self, ids: &BTreeSet<CompanyId>) -> String {
        ids.iter()
            .map(|&id| self.snap.company(id).map_or("?", |c| c.name.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn items(&self, o: &Outcome) -> String {
        let mut items: Vec<&str> = o
            .matches
            .iter()
            .filter_map(|m| self.snap.filing(m.filing))
            .map(|f| f.item.as_str())
            .collect();
        items.dedup();
        items.truncate(3);
        items.join(", ")
    }

    /// One name: the matcher's verdict, with a code.
    fn single(&self, o: &Outcome, what: &str) -> Evaluation {
        match o.verdict {
            Verdict::Filed => Evaluation::new(
                Code::Filed,
                format!(
                    "{what} {:?} matches {} ({})",
                    o.query,
                    self.company_names(&self.companies(o)),
                    self.items(o)
                ),
            )
            .with_evidence(self.snap, o, |_| true),
            Verdict::Review => Evaluation::new(
                review_code(o),
                format!("{what} {:?}: {}", o.query, o.explain.reason),
            )
            .with_evidence(self.snap, o, |_| true),
            Verdict::NotFound => Evaluation::new(
                Code::NotInRegistry,
                format!("{what} {:?} is not in the registry", o.query),
            ),
        }
    }

    /// A vendor and a model: the model must be the vendor's.
    fn pair(&self, v: &Outcome, m: &Outcome) -> Evaluation {
        let (vq, mq) = (&v.query, &m.query);
        match (m.verdict, v.verdict) {
            (Verdict::Filed, Verdict::Filed) => {
                let cm = self.companies(m);
                let cv = self.companies(v);
                let shared: BTreeSet<CompanyId> = cm.intersection(&cv).copied().collect();
                if !shared.is_empty() {
                    return Evaluation::new(
                        Code::Filed,
                        format!(
                            "model {mq:?} is filed by {} ({})",
                            self.company_names(&shared),
                            self.items(m)
                        ),
                    )
                    .with_evidence(self.snap, m, |c| shared.contains(&c));
                }
                if self.same_group(&cm, &cv) {
                    return Evaluation::new(
                        Code::RelatedEntity,
                        format!(
                            "model {mq:?} is filed by {}, a company of the same group as the vendor {}: confirm which entity you contract with",
                            self.company_names(&cm),
                            self.company_names(&cv)
                        ),
                    )
                    .with_evidence(self.snap, m, |_| true);
                }
                let vendor_is = self.company_names(&cv);
                let vendor = if vendor_is == **vq {
                    format!("{vq:?}")
                } else {
                    format!("{vq:?} ({vendor_is})")
                };
                Evaluation::new(
                    Code::VendorModelMismatch,
                    format!(
                        "model {mq:?} is filed by {}, not by the vendor {vendor}",
                        self.company_names(&cm)
                    ),
                )
                .with_evidence(self.snap, m, |_| true)
            }
            (Verdict::Filed, _) => Evaluation::new(
                Code::UnconfirmedVendor,
                format!(
                    "model {mq:?} is filed by {}; the vendor {vq:?} is not known to be that company (a legal name the registry lacks, or a reseller?)",
                    self.company_names(&self.companies(m))
                ),
            )
            .with_evidence(self.snap, m, |_| true),
            (Verdict::Review, _) => {
                let mut e = self.single(m, "model");
                if v.verdict == Verdict::Filed {
                    e.reason
                        .push_str(&format!("; the vendor {vq:?} is filed ({})", self.items(v)));
                }
                e
            }
            (Verdict::NotFound, Verdict::Filed) => Evaluation::new(
                Code::ModelNotListed,
                format!(
                    "the vendor {vq:?} is filed ({}), but the model {mq:?} is not among its filings in the registry",
                    self.items(v)
                ),
            )
            .with_evidence(self.snap, v, |_| true),
            (Verdict::NotFound, Verdict::Review) => self.single(v, "vendor"),
            (Verdict::NotFound, Verdict::NotFound) => Evaluation::new(
                Code::NotInRegistry,
                format!("neither the vendor {vq:?} nor the model {mq:?} is in the registry"),
            ),
        }
    }

    fn same_group(&self, a: &BTreeSet<CompanyId>, b: &BTreeSet<CompanyId>) -> bool {
        let groups = |ids: &BTreeSet<CompanyId>| -> HashSet<String> {
            ids.iter()
                .filter_map(|&id| self.snap.company(id)?.group_name.clone())
                .collect()
        };
        !groups(a).is_disjoint(&groups(b))
    }

    /// A filed row must be filed under the regimes `--require` names.
    fn required(&self, e: Evaluation) -> Evaluation {
        if e.verdict != AuditVerdict::Filed {
            return e;
        }
        let regimes: BTreeSet<Regime> = e.regimes.iter().copied().collect();
        if self.require.met_by(&regimes) {
            return e;
        }
        let have: Vec<&str> = regimes.iter().map(|r| r.as_str()).collect();
        Evaluation {
            verdict: AuditVerdict::NotFound,
            code: Code::RegimeNotCovered,
            reason: format!(
                "{}; but filed under {} only, and {} is required",
                e.reason,
                have.join(" and "),
                self.require
            ),
            ..e
        }
    }

    /// Confirms, or contradicts, the names with the claimed number.
    fn check_number(
        &self,
        given: &str,
        names: Option<Evaluation>,
        vo: &Option<Outcome>,
        mo: &Option<Outcome>,
    ) -> Evaluation {
        let parsed = match filing_no::parse(given) {
            Ok(n) => n,
            Err(err) => {
                let mut e =
                    names.unwrap_or_else(|| Evaluation::new(Code::NotInRegistry, String::new()));
                let context = std::mem::take(&mut e.reason);
                e.verdict = AuditVerdict::Mismatch;
                e.code = Code::MalformedNumber;
                e.reason = join_reasons(format!("malformed filing number: {err}"), context);
                return e;
            }
        };
        let regime = parsed.regime();
        if !self.matcher.holds_numbers(regime) {
            let note = format!(
                "the number is well formed ({}, {}); the registry holds no {regime} numbers to confirm it",
                regime,
                region_name(&parsed)
            );
            return match names {
                Some(mut e) => {
                    e.reason = join_reasons(e.reason, note);
                    e
                }
                None => Evaluation::new(Code::NotInRegistry, note),
            };
        }
        let filings = self.matcher.filings_with_number(&parsed);
        if filings.is_empty() && self.coverage.covering(&parsed).is_none() {
            // Only a complete list can show a number unfiled: a partial one
            // (a monthly batch, a selection) proves nothing by what it lacks.
            let note = format!(
                "the number {} is not in the registry, whose {regime} lists are not complete for it ({}, {}); it could not be confirmed",
                parsed.canonical(),
                region_name(&parsed),
                parsed
                    .listed_by()
                    .map_or_else(|| "undated".to_string(), |d| format!("listed from {d}")),
            );
            return match names {
                Some(mut e) => {
                    e.reason = join_reasons(e.reason, note);
                    e
                }
                None => Evaluation::new(Code::NotInRegistry, note),
            };
        }
        if filings.is_empty() {
            let mut e =
                names.unwrap_or_else(|| Evaluation::new(Code::NotInRegistry, String::new()));
            let context = std::mem::take(&mut e.reason);
            e.verdict = AuditVerdict::Mismatch;
            e.code = Code::UnknownNumber;
            e.reason = join_reasons(
                format!(
                    "no {regime} filing in the registry has the number {}",
                    parsed.canonical()
                ),
                context,
            );
            return e;
        }
        let owners: BTreeSet<CompanyId> = filings.iter().map(|&(_, c)| c).collect();
        // The companies the names point at, when they point somewhere.
        let named: BTreeSet<CompanyId> = [vo, mo]
            .into_iter()
            .flatten()
            .filter(|o| o.verdict == Verdict::Filed)
            .flat_map(|o| self.companies(o))
            .collect();
        let number_evidence = |code: Code, reason: String| -> Evaluation {
            let mut e = Evaluation::new(code, reason);
            e.evidence = filings
                .iter()
                .filter_map(|&(id, company)| {
                    let f = self.snap.filing(id)?;
                    Some(report::match_info(
                        self.snap,
                        &FilingMatch {
                            filing: id,
                            company,
                            regime: f.regime,
                            kind: MatchKind::Exact,
                            score: 1.0,
                            rule: Rule::Key,
                            matched_name: f.filing_no().unwrap_or_default().to_string(),
                            matched_via: Via::Number,
                        },
                    ))
                })
                .collect();
            e.regimes = vec![regime];
            e
        };
        if !named.is_empty() && owners.is_disjoint(&named) {
            return number_evidence(
                Code::NumberOfOtherCompany,
                format!(
                    "the number {} is {}'s filing, not {}'s",
                    parsed.canonical(),
                    self.company_names(&owners),
                    self.company_names(&named)
                ),
            );
        }
        match names {
            Some(mut e) if e.verdict == AuditVerdict::Filed => {
                e.code = Code::Filed;
                e.reason =
                    join_reasons(e.reason, format!("number {} confirmed", parsed.canonical()));
                e
            }
            // The names were ambiguous (two companies filed a model of
            // that name), but the vendor is the number's owner and the
            // model names the number's filing: the number settles it.
            Some(e)
                if e.verdict == AuditVerdict::Review
                    && vo.as_ref().is_some_and(|o| {
                        o.verdict == Verdict::Filed && !self.companies(o).is_disjoint(&owners)
                    })
                    && mo.as_ref().is_some_and(|o| {
                        o.matches
                            .iter()
                            .any(|m| filings.iter().any(|&(id, _)| id == m.filing))
                    }) =>
            {
                number_evidence(
                    Code::Filed,
                    join_reasons(
                        format!(
                            "number {} confirmed: it is {}'s filing of the model named",
                            parsed.canonical(),
                            self.company_names(&owners)
                        ),
                        format!("it settles what the names left open ({})", e.reason),
                    ),
                )
            }
            Some(e) if e.verdict != AuditVerdict::Invalid => number_evidence(
                Code::NumberOnly,
                format!(
                    "the number {} is {}'s filing, but the row's names did not match it ({})",
                    parsed.canonical(),
                    self.company_names(&owners),
                    e.reason
                ),
            ),
            _ => self.required(number_evidence(
                Code::FiledByNumber,
                format!(
                    "the number {} is {}'s filing",
                    parsed.canonical(),
                    self.company_names(&owners)
                ),
            )),
        }
    }
}

fn region_name(n: &FilingNumber) -> &str {
    match n {
        FilingNumber::Algorithm { region, .. } | FilingNumber::Service { region, .. } => {
            &region.name
        }
    }
}

fn join_reasons(first: String, second: String) -> String {
    match (first.is_empty(), second.is_empty()) {
        (_, true) => first,
        (true, false) => second,
        (false, false) => format!("{first}; {second}"),
    }
}

/// The review code for a matcher outcome of `review`.
fn review_code(o: &Outcome) -> Code {
    match o.matches.first() {
        Some(top) if top.kind == MatchKind::Related => Code::RelatedEntity,
        _ if matches!(o.explain.reason, Reason::Ambiguous { .. }) => Code::Ambiguous,
        _ => Code::WeakMatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Location;

    fn auditor_eval(require: Require, v: &str, m: &str, n: &str) -> Evaluation {
        let reg = Registry::load(&Location::Embedded).unwrap();
        let a = Auditor::new(&reg, require);
        a.evaluate(v, m, n)
    }

    #[test]
    fn codes_belong_to_their_verdicts() {
        for c in Code::ALL {
            let v = c.verdict();
            assert!(AuditVerdict::ALL.contains(&v));
        }
        assert_eq!(Code::VendorModelMismatch.verdict(), AuditVerdict::Mismatch);
    }

    #[test]
    fn vendor_and_model_of_one_company() {
        let e = auditor_eval(Require::Any, "智谱AI", "GLM大模型", "");
        assert_eq!((e.verdict, e.code), (AuditVerdict::Filed, Code::Filed));
        assert!(e
            .evidence
            .iter()
            .all(|m| m.company == "北京智谱华章科技有限公司"));
    }

    #[test]
    fn model_of_another_company_is_a_mismatch() {
        let e = auditor_eval(Require::Any, "百度", "GLM大模型", "");
        assert_eq!(e.code, Code::VendorModelMismatch, "{}", e.reason);
    }

    #[test]
    fn empty_and_placeholder_rows_are_invalid() {
        assert_eq!(auditor_eval(Require::Any, " ", "", "").code, Code::EmptyRow);
        assert_eq!(
            auditor_eval(Require::Any, "N/A", "-", "").code,
            Code::PlaceholderName
        );
    }

    #[test]
    fn requirement_filters_regimes() {
        // 智谱AI has filings under both regimes.
        assert_eq!(
            auditor_eval(Require::Both, "智谱AI", "", "").verdict,
            AuditVerdict::Filed
        );
        // A model filed under genai only does not meet deep-synthesis.
        let e = auditor_eval(Require::DeepSynthesis, "", "星火大模型", "");
        assert_eq!(e.code, Code::RegimeNotCovered, "{}", e.reason);
    }

    #[test]
    fn malformed_number_is_a_mismatch() {
        let e = auditor_eval(Require::Any, "智谱AI", "", "网信算备12345号");
        assert_eq!(e.code, Code::MalformedNumber);
        // A well-formed number the deep-synthesis batches (not complete)
        // lack leaves the verdict; one the complete genai list lacks does not.
        let e = auditor_eval(
            Require::Any,
            "智谱AI",
            "",
            "网信算备110108105858001230099号",
        );
        assert_eq!(e.verdict, AuditVerdict::Filed, "{}", e.reason);
        let e = auditor_eval(Require::Any, "智谱AI", "", "Beijing-ZhiPuQingYan-20230831");
        assert_eq!(e.code, Code::UnknownNumber, "{}", e.reason);
    }
}
