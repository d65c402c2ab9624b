"""Static, offline HTML report (`--format html` -> <out>/html/): index.html
(batch dashboard, charts, filterable findings table) and one page per report
(source text with every evidence span highlighted next to its finding, and
the record tables).

All document text goes through jinja2 autoescaping; nothing from a report is
marked safe. No network: no CDN, no external CSS/JS/fonts; a Content
Security Policy allows only the page's own inline script (by nonce).
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime
from pathlib import Path

from pipeline import __version__
from pipeline.labels import CATEGORY_ZH, DOC_TYPE_ZH, SEVERITY_ZH, STATUS_ZH, subject_zh, where_zh
from pipeline.model import SEVERITIES
from pipeline.report.hidden import empty_text, hidden_text
from pipeline.report.tables import budget_table, indicator_table, indicators_read

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
UNKNOWN = "未识别"
CHART_MAX_BARS = 15  # longer charts end with one 其他 bar


def write_html(document: dict, out_dir: Path) -> Path:
    """Write index.html and report-NNN.html under `out_dir`; return index.html."""
    env = _env()
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = document["reports"]
    pages = [f"report-{i:03d}.html" for i in range(1, len(reports) + 1)]
    common = {"version": __version__, "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
              "severity_zh": SEVERITY_ZH, "severities": SEVERITIES}
    index = out_dir / "index.html"
    index.write_text(env.get_template("index.html.j2").render(
        **common, nonce=secrets.token_urlsafe(16), **dashboard(document, pages)), encoding="utf-8")
    for rep, page in zip(reports, pages, strict=True):
        html = env.get_template("report.html.j2").render(
            **common, nonce=secrets.token_urlsafe(16), **report_context(rep))
        (out_dir / page).write_text(html, encoding="utf-8")
    return index


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def dashboard(document: dict, pages: list[str]) -> dict:
    reports = document["reports"]
    rows, titles = [], {}
    for rep, page in zip(reports, pages, strict=True):
        rec = rep.get("record") or {}
        for n, f in enumerate(rep["findings"]):
            rows.append(_finding_row(rep, rec, f, f"{page}#f-{n}"))
            titles.setdefault(f["rule"], f.get("title") or "")
    sev = Counter(r["severity"] for r in rows)
    return {
        "summary": document["summary"],
        "hidden": document["summary"].get("hidden"),
        "hidden_note": hidden_text(document["summary"].get("hidden")),
        "reports": [_report_row(rep, page) for rep, page in zip(reports, pages, strict=True)],
        "findings": rows,
        "severity_counts": [(s, sev.get(s, 0)) for s in SEVERITIES],
        "by_rule": bars(rows, "rule", lambda r: f"{r} {titles[r]}".strip()),
        "by_category": bars(rows, "category"),
        "by_unit": bars(rows, "unit"),
        "by_year": bars(rows, "year", order="label"),
        "rules": sorted(titles),
        "units": sorted({r["unit"] for r in rows}),
    }


def bars(rows: list[dict], key: str, label=str, order: str = "count") -> list[dict]:
    """One stacked bar per value of `key`: total, and a segment per severity
    whose width is a percentage of the largest total."""
    by: dict = {}
    for r in rows:
        by.setdefault(r[key], Counter())[r["severity"]] += 1
    items = sorted(by.items(), key=lambda kv: (-sum(kv[1].values()), str(kv[0])) if order == "count"
                   else str(kv[0]))
    if len(items) > CHART_MAX_BARS:
        rest = sum((c for _, c in items[CHART_MAX_BARS - 1:]), Counter())
        items = [(k, c) for k, c in items[:CHART_MAX_BARS - 1]] + [(None, rest)]
        label = _other_label(label, len(by) - CHART_MAX_BARS + 1)
    top = max((sum(c.values()) for _, c in items), default=0) or 1
    return [{"label": label(k), "value": sum(c.values()),
             "segments": [{"severity": s, "value": c[s], "pct": round(100 * c[s] / top, 2)}
                          for s in SEVERITIES if c.get(s)]}
            for k, c in items]


def _other_label(label, n: int):
    return lambda k: f"其他 {n} 项" if k is None else label(k)


def _report_row(rep: dict, page: str) -> dict:
    rec = rep.get("record") or {}
    counts = Counter(f["severity"] for f in rep["findings"])
    return {
        "page": page, "source": rep["source"], "unit": rec.get("unit") or UNKNOWN, "year": rec.get("year") or "",
        "doc_type": DOC_TYPE_ZH.get(rec.get("doc_type"), ""), "status": rep["status"],
        "status_zh": STATUS_ZH.get(rep["status"], rep["status"]), "error": rep.get("error"),
        "counts": [counts.get(s, 0) for s in SEVERITIES], "score": rec.get("score"), "rating": rec.get("rating"),
        "hidden": (rep.get("hidden") or {}).get("findings", ""), "hidden_note": _hidden_note(rep),
    }


def _hidden_note(rep: dict) -> str | None:
    """What the filter hid in this report (None when nothing was)."""
    block = rep.get("hidden")
    return hidden_text(block) if block and block["findings"] else None


def _finding_row(rep: dict, rec: dict, f: dict, href: str) -> dict:
    from pipeline.report.xlsx import last_decision_text

    return {
        "id": f["id"], "href": href, "severity": f["severity"], "rule": f["rule"], "title": f.get("title") or "",
        "category": CATEGORY_ZH.get(f["category"], f["category"]), "unit": rec.get("unit") or UNKNOWN,
        "year": rec.get("year") or UNKNOWN, "source": rep["source"], "subject": subject_zh(f["subject"], rec),
        "message": f["message"], "review": last_decision_text(f.get("review")),
    }


def report_context(rep: dict) -> dict:
    from pipeline.report.html_source import source_view

    rec = rep.get("record") or {}
    lines, note = source_view(rep) if rep["status"] == "ok" else ([], None)
    findings = [_finding_card(n, f, rec) for n, f in enumerate(rep["findings"])]
    located = {a for row in lines for piece in _pieces(row) for a in piece["anchors"]}
    for card in findings:
        for ev in card["evidence"]:
            ev["located"] = ev["anchor"] in located
    return {
        "rep": _report_row(rep, ""), "record": rec, "coverage": rep.get("coverage") or {},
        "findings": findings, "lines": lines, "source_note": note,
        "empty_text": empty_text(rep), "hidden_note": _hidden_note(rep),
        "indicators_read": indicators_read(rep.get("coverage") or {}),
        "budget": budget_table(rec) if rec else ((), []), "indicators": indicator_table(rec) if rec else ((), []),
    }


def _pieces(row: dict) -> list[dict]:
    """The anchored pieces of a source row: line pieces or table cells."""
    if row["kind"] == "table":
        return [c for r in row["rows"] for c in r]
    return row.get("pieces", [])


def _finding_card(n: int, f: dict, rec: dict) -> dict:
    from pipeline.report.xlsx import last_decision_text

    return {
        "n": n, "id": f["id"], "severity": f["severity"], "rule": f["rule"], "title": f.get("title") or "",
        "category": CATEGORY_ZH.get(f["category"], f["category"]), "subject": subject_zh(f["subject"], rec),
        "message": f["message"], "stated": f.get("stated"), "expected": f.get("expected"),
        "suggestion": f.get("suggestion"), "gross": f.get("gross"), "review": last_decision_text(f.get("review")),
        "evidence": [{"anchor": f"ev-{n}-{k}", "text": ev["text"], "where": where_zh(ev)}
                     for k, ev in enumerate(f.get("evidence") or [])],
    }
