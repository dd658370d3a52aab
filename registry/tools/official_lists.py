#!/usr/bin/env python3
"""Writes registry/lists/*.csv from transcriptions of the CAC's official lists.

The inputs are the row-level transcriptions of the regulator's attachments
published by the repository chenluo951-oss/lawdatify-site (commit
7218398d11d3f8d545164dc3ba688aa1042b0d61): sources/algo/genai_filing.json
(the generative-AI attachments, 2024-04 to 2026-08), deepfake_filing.json (the
18 deep-synthesis batches, 2023-06 to 2026-07) and cancel.json (the
cancellation notices). They were read page by page and saved as they are;
the SHA-256 of each file this script reads is checked below, so the output
can only come from those exact texts.

    python3 registry/tools/official_lists.py TRANSCRIPTS_DIR

writes registry/lists/{sources,genai,deep-synthesis,aliases}.csv. Published
cell values are kept as they are (FilingFields: company_listed, item_listed,
…); every correction is a row of CORRECTIONS below, applied to the registry's
own columns (company, item) with its reason in `note`, never instead of the
published value. Run it again after changing it, then
`UPDATE_EMBEDDED_INDEX=1 cargo test --lib compiled_in_index`.
"""

import csv
import hashlib
import json
import re
import sys
from pathlib import Path

REPO = "chenluo951-oss/lawdatify-site"
COMMIT = "7218398d11d3f8d545164dc3ba688aa1042b0d61"
FILES = {
    "genai": ("sources/algo/genai_filing.json", "genai.json"),
    "deep-synthesis": ("sources/algo/deepfake_filing.json", "deepfake.json"),
    "cancel": ("sources/algo/cancel.json", "cancel.json"),
}
# The SHA-256 of each transcription as saved (UTF-8, as read).
DIGESTS = {
    "genai.json": "d7c42c02a6212285d87223ad5fc82c73b1027d38b3cf0ce64606594cba799dbe",
    "deepfake.json": "093401f128cedbcba819c366323cf2ce60cf59e3277b0a470a4bcbdbe53900f2",
    "cancel.json": "9bc968215231f97d0466c2709bb512a21491ccaf28e70fdffab7861c3de12d02",
}

FILING_COLUMNS = [
    "regime", "company", "company_listed", "item", "item_listed", "item_kind", "list", "seq",
    "filing_no", "role", "product", "purpose", "region", "filed_on", "remark", "batch", "status",
    "status_on", "status_source", "source", "location", "same_as", "note",
]
SOURCE_COLUMNS = [
    "id", "title", "publisher", "published", "as_of", "location", "completeness", "url", "note",
]
ALIAS_COLUMNS = ["entity", "name", "alias", "kind", "source", "note"]

PUBLISHER = "国家互联网信息办公室"

# Corrections: (list, period, seq) -> (field, corrected value, reason). The
# published cell stays in *_listed; the registry's column gets the value.
CORRECTIONS = {
    # 2025-03 attachment, 广东 rows 340–345: the model and entity columns are
    # swapped in the attachment (the entity names end in 有限公司).
    **{
        ("cac-genai-filings", "2025-03", str(n)): ("swap", None,
            "the attachment swaps the model and entity columns of rows 340–345 (广东)")
        for n in range(340, 346)
    },
    ("cac-genai-filings", "2025-06", "368"): ("company", "天九共享网络科技集团有限公司",
        "listed with a stray 司 before the name"),
    ("cac-genai-filings", "2025-06", "414"): ("company", "珠海读书郎软件科技有限公司",
        "listed with a stray 司 before the name"),
    ("cac-genai-registrations", "2025-06", "164"): ("company", "上海进馨网络科技有限公司",
        "listed with a stray 司 inside the name (网络司科技)"),
}

# Number typos of the attachments, kept as listed, noted.
NUMBER_NOTES = {
    "Shinghai-": "the number is listed with Shinghai- for Shanghai-",
    "AlStudio": "the number is listed with Al (lower-case L) for AI",
    "Xlntelligence": "the number is listed with Xl (lower-case L) for XI",
}


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cell(v):
    if v is None:
        return ""
    return str(v).strip()


def iso(date):
    """2023/8/31 → 2023-08-31; 2024-1-17 (补登) → 2024-01-17 with the rest kept."""
    m = re.match(r"\s*(\d{4})[/.\-年](\d{1,2})[/.\-月](\d{1,2})日?\s*(.*)$", date or "")
    if not m:
        return date, ""
    y, mo, d, rest = m.groups()
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}", rest.strip()


def genai(doc, sources, filings):
    meta_file = "sources/algo/genai_filing.json"
    for bi, b in enumerate(doc["batches"]):
        period = b["period"]
        sid = f"cac-genai-{period}"
        sources.append({
            "id": sid,
            "title": b["name"],
            "publisher": PUBLISHER,
            "published": period,
            "as_of": period,
            "location": f"attachment to the notice {b['page']}",
            "completeness": "partial",
            "url": b["url"],
            "note": (
                "One bimonthly attachment of the national list (new filings and registrations since "
                f"the previous one). Transcribed row by row by {REPO} ({meta_file} at {COMMIT[:12]}, "
                f"batches[{bi}]); header {'/'.join(b['header'])}."
            ),
        })
        for ri, r in enumerate(b["rows"]):
            seq = cell(r.get("序号"))
            if seq == "序号":
                # The registrations table's own header row, transcribed as a row.
                continue
            item = cell(r.get("模型名称") or r.get("大模型名称"))
            company = cell(r.get("备案单位"))
            number = cell(r.get("备案号") or r.get("备案编号"))
            kind = r.get("_kind")
            notes = []
            if "适用场景" in r:
                lst = "cac-genai-on-device"
            elif number.endswith("-"):
                lst = "cac-genai-registrations"
                notes.append(
                    "the number is truncated in the attachment; the row is registration 286 "
                    "(the registrations' numbering lacks it otherwise), transcribed as a filing"
                )
            elif kind == "登记":
                lst = "cac-genai-registrations"
            else:
                lst = "cac-genai-filings"
            filed_on, date_note = iso(cell(r.get("备案时间")))
            if date_note:
                notes.append(f"the date is listed with {date_note}")
            for typo, note in NUMBER_NOTES.items():
                if typo in number:
                    notes.append(note)
            reg_company, reg_item = company, item
            fix = CORRECTIONS.get((lst, period, seq))
            if fix:
                what, value, reason = fix
                if what == "swap":
                    reg_company, reg_item = item, company
                elif what == "company":
                    reg_company = value
                notes.append(f"corrected: {reason}")
            filings.append({
                "regime": "genai",
                "company": reg_company,
                "company_listed": company,
                "item": reg_item,
                "item_listed": item,
                "item_kind": "service" if lst == "cac-genai-registrations" else "model",
                "list": lst,
                "seq": seq,
                "filing_no": number,
                "role": "",
                "product": cell(r.get("适用场景")),
                "purpose": "",
                "region": cell(r.get("属地")),
                "filed_on": filed_on,
                "remark": "",
                "batch": period,
                "status": "listed",
                "status_on": "",
                "status_source": "",
                "source": sid,
                "location": f"序号 {seq}" + (" (适用场景 table)" if lst == "cac-genai-on-device" else "")
                + f"; row {ri + 1} of the transcription",
                "same_as": "",
                "note": "; ".join(notes),
            })


FORMER = re.compile(r"原(主体|算法|产品)名称[“\"「]([^”\"」]+)[”\"」]")


def deep_synthesis(doc, cancel, sources, filings, aliases):
    meta_file = "sources/algo/deepfake_filing.json"
    cancelled = {}
    for n in cancel["notices"]:
        sid = f"cac-cancel-{n['date']}"
        sources.append({
            "id": sid,
            "title": n["title"],
            "publisher": PUBLISHER,
            "published": n["date"],
            "as_of": n["date"],
            "location": f"notice {n['noticeId']} (PDF attachment)",
            "completeness": "partial",
            "url": n["url"],
            "note": (
                f"A notice cancelling algorithm filing numbers ({n['count']} listed). Transcribed by {REPO} "
                f"(sources/algo/cancel.json at {COMMIT[:12]}). Numbers of other algorithm types "
                "(个性化推送类, 检索过滤类) are not deep-synthesis filings and are not in this registry."
            ),
        })
        for rec in n["records"]:
            cancelled[cell(rec["code"])] = (sid, n["date"], rec)
    used = set()
    seen = {}
    for bi, b in enumerate(doc["batches"]):
        period = b["period"]
        sid = f"cac-deep-synthesis-{period}"
        sources.append({
            "id": sid,
            "title": b["name"],
            "publisher": PUBLISHER,
            "published": period,
            "as_of": period,
            "location": f"{b['batch']} ({b['count']} algorithms), attachment to the notice {b['page']}",
            "completeness": "partial",
            "url": b["url"],
            "note": (
                f"One batch of the national deep-synthesis algorithm list ({b['batch']}). Transcribed row "
                f"by row by {REPO} ({meta_file} at {COMMIT[:12]}, batches[{bi}])."
            ),
        })
        for ri, r in enumerate(b["rows"]):
            number = cell(r.get("备案编号"))
            company = cell(r.get("主体名称"))
            item = cell(r.get("算法名称"))
            remark = cell(r.get("备注"))
            product = cell(r.get("应用产品"))
            notes = []
            status, status_on, status_source = "listed", "", ""
            if "已注销" in remark:
                status = "cancelled"
                notes.append("the list's 备注 says 已注销 (cancelled)")
            if number in cancelled:
                nsid, date, rec = cancelled[number]
                used.add(number)
                status, status_on, status_source = "cancelled", date, nsid
                notes.append(f"cancelled by the notice of {date}")
            if number in seen:
                notes.append(f"the same number is listed again in {seen[number]}")
            seen.setdefault(number, period)
            location = f"{b['batch']}" + (f", 序号 {cell(r.get('序号'))}" if cell(r.get("序号")) else "") + f"; row {ri + 1} of the transcription"
            filings.append({
                "regime": "deep-synthesis",
                "company": company,
                "company_listed": company,
                "item": item,
                "item_listed": item,
                "item_kind": "algorithm",
                "list": "cac-deep-synthesis",
                "seq": cell(r.get("序号")),
                "filing_no": number,
                "role": cell(r.get("角色")),
                "product": "" if product in ("--", "—") else product,
                "purpose": cell(r.get("主要用途")),
                "region": "",
                "filed_on": "",
                "remark": remark,
                "batch": b["batch"],
                "status": status,
                "status_on": status_on,
                "status_source": status_source,
                "source": sid,
                "location": location,
                "same_as": "",
                "note": "; ".join(notes),
            })
            for what, old in FORMER.findall(remark):
                old = old.strip()
                if what == "主体" and old and old != company:
                    aliases.append({"entity": "company", "name": company, "alias": old,
                                    "kind": "former_name", "source": f"{sid} ({location}): 备注 {remark}",
                                    "note": "the list's 备注 gives the entity's former name"})
                if what == "算法" and old and old != item:
                    aliases.append({"entity": "item", "name": item, "alias": old,
                                    "kind": "former_name", "source": f"{sid} ({location}): 备注 {remark}",
                                    "note": "the list's 备注 gives the algorithm's former name"})
    return sorted(set(cancelled) - used)


def write(path, columns, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def main():
    src = Path(sys.argv[1])
    out = Path(__file__).resolve().parent.parent / "lists"
    docs = {}
    for key, (_, name) in FILES.items():
        path = src / name
        digest = sha256(path)
        if DIGESTS[name] and DIGESTS[name] != digest:
            sys.exit(f"{path}: SHA-256 {digest}, expected {DIGESTS[name]}: not the transcription this script reads")
        print(f"{name}: sha256 {digest}")
        docs[key] = json.loads(path.read_text(encoding="utf-8"))
    sources, genai_rows, ds_rows, aliases = [], [], [], []
    genai(docs["genai"], sources, genai_rows)
    not_ds = deep_synthesis(docs["deep-synthesis"], docs["cancel"], sources, ds_rows, aliases)
    write(out / "sources.csv", SOURCE_COLUMNS, sources)
    write(out / "genai.csv", FILING_COLUMNS, genai_rows)
    write(out / "deep-synthesis.csv", FILING_COLUMNS, ds_rows)
    seen, unique = set(), []
    for a in aliases:
        k = (a["entity"], a["name"], a["alias"])
        if k not in seen:
            seen.add(k)
            unique.append(a)
    write(out / "aliases.csv", ALIAS_COLUMNS, unique)
    by_list = {}
    for r in genai_rows + ds_rows:
        by_list[r["list"]] = by_list.get(r["list"], 0) + 1
    print("rows per list:", by_list)
    print("cancelled numbers not in the deep-synthesis list (other algorithm types):", len(not_ds))
    print("aliases from 备注:", len(unique))


if __name__ == "__main__":
    main()
