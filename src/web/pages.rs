//! The pages, as maud templates: every value from a request, a file or the
//! registry goes through maud's escaping, and no page carries script (the
//! Content-Security-Policy forbids it). Simplified Chinese by default,
//! English by `?lang=en` or the browser's Accept-Language.

use maud::{html, Markup, DOCTYPE};
use serde_json::Value;

use crate::matcher::Verdict;
use crate::printer::audit::Lang;
use crate::report::{LookupReport, QueryResult, StatusReport};

/// A label in both languages.
fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// The query string that keeps the language across links.
fn lang_q(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "lang=zh",
        Lang::En => "lang=en",
    }
}

/// What every page shows around its content: the header with the three
/// pages and the language switch, the registry's date, a banner when the
/// data are stale.
pub fn layout(lang: Lang, title: &str, as_of: &str, stale: Option<&str>, body: Markup) -> Markup {
    let other = match lang {
        Lang::Zh => ("lang=en", "English"),
        Lang::En => ("lang=zh", "中文"),
    };
    html! {
        (DOCTYPE)
        html lang=(match lang { Lang::Zh => "zh-CN", Lang::En => "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · filing-check" }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                header {
                    strong.brand { "filing-check" }
                    nav {
                        a href={ "/?" (lang_q(lang)) } { (t(lang, "查询", "Look up")) }
                        a href={ "/audit?" (lang_q(lang)) } { (t(lang, "批量核查", "Audit a list")) }
                        a href={ "/registry?" (lang_q(lang)) } { (t(lang, "登记库", "Registry")) }
                    }
                    a.lang href={ "?" (other.0) } { (other.1) }
                }
                p.asof {
                    (t(lang, "登记库数据截至 ", "Registry data as of "))
                    strong { (as_of) }
                }
                @if let Some(s) = stale {
                    p.banner.stale { (s) }
                }
                main { (body) }
                footer {
                    (t(lang,
                        "依据国家互联网信息办公室公布的生成式人工智能服务备案/登记信息和深度合成服务算法备案清单。登记库中查不到，并不证明未备案。",
                        "From the CAC's published lists of generative-AI filings and registrations and deep-synthesis algorithm filings. Not being in the registry is not proof that something is not filed."))
                }
            }
        }
    }
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Filed => "filed",
        Verdict::Review => "review",
        Verdict::NotFound => "not-found",
    }
}

fn verdict_label(lang: Lang, v: Verdict) -> &'static str {
    match v {
        Verdict::Filed => t(lang, "已备案", "filed"),
        Verdict::Review => t(lang, "需复核", "review"),
        Verdict::NotFound => t(lang, "未查到", "not found"),
    }
}

/// The look-up page: the box, and a card per answer.
pub fn lookup(lang: Lang, q: &str, report: Option<&LookupReport>) -> Markup {
    html! {
        form.search method="get" action="/" {
            input type="hidden" name="lang" value=(match lang { Lang::Zh => "zh", Lang::En => "en" });
            input type="search" name="q" value=(q) autofocus
                placeholder=(t(lang, "厂商、模型、产品或备案号，例如 智谱AI", "vendor, model, product or filing number, e.g. 智谱AI"));
            button type="submit" { (t(lang, "查询", "Look up")) }
        }
        @if let Some(r) = report {
            @for result in &r.results {
                (card(lang, result, r))
            }
        }
    }
}

fn card(lang: Lang, r: &QueryResult, report: &LookupReport) -> Markup {
    let source_url = |id: &str| {
        report
            .registry
            .sources
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.url.clone())
    };
    html! {
        section class={ "card " (verdict_class(r.verdict)) } {
            h2 {
                span.query { (r.query) }
                " "
                span class={ "verdict " (verdict_class(r.verdict)) } { (verdict_label(lang, r.verdict)) }
            }
            @if r.matches.is_empty() {
                p.notfound {
                    (t(lang,
                        "登记库中没有与之相符的备案。这不证明它未备案：登记库只含已公布的清单（截至上方日期），名称也可能不同。请向厂商索取备案号再查。",
                        "No filing in the registry matches. This does not prove it is not filed: the registry holds the published lists (as of the date above), and the name may differ. Ask the vendor for its filing number and look that up."))
                }
            }
            @for m in &r.matches {
                div.match {
                    p.who {
                        strong { (m.company) } " · " (m.item)
                        " (" (m.regime) ", " (m.item_kind.as_str()) ")"
                    }
                    dl {
                        @if let Some(n) = &m.filing_no {
                            dt { (t(lang, "备案号", "Filing no.")) }
                            dd.number { (n) }
                        }
                        @if let Some(l) = &m.legal_name {
                            dt { (t(lang, "法定名称", "Legal name")) }
                            dd { (l) }
                        }
                        @if let Some(l) = &m.company_listed {
                            dt { (t(lang, "清单所列名称", "Listed as")) }
                            dd { (l) }
                        }
                        dt { (t(lang, "匹配", "Match")) }
                        dd { (m.kind.as_str()) " " (format!("{:.2}", m.score)) " · " (m.matched_name) }
                        dt { (t(lang, "来源", "Source")) }
                        dd {
                            @match source_url(&m.source) {
                                Some(u) => a href=(u) rel="noreferrer" { (m.source) },
                                None => (m.source),
                            }
                            " · " (t(lang, "截至 ", "as of ")) (m.as_of)
                        }
                        @if let Some(n) = &m.note {
                            dt { (t(lang, "说明", "Note")) }
                            dd { (n) }
                        }
                    }
                }
            }
            @if let Some(note) = &r.note {
                p.note { (note) }
            }
            @if let Some(e) = &r.explain {
                details {
                    summary { (t(lang, "为什么", "Why")) }
                    pre { (explain_text(e)) }
                }
            }
        }
    }
}

/// The CLI's `--explain` text.
fn explain_text(e: &crate::matcher::Explain) -> String {
    let mut out = Vec::new();
    let _ = crate::printer::table::write_explain(&mut out, e);
    String::from_utf8_lossy(&out).into_owned()
}

/// The audit page: the form, and the result of a run.
pub fn audit(
    lang: Lang,
    pasted: &str,
    result: Option<(&Value, &str)>,
    error: Option<&str>,
) -> Markup {
    html! {
        form.audit method="post" action={ "/audit?" (lang_q(lang)) } enctype="multipart/form-data" {
            label {
                (t(lang, "上传供应商清单（CSV/TSV/xlsx/xls，任意编码）", "Upload a supplier list (CSV/TSV/xlsx/xls, any encoding)"))
                input type="file" name="file";
            }
            label {
                (t(lang, "或粘贴从 Excel 复制的行（可含表头）", "or paste rows copied from Excel (with or without a header)"))
                textarea name="paste" rows="8" { (pasted) }
            }
            button type="submit" { (t(lang, "核查", "Audit")) }
        }
        @if let Some(e) = error {
            p.banner.error { (e) }
        }
        @if let Some((r, token)) = result {
            (downloads(lang, token))
            (audit_table(lang, r))
        }
    }
}

/// Links to the same report as files, for Excel and other systems.
fn downloads(lang: Lang, token: &str) -> Markup {
    html! {
        p.downloads {
            (t(lang, "下载报告：", "Download the report: "))
            a href={ "/audit/report/" (token) "?format=xlsx&" (lang_q(lang)) } { "xlsx" } " · "
            a href={ "/audit/report/" (token) "?format=csv&" (lang_q(lang)) } { "CSV (UTF-8 BOM)" } " · "
            a href={ "/audit/report/" (token) "?format=csv&encoding=gbk&" (lang_q(lang)) } { "CSV (GBK)" } " · "
            a href={ "/audit/report/" (token) "?format=json" } { "JSON" }
        }
    }
}

/// An audit verdict as the page says it.
fn audit_verdict(lang: Lang, v: &str) -> String {
    let zh = match v {
        "filed" => "已备案",
        "review" => "需复核",
        "not-found" => "未查到",
        "mismatch" => "不一致",
        "invalid" => "无效行",
        other => other,
    };
    match lang {
        Lang::Zh => format!("{zh} ({v})"),
        Lang::En => v.to_string(),
    }
}

fn audit_table(lang: Lang, report: &Value) -> Markup {
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    let counts = report["summary"]["verdicts"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    html! {
        div.filter {
            (t(lang, "筛选：", "Show: "))
            label { input type="radio" name="show" id="show-all" checked; (t(lang, "全部", "all")) }
            @for (verdict, n) in &counts {
                label class={ "count " (verdict) } {
                    input type="radio" name="show" id={ "show-" (verdict) };
                    (audit_verdict(lang, verdict)) ": " (n.to_string())
                }
            }
        }
        table.report {
            thead {
                tr {
                    th { (t(lang, "行号", "Line")) }
                    th { (t(lang, "供应商", "Vendor")) }
                    th { (t(lang, "模型", "Model")) }
                    th { (t(lang, "备案号", "Filing no.")) }
                    th { (t(lang, "结论", "Verdict")) }
                    th { (t(lang, "原因", "Reason")) }
                }
            }
            tbody {
                @for r in &rows {
                    tr class={ "row " (text(&r["verdict"])) } {
                        td { (r["line"].to_string()) }
                        td { (text(&r["vendor"])) }
                        td { (text(&r["model"])) }
                        td.number { (text(&r["filing_no"])) }
                        td class={ "verdict " (text(&r["verdict"])) } { (audit_verdict(lang, &text(&r["verdict"]))) }
                        (reason_cell(lang, r))
                    }
                }
            }
        }
    }
}

/// A row's reason: in Chinese, the gist of its code first (the reason
/// itself, which names the evidence, is English); then what to do.
fn reason_cell(lang: Lang, r: &Value) -> Markup {
    let code = r["code"]
        .as_str()
        .and_then(|c| c.parse::<crate::audit::Code>().ok());
    let next = match code {
        Some(c) => lang.next_step(c),
        None => r["next_step"].as_str(),
    };
    let reason = r["reason"].as_str().unwrap_or_default();
    html! {
        td {
            @if let (Lang::Zh, Some(c)) = (lang, code) {
                strong.gist { (lang.code_summary(c)) } br;
                span.detail { (reason) }
            } @else {
                (reason)
            }
            @if let Some(n) = next { br; em { (n) } }
        }
    }
}

/// The registry page: counts, lists, sources and a page of filings.
#[allow(clippy::too_many_arguments)]
pub fn registry(
    lang: Lang,
    status: &StatusReport,
    q: &str,
    page: usize,
    filings: &[crate::report::ListedFiling],
    total: usize,
    per_page: usize,
    admin: &AdminView,
) -> Markup {
    html! {
        h2 { (t(lang, "各监管类别", "Regimes")) }
        table {
            tr { th { (t(lang, "类别", "Regime")) } th { (t(lang, "规定", "Regulation")) } th { (t(lang, "条数", "Filings")) } th { (t(lang, "截至", "As of")) } }
            @for r in &status.regimes {
                tr { td { (r.regime) } td { (r.title) } td { (r.filings) } td { (r.as_of.clone().unwrap_or_default()) } }
            }
        }
        h2 { (t(lang, "官方清单", "Official lists")) }
        table {
            tr { th { "id" } th { (t(lang, "条数", "Rows")) } th { (t(lang, "序号", "Numbers held")) } th { (t(lang, "截至", "As of")) } }
            @for l in &status.lists {
                tr { td { (l.list.id) } td { (l.rows) } td { (l.numbers_held.clone().or_else(|| l.list.held.clone()).unwrap_or_default()) } td { (l.list.as_of) } }
            }
        }
        h2 { (t(lang, "来源", "Sources")) }
        table {
            tr { th { "id" } th { (t(lang, "标题", "Title")) } th { (t(lang, "截至", "As of")) } th { (t(lang, "条数", "Filings")) } }
            @for s in &status.sources {
                tr {
                    td { (s.source.id) }
                    td { @match &s.source.url { Some(u) => a href=(u) rel="noreferrer" { (s.source.title) }, None => (s.source.title) } }
                    td { (s.source.as_of) }
                    td { (s.filings) }
                }
            }
        }
        h2 { (t(lang, "备案", "Filings")) }
        form.search method="get" action="/registry" {
            input type="hidden" name="lang" value=(match lang { Lang::Zh => "zh", Lang::En => "en" });
            input type="search" name="q" value=(q) placeholder=(t(lang, "筛选名称或备案号", "filter by name or number"));
            button type="submit" { (t(lang, "筛选", "Filter")) }
        }
        p { (total) " · " (t(lang, "第 ", "page ")) (page) }
        table.filings {
            tr { th { (t(lang, "主体", "Company")) } th { (t(lang, "名称", "Item")) } th { (t(lang, "备案号", "Number")) } th { (t(lang, "来源", "Source")) } }
            @for f in filings {
                tr { td { (f.company) } td { (f.item) } td.number { (f.filing_no.clone().unwrap_or_default()) } td { (f.source) } }
            }
        }
        nav.pages {
            @if page > 1 {
                a href={ "/registry?" (lang_q(lang)) "&page=" (page - 1) "&q=" (urlencode(q)) } { "‹" }
            }
            @if page * per_page < total {
                a href={ "/registry?" (lang_q(lang)) "&page=" (page + 1) "&q=" (urlencode(q)) } { "›" }
            }
        }
        (admin_section(lang, admin))
    }
}

/// What a browser may do about importing lists.
pub enum AdminView {
    /// No admin token was configured.
    Off,
    /// Administration is on; this browser has not signed in.
    SignIn,
    /// Signed in: forms carry this CSRF token.
    Ready { csrf: String },
}

/// The registry page's section for importing a newly published list.
fn admin_section(lang: Lang, admin: &AdminView) -> Markup {
    html! {
        section.admin id="admin" {
            h2 { (t(lang, "导入新公布的清单（管理员）", "Import a newly published list (administrators)")) }
            @match admin {
                AdminView::Off => {
                    p { (t(lang,
                        "管理功能未开启。要在此页面导入国家网信办新公布的清单，请用管理员令牌文件和登记库文件启动：",
                        "Administration is off. To import the CAC's newly published lists on this page, start the server with an admin token file and a registry file:")) }
                    pre { "openssl rand -hex 16 > admin-token\nfiling-check registry init registry.db\nfiling-check serve --registry registry.db --admin-token-file admin-token" }
                }
                AdminView::SignIn => {
                    form.admin method="post" action={ "/admin/login?" (lang_q(lang)) } {
                        label { (t(lang, "管理员令牌", "Admin token")) " "
                            input type="password" name="token" autocomplete="current-password" required;
                        }
                        button type="submit" { (t(lang, "登录", "Sign in")) }
                    }
                }
                AdminView::Ready { csrf } => {
                    form.admin.import method="post" enctype="multipart/form-data" action={ "/admin/import?" (lang_q(lang)) } {
                        input type="hidden" name="csrf" value=(csrf);
                        label { (t(lang, "清单文件（PDF、docx、xlsx、CSV）", "The list (PDF, docx, xlsx, CSV)")) " "
                            input type="file" name="file" required;
                        }
                        label { (t(lang, "类别", "Regime")) " "
                            select name="regime" {
                                option value="" { (t(lang, "按表头判断", "told by the headers")) }
                                option value="genai" { "genai" }
                                option value="deep-synthesis" { "deep-synthesis" }
                            }
                        }
                        label { (t(lang, "截至日期（可不填：取自标题、文件名或备案日期）", "As of (optional: from the title, file name or dates)")) " "
                            input type="text" name="as_of" placeholder="2026-08";
                        }
                        label { (t(lang, "标题", "Title")) " " input type="text" name="title"; }
                        label { (t(lang, "发布网址", "Published at (URL)")) " " input type="url" name="url"; }
                        label { (t(lang, "发布者", "Publisher")) " " input type="text" name="publisher" value="国家互联网信息办公室"; }
                        label { input type="checkbox" name="complete" value="1"; " " (t(lang, "完整清单（其中没有的旧备案标为已不在清单）", "Complete list (filings it lacks are marked absent)")) }
                        label { input type="checkbox" name="skip_unreadable" value="1"; " " (t(lang, "跳过无法读取的行", "Skip rows that cannot be read")) }
                        button type="submit" { (t(lang, "预览导入", "Preview the import")) }
                    }
                    form method="post" action={ "/admin/logout?" (lang_q(lang)) } {
                        input type="hidden" name="csrf" value=(csrf);
                        button type="submit" { (t(lang, "退出", "Sign out")) }
                    }
                }
            }
        }
    }
}

/// Rows of a preview's lists shown on the page (the JSON API has all).
const PREVIEW_ROWS: usize = 100;

fn entry_cells(e: &crate::model::NewFiling) -> Markup {
    html! {
        td { (e.regime) }
        td { (e.fields.company) }
        td { (e.fields.item) }
        td.number { (e.filing_no().unwrap_or_default()) }
    }
}

/// What the import would do: its report and the filings it adds, changes
/// and drops, with confirm and cancel.
pub fn admin_preview(lang: Lang, p: &crate::web::admin::Preview, csrf: &str) -> Markup {
    let d = &p.diff;
    html! {
        h2 { (t(lang, "导入预览：", "Import preview: ")) (p.label) }
        p.banner.stale { (t(lang, "尚未导入。确认后才会写入登记库；取消则不做任何更改。",
            "Nothing is imported yet. The registry changes only when you confirm; cancelling changes nothing.")) }
        (report_summary(lang, &p.report))
        p.counts {
            span.count { (t(lang, "新增 ", "added ")) strong { (d.added.len()) } }
            span.count { (t(lang, "变更 ", "changed ")) strong { (d.changed.len()) } }
            span.count { (t(lang, "移出 ", "dropped ")) strong { (d.removed.len()) } }
            span.count { (t(lang, "不变 ", "unchanged ")) strong { (d.unchanged) } }
        }
        div.confirm {
            form method="post" action={ "/admin/import/" (p.id) "/confirm?" (lang_q(lang)) } {
                input type="hidden" name="csrf" value=(csrf);
                button.confirm-button id="confirm" type="submit" { (t(lang, "确认导入", "Confirm the import")) }
            }
            form method="post" action={ "/admin/import/" (p.id) "/cancel?" (lang_q(lang)) } {
                input type="hidden" name="csrf" value=(csrf);
                button id="cancel" type="submit" { (t(lang, "取消", "Cancel")) }
            }
        }
        @for (label, rows) in [(t(lang, "新增的备案", "Filings added"), &d.added), (t(lang, "移出的备案（标为已不在清单或已注销）", "Filings dropped (marked absent or cancelled)"), &d.removed)] {
            @if !rows.is_empty() {
                h3 { (label) " (" (rows.len()) ")" }
                table.preview {
                    tr { th { (t(lang, "类别", "Regime")) } th { (t(lang, "主体", "Company")) } th { (t(lang, "名称", "Item")) } th { (t(lang, "备案号", "Number")) } }
                    @for e in rows.iter().take(PREVIEW_ROWS) { tr { (entry_cells(e)) } }
                }
                @if rows.len() > PREVIEW_ROWS {
                    p { (t(lang, "另有 ", "and ")) (rows.len() - PREVIEW_ROWS) (t(lang, " 条未显示。", " more not shown.")) }
                }
            }
        }
        @if !d.changed.is_empty() {
            h3 { (t(lang, "变更的备案", "Filings changed")) " (" (d.changed.len()) ")" }
            table.preview {
                tr { th { (t(lang, "类别", "Regime")) } th { (t(lang, "主体", "Company")) } th { (t(lang, "名称", "Item")) } th { (t(lang, "备案号", "Number")) } th { (t(lang, "变更的栏目", "Fields changed")) } }
                @for c in d.changed.iter().take(PREVIEW_ROWS) { tr { (entry_cells(&c.after)) td { (c.fields.join("、")) } } }
            }
            @if d.changed.len() > PREVIEW_ROWS {
                p { (t(lang, "另有 ", "and ")) (d.changed.len() - PREVIEW_ROWS) (t(lang, " 条未显示。", " more not shown.")) }
            }
        }
    }
}

/// The import's own report: what it read, its date, its findings.
fn report_summary(lang: Lang, r: &Value) -> Markup {
    let num = |k: &str| r.get(k).and_then(Value::as_u64).unwrap_or(0);
    let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("-").to_string();
    let list = |k: &str| {
        r.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    html! {
        dl {
            dt { (t(lang, "类别", "Regime")) } dd { (text("regime")) }
            dt { (t(lang, "截至", "As of")) } dd { (text("as_of")) " (" (t(lang, "依据 ", "from ")) (text("as_of_from")) ")" }
            dt { (t(lang, "行数", "Rows")) } dd { (num("rows")) }
            dt { (t(lang, "新主体", "New companies")) } dd { (num("new_companies")) }
            @if let Some(b) = r.get("already_imported_as").filter(|b| !b.is_null()) {
                dt { (t(lang, "已导入过", "Imported before")) } dd { (t(lang, "批次 ", "batch ")) (b) }
            }
        }
        @let notes = list("numbering");
        @if !notes.is_empty() {
            ul.notes { @for n in &notes { li { (n.as_str().unwrap_or_default()) } } }
        }
        @let findings = list("findings");
        @if !findings.is_empty() {
            h3 { (t(lang, "发现的问题", "Findings")) " (" (findings.len()) ")" }
            table.preview {
                tr { th { (t(lang, "位置", "Where")) } th { (t(lang, "说明", "What")) } th { (t(lang, "内容", "Text")) } }
                @for f in findings.iter().take(PREVIEW_ROWS) {
                    tr {
                        td { (f.get("location").and_then(Value::as_str).unwrap_or_default()) }
                        td { (f.get("message").and_then(Value::as_str).unwrap_or_default()) }
                        td { (f.get("text").and_then(Value::as_str).unwrap_or_default()) }
                    }
                }
            }
        }
        @let uncertain = list("uncertain");
        @if !uncertain.is_empty() {
            h3 { (t(lang, "未能确定归属的主体（作为新主体保留，请核对）", "Companies not surely linked (kept as new; check them)")) }
            ul { @for u in &uncertain { li { (u.get("listed").and_then(Value::as_str).unwrap_or_default()) } } }
        }
    }
}

/// A confirmed import.
pub fn admin_done(lang: Lang, report: &Value) -> Markup {
    html! {
        h2 { (t(lang, "已导入", "Imported")) }
        p.banner.done { (t(lang, "登记库已更新，此后的查询和核查使用新数据。", "The registry is updated; lookups and audits use the new data from now on.")) }
        (report_summary(lang, report))
        p.counts {
            span.count { (t(lang, "新增 ", "added ")) strong { (report.get("added").and_then(Value::as_u64).unwrap_or(0)) } }
            span.count { (t(lang, "变更 ", "changed ")) strong { (report.get("changed").and_then(Value::as_u64).unwrap_or(0)) } }
            span.count { (t(lang, "不变 ", "unchanged ")) strong { (report.get("unchanged").and_then(Value::as_u64).unwrap_or(0)) } }
        }
        p { a href={ "/registry?" (lang_q(lang)) } { (t(lang, "返回登记库", "Back to the registry")) } }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The stylesheet, served from the binary.
pub const CSS: &str = include_str!("app.css");

/// A page for an error, with the message escaped.
pub fn error(lang: Lang, message: &str) -> Markup {
    html! { p.banner.error { (message) } p { a href={ "/?" (lang_q(lang)) } { (t(lang, "返回", "Back")) } } }
}
