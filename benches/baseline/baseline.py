#!/usr/bin/env python3
"""The baseline filing-check is measured against: what an analyst would write.

pandas reads the vendor list, rapidfuzz's ``process.extractOne`` finds the
closest registry name for each vendor (and model), and a score threshold
decides "filed" or not. The registry names are the same ones filing-check
knows, read from the same CSV files that are compiled into the binary
(``registry/``): each company's listed name, legal and English names and
aliases, and each filed item (model, service, algorithm) with its listed name
and aliases, every name mapping to the company (and item) it names.

Sub-commands (``run-all.sh`` calls them; each prints one JSON object):

  eval QUERIES.csv
      Accuracy on the labelled query set, for two scorers (WRatio and
      JaroWinkler). The threshold of each is the one that maximises the
      baseline's own accuracy on that same set: generous to the baseline (it
      is tuned on the test set; filing-check's thresholds are not). The best
      scorer and its threshold are what ``audit`` then uses.

  audit LIST.csv --scorer S --threshold T [--rows N] [--dedup] [-o OUT.csv]
      The timed run: read the list, match every row, write a CSV result.
      Without --dedup every row is matched (the straightforward per-row
      script, the primary baseline); with --dedup identical names are matched
      once (``drop_duplicates``) and the result mapped back to the rows.
      The time is end to end inside the script (read, match, write) and
      excludes the interpreter start and imports: again generous.

  tool-accuracy EVAL.json
      filing-check's own accuracy, computed from its ``eval --format json``
      report with the same definitions as ``eval`` uses for the baseline.

Accuracy, the same for both (and the same split as ``filing-check eval``):
  * positives: queries labelled ``filed``; right when answered filed with the
    expected company (regimes are not compared: the baseline has none);
  * negatives: queries labelled ``not-found`` or ``review`` (near misses such
    as 京东方 or 腾讯音乐); right when NOT answered filed;
  * overall: right answers / all queries.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import JaroWinkler

HERE = Path(__file__).resolve().parent
REGISTRY = HERE.parent.parent / "registry"

# Scorer name -> (scorer, the scale of its scores). WRatio scores 0..100,
# JaroWinkler's normalized similarity 0..1.
SCORERS = {
    "WRatio": fuzz.WRatio,
    "JaroWinkler": JaroWinkler.normalized_similarity,
}


# --------------------------------------------------------------------------
# The choice list: every registry name, each naming a company (and an item).
# --------------------------------------------------------------------------


def load_choices(registry: Path = REGISTRY) -> tuple[list[str], list[str], list[str]]:
    """Returns (names, company of each name, item of each name or '')."""
    read = lambda f: pd.read_csv(registry / f, dtype=str, keep_default_na=False)
    companies, aliases, filings = read("companies.csv"), read("aliases.csv"), read("filings.csv")
    item_company = dict(zip(filings["item"], filings["company"]))

    pairs: list[tuple[str, str, str]] = []  # (name, company, item)
    # Company names first, so that a name shared by a company and an item
    # names the company.
    for c in companies.itertuples():
        for name in (c.company, c.legal_name, c.english_name):
            pairs.append((name, c.company, ""))
    for f in filings.itertuples():
        pairs.append((f.company, f.company, ""))
        pairs.append((f.company_listed, f.company, ""))
    for a in aliases[aliases["entity"] == "company"].itertuples():
        pairs.append((a.alias, a.name, ""))
    for f in filings.itertuples():
        pairs.append((f.item, f.company, f.item))
        pairs.append((f.item_listed, f.company, f.item))
    for a in aliases[aliases["entity"] == "item"].itertuples():
        pairs.append((a.alias, item_company.get(a.name, ""), a.name))

    names, comps, items, seen = [], [], [], set()
    for name, company, item in pairs:
        name = name.strip()
        if name and company and name not in seen:
            seen.add(name)
            names.append(name)
            comps.append(company)
            items.append(item)
    return names, comps, items


def best(query: str, choices: list[str], scorer) -> tuple[float, int]:
    """The analyst's one-liner: the closest registry name and its score."""
    hit = process.extractOne(query, choices, scorer=scorer, processor=utils.default_process)
    if hit is None:  # rapidfuzz returns None when nothing scores at all
        return 0.0, -1
    _, score, index = hit
    return float(score), index


# --------------------------------------------------------------------------
# eval: accuracy on the labelled queries, threshold tuned on the set itself.
# --------------------------------------------------------------------------


def score_cases(cases: pd.DataFrame, answers: list[tuple[bool, str]]) -> dict:
    """Counts right answers; answers[i] = (answered filed, company)."""
    pos = neg = pos_right = neg_right = 0
    for (filed, company), expected, exp_company in zip(
        answers, cases["expected_verdict"], cases["expected_company"]
    ):
        if expected == "filed":
            pos += 1
            pos_right += filed and company == exp_company
        else:  # not-found or review
            neg += 1
            neg_right += not filed
    return {
        "cases": pos + neg,
        "positives": pos,
        "positives_right": pos_right,
        "positive_rate": pos_right / pos if pos else 1.0,
        "negatives": neg,
        "negatives_right": neg_right,
        "negatives_filed": neg - neg_right,
        "negative_rate": neg_right / neg if neg else 1.0,
        "accuracy": (pos_right + neg_right) / (pos + neg),
    }


def read_cases(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cmd_eval(args) -> dict:
    cases = read_cases(args.queries)
    names, comps, _ = load_choices()
    out = {"choices": len(names), "scorers": {}}
    for sname, scorer in SCORERS.items():
        hits = [best(q, names, scorer) for q in cases["query"]]
        # Every distinct score is a candidate threshold ("filed" = score >= t).
        candidates = sorted({s for s, _ in hits} | {float("inf")})
        top = None
        for t in candidates:
            answers = [(s >= t and i >= 0, comps[i] if i >= 0 else "") for s, i in hits]
            r = score_cases(cases, answers)
            # Highest accuracy; on a tie, the higher threshold (fewer false filed).
            if top is None or r["accuracy"] >= top["accuracy"]:
                top = dict(r, threshold=t)
        out["scorers"][sname] = top
    # The scorer the timed runs use: the more accurate one (WRatio on a tie).
    out["best_scorer"] = max(SCORERS, key=lambda s: (out["scorers"][s]["accuracy"], s == "WRatio"))
    out["threshold"] = out["scorers"][out["best_scorer"]]["threshold"]
    out["note"] = "threshold chosen to maximise the baseline's accuracy on this same set"
    return out


# --------------------------------------------------------------------------
# audit: the timed run over a vendor list.
# --------------------------------------------------------------------------


def cmd_audit(args) -> dict:
    scorer = SCORERS[args.scorer]
    names, comps, items = load_choices()
    t0 = time.perf_counter()

    df = pd.read_csv(args.list, dtype=str, keep_default_na=False, nrows=args.rows)
    vendors = df[args.vendor_col]
    models = df[args.model_col] if args.model_col in df.columns else None

    def match(name: str) -> tuple[float, int]:
        return best(name, names, scorer) if name.strip() else (0.0, -1)

    if args.dedup:
        # The smarter analyst: match each distinct name once, then map back.
        uniq = vendors.drop_duplicates()
        table = dict(zip(uniq, uniq.map(match)))
        v_hits = vendors.map(table)
        if models is not None:
            uniq = models.drop_duplicates()
            table = dict(zip(uniq, uniq.map(match)))
            m_hits = models.map(table)
    else:
        # The straightforward script: one extractOne per row (and per model).
        v_hits = vendors.map(match)
        if models is not None:
            m_hits = models.map(match)

    t = args.threshold

    def label(hit):
        score, i = hit
        ok = i >= 0 and score >= t
        return (names[i] if i >= 0 else "", comps[i] if ok else "", items[i] if ok else "", score)

    v = pd.DataFrame(v_hits.map(label).tolist(), index=df.index,
                     columns=["vendor_match", "vendor_company", "vendor_item", "vendor_score"])
    res = pd.concat([df, v], axis=1)
    verdict = res["vendor_company"].ne("").map({True: "filed", False: "not-found"})
    if models is not None:
        m = pd.DataFrame(m_hits.map(label).tolist(), index=df.index,
                         columns=["model_match", "model_company", "model_item", "model_score"])
        res = pd.concat([res, m], axis=1)
        # The model names another company's filing: a mismatch.
        clash = res["model_company"].ne("") & res["vendor_company"].ne("") & (
            res["model_company"] != res["vendor_company"])
        verdict = verdict.mask(clash, "mismatch")
        # No vendor match but a filed model: filed under the model's company.
        verdict = verdict.mask(res["vendor_company"].eq("") & res["model_company"].ne(""), "filed")
    res["verdict"] = verdict
    res.to_csv(args.output, index=False)

    secs = time.perf_counter() - t0
    rows = len(df)
    return {
        "variant": "dedup" if args.dedup else "per-row",
        "scorer": args.scorer,
        "threshold": t,
        "rows": rows,
        "distinct_vendors": int(vendors.nunique()),
        "seconds": secs,
        "rows_per_s": rows / secs if secs else 0.0,
        "verdicts": {k: int(n) for k, n in res["verdict"].value_counts().items()},
        "output": str(args.output),
    }


# --------------------------------------------------------------------------
# tool-accuracy: filing-check's figures, from its eval JSON, same definitions.
# --------------------------------------------------------------------------


def cmd_tool_accuracy(args) -> dict:
    ev = json.loads(Path(args.eval_json).read_text(encoding="utf-8"))
    # filing-check's eval also requires the exact regimes; here a positive
    # counts as right with the right verdict and company, as for the baseline.
    wrong_pos = sum(
        1 for m in ev["misses"]
        if m["expected"] == "filed" and m["reason"] != "other regimes"
    )
    pos, neg, neg_filed = ev["positives"], ev["negatives"], ev["negatives_filed"]
    pos_right, neg_right = pos - wrong_pos, neg - neg_filed
    return {
        "cases": pos + neg,
        "positives": pos,
        "positives_right": pos_right,
        "positive_rate": pos_right / pos if pos else 1.0,
        "negatives": neg,
        "negatives_right": neg_right,
        "negatives_filed": neg_filed,
        "negative_rate": neg_right / neg if neg else 1.0,
        "accuracy": (pos_right + neg_right) / (pos + neg),
        "strict_positive_rate": ev["positive_rate"],  # eval's own, regimes too
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    e = sub.add_parser("eval", help="accuracy on the labelled query set")
    e.add_argument("queries")

    a = sub.add_parser("audit", help="the timed run over a vendor list")
    a.add_argument("list")
    a.add_argument("-o", "--output", default="baseline-report.csv")
    a.add_argument("--scorer", choices=list(SCORERS), default="WRatio")
    a.add_argument("--threshold", type=float, required=True)
    a.add_argument("--rows", type=int, default=None, help="only the first N rows")
    a.add_argument("--dedup", action="store_true", help="match each distinct name once")
    a.add_argument("--vendor-col", default="供应商名称")
    a.add_argument("--model-col", default="模型/产品")

    t = sub.add_parser("tool-accuracy", help="filing-check's accuracy from its eval JSON")
    t.add_argument("eval_json")

    args = p.parse_args()
    run = {"eval": cmd_eval, "audit": cmd_audit, "tool-accuracy": cmd_tool_accuracy}[args.cmd]
    json.dump(run(args), sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
