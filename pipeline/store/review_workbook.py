"""Read an exported review workbook back and validate every decision row.

Each problem is one Chinese sentence naming the sheet and row, so an auditor
can fix the file and import it again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pipeline.labels import (
    COL_DECISION,
    COL_ID,
    COL_OPINION,
    COL_RULE,
    DECISIONS,
    LEGACY_INDEX_COLUMNS,
    SHEET_FINDINGS,
    SHEET_INDEX,
    cell_value,
)
from pipeline.model import occurrence_ids


class ReviewFileError(Exception):
    """The file is not a workbook perfaudit exported (or cannot be opened)."""


@dataclass
class ImportReport:
    decisions: list[dict] = field(default_factory=list)  # valid rows with a decision
    errors: list[str] = field(default_factory=list)
    blank: int = 0  # rows without a decision
    inserted: int = 0
    unchanged: int = 0
    future_dated: datetime | None = None  # the workbook's save time, when later than the import (not used)


@dataclass
class Book:
    rows: list[tuple[int, dict]]  # (sheet row number, {heading: value})
    index: dict[str, dict]  # finding id -> exported keys (INDEX_COLUMNS)
    author: str | None
    saved_at: datetime


MAX_COLUMNS = 64  # columns read per row: the exported sheets have 16; a forged dimension is not walked


def read_workbook(path: Path) -> Book:
    from openpyxl import load_workbook

    if not path.is_file():
        raise ReviewFileError(f"找不到文件：{path}")
    _check_size(path)
    try:
        # read-only: rows are streamed from the file, not all held as cell objects
        wb = load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ReviewFileError(f"无法打开 {path}：不是有效的 .xlsx 工作簿（{type(exc).__name__}）") from exc
    try:
        for name in (SHEET_FINDINGS, SHEET_INDEX):
            if name not in wb.sheetnames:
                raise ReviewFileError(f"{path} 不是 perfaudit 导出的审核工作簿：缺少工作表“{name}”。"
                                      "请用 perfaudit audit --format xlsx 导出后填写。")
        try:
            rows = _sheet_rows(wb[SHEET_FINDINGS], path)
            index = {r["finding_id"]: r for _, r in _sheet_rows(wb[SHEET_INDEX], path, LEGACY_INDEX_COLUMNS)}
        except ReviewFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a valid package
            raise ReviewFileError(f"无法读取 {path}：工作表内容已损坏（{type(exc).__name__}）") from exc
        props = wb.properties
        saved = props.modified or datetime.fromtimestamp(path.stat().st_mtime)
        return Book(rows=rows, index=index, author=props.lastModifiedBy or props.creator,
                    saved_at=saved.replace(microsecond=0, tzinfo=None))
    finally:
        wb.close()


def _check_size(path: Path) -> None:
    """Refuse a workbook that would inflate past the limits (a 172 KB zip bomb)."""
    import zipfile

    from pipeline.ingest.document import IngestError
    from pipeline.ingest.limits import XLSX_LIMITS, check_input_size, check_zip

    try:
        check_input_size(path.stat().st_size)
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, "工作簿", XLSX_LIMITS)
    except IngestError as exc:
        raise ReviewFileError(f"{path}：{exc.message}") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ReviewFileError(f"无法打开 {path}：不是有效的 .xlsx 工作簿（{type(exc).__name__}）") from exc


def _sheet_rows(ws, path: Path, required=(COL_ID, COL_RULE, COL_DECISION, COL_OPINION)) -> list[tuple[int, dict]]:
    it = ws.iter_rows(values_only=True, max_col=MAX_COLUMNS)
    header = [str(h).strip() if h is not None else "" for h in next(it, ())]
    missing = [c for c in required if c not in header]
    if missing:
        raise ReviewFileError(f"{path}：工作表“{ws.title}”缺少列 {'、'.join(missing)}（请勿删除或改名表头）。")
    out = []
    for n, values in enumerate(it, start=2):
        if any(v not in (None, "") for v in values):
            out.append((n, dict(zip(header, map(cell_value, values), strict=False))))
    return out


def validate_rows(book: Book, fingerprints: dict[str, str], legacy=None) -> ImportReport:
    """All rows with a decision -> ImportReport(decisions, errors, blank).
    `legacy(finding_id, entry) -> (id to record, problem)` resolves the ids of a
    workbook exported before ids derived from the document (its index has no
    document_id); without it such rows are refused."""
    report = ImportReport()
    repeats = _repeats(book.index)
    seen: dict[str, tuple[int, str, str | None]] = {}
    for n, row in book.rows:
        where = f"工作表“{SHEET_FINDINGS}”第 {n} 行"
        decision, opinion = _text(row.get(COL_DECISION)), _text(row.get(COL_OPINION))
        if not decision:
            if opinion:
                report.errors.append(f"{where}：填写了审核意见，但没有选择审核结论（{'、'.join(DECISIONS)}）。")
            else:
                report.blank += 1
            continue
        fid = _text(row.get(COL_ID))
        problem = _row_problem(book, fid, _text(row.get(COL_RULE)), decision, fingerprints, repeats)
        target = fid
        if problem is None and not _text(book.index[fid].get("document_id")):
            target, problem = legacy(fid, book.index[fid]) if legacy else (None, LEGACY_REFUSED)
        if problem is None and fid in seen and seen[fid][1:] != (decision, opinion):
            problem = f"与第 {seen[fid][0]} 行是同一问题（{fid}），但审核结论或意见不同，请保留一个。"
        if problem:
            report.errors.append(f"{where}{f'（问题编号 {fid}）' if fid else ''}：{problem}")
            continue
        if fid not in seen:
            seen[fid] = (n, decision, opinion)
            entry = book.index[fid]
            report.decisions.append({"finding_id": target, "rule": entry["rule"], "subject": entry["subject"],
                                     "decision": decision, "opinion": opinion})
    return report


LEGACY_REFUSED = "该工作簿由旧版 perfaudit 导出（问题编号的算法已改变），请重新审核并导出工作簿后填写。"


def _repeats(index: dict[str, dict]) -> dict[tuple, int]:
    """How many exported findings share (document, rule, subject): the k-th has id subject#k."""
    out: dict[tuple, int] = {}
    for e in index.values():
        key = (_text(e.get("document_id")), e["rule"], e["subject"])
        out[key] = out.get(key, 0) + 1
    return out


def _row_problem(book: Book, fid: str | None, rule: str | None, decision: str, fingerprints: dict,
                 repeats: dict[tuple, int]) -> str | None:
    if decision not in DECISIONS:
        return f"审核结论“{decision}”无效，只能是：{'、'.join(DECISIONS)}。"
    if not fid:
        return "问题编号为空，无法对应到问题。"
    entry = book.index.get(fid)
    if entry is None:
        return "未知的问题编号：不在本工作簿导出的问题中（请勿修改问题编号）。"
    if rule != entry["rule"]:
        return f"规则被改为“{rule}”，导出时为“{entry['rule']}”（请勿修改规则列）。"
    document = _text(entry.get("document_id"))
    key = (document, entry["rule"], entry["subject"])
    if document and fid not in occurrence_ids(document, entry["rule"], entry["subject"], repeats[key]):
        return "问题编号与导出时的规则和对象不符，工作簿的索引已被改动。"
    current = fingerprints.get(entry["rule"])
    if current is None:
        return f"规则 {entry['rule']} 已不在规则目录中，无法记录该结论。"
    if entry.get("rule_fingerprint") and entry["rule_fingerprint"] != current:
        return (f"规则 {entry['rule']} 在导出后已修改（检查方式或参数变了），该问题可能已不同；"
                "请重新运行审核、导出新的工作簿后再填写。")
    return None


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def check_id(document_id: str, rule: str, subject: str) -> str:
    """The finding id of `rule` on `subject` in the document `document_id` (model.finding_id)."""
    from pipeline.model import finding_id

    return finding_id(document_id, rule, subject)
