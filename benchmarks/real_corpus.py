"""Scoreboard on the real corpus (fixtures/real): documents nobody here wrote.

    .venv/bin/python benchmarks/real_corpus.py [--json] [--files 008,029] [--verbose]

Per file and in total: whether it was read (a report) or refused (a labelled
non-report), the labelled facts reproduced in the record, the labelled
inconsistencies caught (a finding on that file whose subject starts with the
label's prefix and whose category is one the label accepts, any severity),
and error/warning findings other than extraction gaps on files labelled
clean (false alarms). Labels were made by hand (fixtures/real/SCHEMA.md).
tests/test_real_corpus.py holds the floors.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "fixtures" / "real"
TOLERANCE = 1e-6


def load_labels() -> dict:
    return json.loads((REAL / "labels.json").read_text(encoding="utf-8"))["files"]


def _norm(s: str | None) -> str:
    """Spaces and brackets dropped, traditional script folded to simplified: a label
    written as the source prints it (遂溪縣水務局) names the unit the record holds in
    the normalised script (遂溪县水务局)."""
    from pipeline.extract.normalize import _t2s

    return _t2s("".join(ch for ch in (s or "") if not ch.isspace() and ch not in "（）()"))


def unit_matches(label: str, record: dict) -> bool:
    """The record keeps the unit's own name and the region apart (SPEC §4):
    民政局 / 乌鲁木齐经济技术开发区. A labelled 绥阳县太白镇人民政府 is matched by
    太白镇人民政府 or by region + unit."""
    want, unit, region = _norm(label), _norm(record.get("unit")), _norm(record.get("region"))
    if not unit:
        return False
    return want in (unit, region + unit) or (len(unit) >= 3 and want.endswith(unit)) or unit.endswith(want)


def fact_value(record: dict, key: str):
    if key.startswith("budget."):
        _, line, fld = key.split(".")
        return ((record.get("budget") or {}).get(line) or {}).get(fld)
    if key == "indicators":
        return len(record.get("indicators") or [])
    return record.get(key)


# Two record paths for one stated fact (SPEC §4 leaves the choice open): a
# department's year-start budget is the year_start line (the sample's reading)
# or the total line's year_start field (the forms' 年初预算数 column); a
# project report's own money, when labelled as a 专项/转移支付, is its total.
EQUIVALENT = {"budget.total.year_start": ["budget.year_start.budget"],
              "budget.year_start.budget": ["budget.total.year_start"]}


def equivalents(key: str, record: dict) -> list[str]:
    out = [key, *EQUIVALENT.get(key, [])]
    if record.get("doc_type") == "project" and key.startswith("budget.special."):
        out.append(key.replace("special", "total", 1))
    return out


def fact_right(record: dict, key: str, want) -> bool:
    if key == "unit":
        return unit_matches(want, record)
    for path in equivalents(key, record):
        got = fact_value(record, path)
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            if isinstance(got, (int, float)) and abs(got - want) <= TOLERANCE * max(1.0, abs(want)):
                return True
        elif got == want:
            return True
    return False


@dataclass
class FileScore:
    key: str
    name: str
    report: bool
    status: str
    read_ok: bool
    facts: list[tuple[str, object, object, bool]] = field(default_factory=list)
    caught: list[tuple[dict, bool]] = field(default_factory=list)
    false_alarms: list[dict] = field(default_factory=list)
    clean: bool = False


def score_file(key: str, label: dict, result: dict) -> FileScore:
    status = result["status"]
    code = (result.get("error") or {}).get("code")
    report = label.get("report", True)
    read_ok = status == "ok" if report else code == "not_a_report"
    fs = FileScore(key, label["file"], report, status if status == "ok" else f"failed:{code}", read_ok,
                   clean=bool(label.get("clean")))
    record = result.get("record") or {}
    findings = result.get("findings") or []
    if report:
        for k, want in (label.get("facts") or {}).items():
            fs.facts.append((k, want, fact_value(record, k), status == "ok" and fact_right(record, k, want)))
        for inc in label.get("inconsistencies") or []:
            hit = any(f["subject"].startswith(inc["subject"]) and f["category"] in inc["categories"]
                      for f in findings)
            fs.caught.append((inc, hit))
        if fs.clean:
            fs.false_alarms = [f for f in findings
                               if f["severity"] in ("error", "warning") and f["category"] != "extraction_gap"]
    return fs


@dataclass
class Board:
    files: list[FileScore]

    def _sum(self, fn) -> int:
        return sum(fn(f) for f in self.files)

    @property
    def reports(self) -> int:
        return self._sum(lambda f: f.report)

    @property
    def reports_read(self) -> int:
        return self._sum(lambda f: f.report and f.read_ok)

    @property
    def negatives_refused(self) -> tuple[int, int]:
        return self._sum(lambda f: not f.report and f.read_ok), self._sum(lambda f: not f.report)

    @property
    def facts(self) -> tuple[int, int]:
        return self._sum(lambda f: sum(ok for *_, ok in f.facts)), self._sum(lambda f: len(f.facts))

    @property
    def inconsistencies(self) -> tuple[int, int]:
        return self._sum(lambda f: sum(hit for _, hit in f.caught)), self._sum(lambda f: len(f.caught))

    @property
    def false_alarms(self) -> int:
        return self._sum(lambda f: len(f.false_alarms))

    @property
    def clean_files(self) -> tuple[int, int]:
        return self._sum(lambda f: f.clean and f.report and not f.false_alarms), self._sum(lambda f: f.clean and f.report)

    def summary(self) -> dict:
        rf, rt = self.facts
        ci, ct = self.inconsistencies
        nr, nt = self.negatives_refused
        cc, ctot = self.clean_files
        return {"files": len(self.files), "reports": self.reports, "reports_read": self.reports_read,
                "read_rate": round(self.reports_read / max(self.reports, 1), 3),
                "negatives_refused": nr, "negatives": nt,
                "facts_right": rf, "facts": rt, "fact_accuracy": round(rf / max(rt, 1), 3),
                "inconsistencies_caught": ci, "inconsistencies": ct, "recall": round(ci / max(ct, 1), 3),
                "clean_files_without_false_alarm": cc, "clean_files": ctot, "false_alarms": self.false_alarms}


def run(keys: list[str] | None = None) -> Board:
    sys.path.insert(0, str(ROOT))
    from pipeline.api import audit_paths

    labels = load_labels()
    keys = keys or sorted(labels)
    paths = [REAL / labels[k]["file"] for k in keys]
    results = {Path(r.source).name: r.to_json() for r in audit_paths([str(p) for p in paths])}
    return Board([score_file(k, labels[k], results[labels[k]["file"]]) for k in keys])


def _line(f: FileScore) -> str:
    right = sum(ok for *_, ok in f.facts)
    caught = sum(hit for _, hit in f.caught)
    flags = "read" if f.read_ok else ("NOT READ" if f.report else "NOT REFUSED")
    fa = f"  false alarms {len(f.false_alarms)}" if f.false_alarms else ""
    return (f"{f.key} {flags:11} {f.status:24} facts {right}/{len(f.facts)}  caught {caught}/{len(f.caught)}"
            f"{fa}  {f.name}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", help="comma-separated file numbers (default: all)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--verbose", action="store_true", help="list wrong facts, missed labels, false alarms")
    a = ap.parse_args(argv)
    board = run(a.files.split(",") if a.files else None)
    if a.json:
        print(json.dumps(board.summary(), ensure_ascii=False, indent=1))
        return 0
    for f in board.files:
        print(_line(f))
        if a.verbose:
            for k, want, got, ok in f.facts:
                if not ok:
                    print(f"      fact {k}: want {want!r} got {got!r}")
            for inc, hit in f.caught:
                if not hit:
                    print(f"      missed {inc['subject'] or '*'} {inc['categories']}: {inc['note']}")
            for fa in f.false_alarms:
                print(f"      false alarm {fa['rule']} {fa['subject']} {fa['severity']}: {fa['message']}")
    s = board.summary()
    print(f"\nreports read {s['reports_read']}/{s['reports']} ({s['read_rate']:.1%}); "
          f"non-reports refused {s['negatives_refused']}/{s['negatives']}; "
          f"facts {s['facts_right']}/{s['facts']} ({s['fact_accuracy']:.1%}); "
          f"inconsistencies caught {s['inconsistencies_caught']}/{s['inconsistencies']} ({s['recall']:.1%}); "
          f"false alarms on clean files {s['false_alarms']} "
          f"({s['clean_files_without_false_alarm']}/{s['clean_files']} clean files without one)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
