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

from . import __version__
from .labels import CATEGORY_ZH, DOC_TYPE_ZH, SEVERITY_ZH, STATUS_ZH, subject_zh, where_zh
from .record_tables import budget_table, indicator_table

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
SEVERITIES = ("error", "warning", "info")
UNKNOWN = "未识别"


def write_html(document: dict, out_dir: Path, read_opts: dict | None = None) -> Path:
    """Write index.html and report-NNN.html under `out_dir`; return index.html."""
    env = _env()
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = document["reports"]
    pages = [f"report-{i:03d}.html" for i in range(1, len(reports) + 1)]
    common = {"version": __version__, "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
              "severity_zh": SEVERITY_ZH}
    index = out_dir / "index.html"
    index.write_text(env.get_template("index.html.j2").render(
        **common, nonce=secrets.token_urlsafe(16), **dashboard(document, pages)), encoding="utf-8")
    for rep, page in zip(reports, pages, strict=True):
        html = env.get_template("report.html.j2").render(
            **common, nonce=secrets.token_urlsafe(16), **report_context(rep, read_opts or {}))
        (out_dir / page).write_text(html, encoding="utf-8")
    return index


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def dashboard(document: dict, pages: list[str]) -> dict:
    reports = document["reports"]
    rows, by_rule, titles, rule_sev = [], Counter(), {}, {}
    for rep, page in zip(reports, pages, strict=True):
        rec = rep.get("record") or {}
        for n, f in enumerate(rep["findings"]):
            rows.append(_finding_row(rep, rec, f, f"{page}#f-{n}"))
            by_rule[f["rule"]] += 1
            titles.setdefault(f["rule"], f.get("title") or "")
            rule_sev.setdefault(f["rule"], f["severity"])
    sev = Counter(r["severity"] for r in rows)
    return {
        "summary": document["summary"],
        "reports": [_report_row(rep, page) for rep, page in zip(reports, pages, strict=True)],
        "findings": rows,
        "severity_counts": [(s, sev.get(s, 0)) for s in SEVERITIES],
        "by_rule": bars([(f"{r} {titles[r]}".strip(), n, rule_sev[r]) for r, n in by_rule.most_common()]),
        "by_unit": bars([(u, n, None) for u, n in Counter(r["unit"] for r in rows).most_common()]),
        "by_year": bars([(str(y), n, None) for y, n in sorted(Counter(r["year"] for r in rows).items())]),
        "rules": sorted(by_rule),
        "units": sorted({r["unit"] for r in rows}),
    }


def bars(items: list[tuple[str, int, str | None]]) -> list[dict]:
    """Chart bars: label, value, width in percent of the largest, severity colour."""
    top = max((n for _, n, _ in items), default=0) or 1
    return [{"label": label, "value": n, "pct": round(100 * n / top, 1), "severity": s} for label, n, s in items]


def _report_row(rep: dict, page: str) -> dict:
    rec = rep.get("record") or {}
    counts = Counter(f["severity"] for f in rep["findings"])
    return {
        "page": page, "source": rep["source"], "unit": rec.get("unit") or UNKNOWN, "year": rec.get("year") or "",
        "doc_type": DOC_TYPE_ZH.get(rec.get("doc_type"), ""), "status": rep["status"],
        "status_zh": STATUS_ZH.get(rep["status"], rep["status"]), "error": rep.get("error"),
        "counts": [counts.get(s, 0) for s in SEVERITIES], "score": rec.get("score"), "rating": rec.get("rating"),
    }


def _finding_row(rep: dict, rec: dict, f: dict, href: str) -> dict:
    from .report_xlsx import last_decision_text

    return {
        "id": f["id"], "href": href, "severity": f["severity"], "rule": f["rule"], "title": f.get("title") or "",
        "category": CATEGORY_ZH.get(f["category"], f["category"]), "unit": rec.get("unit") or UNKNOWN,
        "year": rec.get("year") or UNKNOWN, "source": rep["source"], "subject": subject_zh(f["subject"], rec),
        "message": f["message"], "review": last_decision_text(f.get("review")),
    }


def report_context(rep: dict, read_opts: dict) -> dict:
    from .report_html_source import source_view

    rec = rep.get("record") or {}
    lines, note = source_view(rep, read_opts) if rep["status"] == "ok" else ([], None)
    findings = [_finding_card(n, f, rec) for n, f in enumerate(rep["findings"])]
    located = {a for line in lines for piece in line.get("pieces", ()) for a in piece["anchors"]}
    for card in findings:
        for ev in card["evidence"]:
            ev["located"] = ev["anchor"] in located
    return {
        "rep": _report_row(rep, ""), "record": rec, "coverage": rep.get("coverage") or {},
        "findings": findings, "lines": lines, "source_note": note,
        "budget": budget_table(rec) if rec else ((), []), "indicators": indicator_table(rec) if rec else ((), []),
    }


def _finding_card(n: int, f: dict, rec: dict) -> dict:
    from .report_xlsx import last_decision_text

    return {
        "n": n, "id": f["id"], "severity": f["severity"], "rule": f["rule"], "title": f.get("title") or "",
        "category": CATEGORY_ZH.get(f["category"], f["category"]), "subject": subject_zh(f["subject"], rec),
        "message": f["message"], "stated": f.get("stated"), "expected": f.get("expected"),
        "suggestion": f.get("suggestion"), "gross": f.get("gross"), "review": last_decision_text(f.get("review")),
        "evidence": [{"anchor": f"ev-{n}-{k}", "text": ev["text"], "where": where_zh(ev)}
                     for k, ev in enumerate(f.get("evidence") or [])],
    }
