"""Plain data objects shared by the stages after ingest: evidence, the record
(SPEC §4) and findings (SPEC §5). No I/O here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CATEGORIES = (
    "sum_mismatch", "adjustment_mismatch", "rate_mismatch", "zero_base_rate",
    "claim_contradiction", "missing_deviation_reason", "missing_explanation",
    "rating_mismatch", "score_mismatch", "weight_mismatch", "out_of_range",
    "unit_mismatch", "value_mismatch", "name_mismatch", "text_defect", "extraction_gap",
)
SEVERITIES = ("error", "warning", "info")  # most severe first: the order findings and counts take
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
BUDGET_LINES = (
    "total", "year_start", "additions", "basic", "project", "special",
    "fiscal", "carryover", "other",
)
BUDGET_FIELDS = ("count", "year_start", "adjustment", "budget", "executed", "rate", "weight", "score")


@dataclass(frozen=True)
class Evidence:
    """Exact source text with its place: page (None for plain text) and the
    1-based first and last source line it spans. Text read by OCR adds the
    lowest recognition `confidence` over the span and the digit `repairs`
    made in it (e.g. ``O→0``); `text` is then the raw OCR text."""

    text: str
    line: int
    page: int | None = None
    line_end: int | None = None
    confidence: float | None = None
    repairs: tuple[str, ...] = ()
    # Table cells (PDF/DOCX tables): 1-based table number in the document and
    # 0-based row/col within it; `line` is then the row number, 1-based.
    table: int | None = None
    row: int | None = None
    col: int | None = None

    def to_json(self) -> dict:
        out = {"text": self.text, "page": self.page, "line": self.line}
        if self.line_end and self.line_end != self.line:
            out["line_end"] = self.line_end
        if self.confidence is not None:
            out["ocr_confidence"] = round(self.confidence, 3)
        if self.repairs:
            out["ocr_repairs"] = list(self.repairs)
        if self.table is not None:
            out.update(table=self.table, row=self.row, col=self.col)
        return out


HALF = Decimal("0.5")


@dataclass(frozen=True)
class Number:
    """A stated number. `value` is in the canonical unit (万元 for money,
    percent for rates); `decimals` counts the digits that value carries, so
    `257.14` 万元 has 2 and `2,571,400` 元 -> 257.14 万元 has 0 + 4 = 4
    (`source_unit` then keeps 元)."""

    raw: str
    value: Decimal
    decimals: int
    unit: str | None = None
    exact: bool = False
    evidence: Evidence | None = None
    # Lowest OCR recognition score of the printed digits (None: read from a text layer).
    confidence: float | None = None
    # The money unit the document printed when it was not 万元 (元, 亿元…): `value`
    # is in 万元 all the same; messages quote the amount as printed (numbers.display).
    source_unit: str | None = None

    @property
    def half_step(self) -> Decimal:
        if self.exact:
            return Decimal(0)
        return HALF * Decimal(10) ** (-self.decimals)

    def interval(self) -> tuple[Decimal, Decimal]:
        h = self.half_step
        return self.value - h, self.value + h

    def json_value(self) -> int | float:
        if self.value == self.value.to_integral_value() and self.decimals <= 0:
            return int(self.value)
        return float(self.value)

    def with_evidence(self, evidence: Evidence | None) -> Number:
        """The same number placed at `evidence`; OCR confidence comes with the evidence."""
        confidence = evidence.confidence if evidence is not None else self.confidence
        return Number(self.raw, self.value, self.decimals, self.unit, self.exact, evidence, confidence,
                      self.source_unit)


@dataclass
class BudgetLine:
    name: str
    fields: dict[str, Number] = field(default_factory=dict)
    # Reason sentences found with this line (adjustments, low execution).
    explanation: str | None = None
    evidence: Evidence | None = None
    # True when `explanation` is the text of a form's 原因 cell: whatever it
    # says is the unit's stated reason (a narrative sentence must look like one).
    reason_cell: bool = False
    # True for a form's 基本支出 / 项目支出 row measured on its 年初预算数 in a form
    # that prints no rate (绥阳 008): the form states no execution rate for it, so its
    # low execution is the total's to explain, not a finding of its own.
    unrated_part: bool = False

    def get(self, key: str) -> Number | None:
        return self.fields.get(key)


@dataclass
class Target:
    op: str = "="
    number: Number | None = None
    text: str | None = None  # qualitative target, e.g. 效果明显
    op_stated: bool = False


@dataclass
class Indicator:
    index: int
    name: str | None = None
    heading_name: str | None = None
    body_name: str | None = None
    target: Target | None = None
    midyear: Number | None = None
    midyear_text: str | None = None
    actual: Number | None = None
    actual_text: str | None = None
    rate: Number | None = None
    achieved: bool | None = None
    achieved_evidence: Evidence | None = None
    deviation_reason: str | None = None
    explanation: str | None = None  # any 原因/说明 text, incl. over-achievement notes
    heading_evidence: Evidence | None = None
    body_name_evidence: Evidence | None = None
    evidence: Evidence | None = None
    level1: str | None = None
    level2: str | None = None
    weight: Number | None = None
    score: Number | None = None
    # Table forms: 年初指标值 when a separate 调整指标值 is the target (Chongqing),
    # and 得分系数(%) where the form states it.
    target_year_start: Target | None = None
    coefficient: Number | None = None


@dataclass
class Heading:
    """A weighted group heading of a form, e.g. 产出指标(50分) or the 分值 of
    a 一级指标 cell: level 1 or 2, its name and stated weight."""

    level: int
    name: str
    weight: Number
    evidence: Evidence | None = None


@dataclass
class CrossCheck:
    """One quantity stated in the narrative and in the attached form: `path`
    is 'budget.total.budget', 'score' or 'rating'; values are Numbers, or
    str for the rating. The record keeps the form's value."""

    path: str
    form: Any
    narrative: Any
    form_evidence: Evidence | None = None
    narrative_evidence: Evidence | None = None


@dataclass
class Breakdown:
    """A figure and the parts the text lists after 其中 (same unit family)."""

    total: Number
    parts: list[Number]
    evidence: Evidence | None = None


@dataclass
class TextFlaw:
    """A slip in the running text: `kind` doubled (a word written twice),
    doc_number (a document number that lost its closing bracket), all_paid (a
    claim that the money was all paid out), bare_date (a date whose 年月日 were
    lost) or list_count (N 个 … 即 a、b、c: `stated` N, `items` the names listed)."""

    kind: str
    text: str
    evidence: Evidence | None = None
    stated: int | None = None
    items: tuple[str, ...] = ()


@dataclass
class Gap:
    """Something the extractor looked for and could not find or parse."""

    subject: str
    part: str  # short Chinese name of the part, e.g. 年初预算数
    severity: str = "warning"
    evidence: Evidence | None = None


@dataclass
class IndicatorCount:
    """How many indicators the document says it has, against those read: the
    number it announces (共设置绩效指标12个) and the numbered items of its
    narrative that state a target ((3) 审批办理时限，年度指标值≤3个工作日…),
    with the items no indicator was read from. Coverage reports the counts;
    EXT-02 flags the shortfall, so an indicator is never dropped silently."""

    announced: int | None = None
    announced_evidence: Evidence | None = None
    numbered: int = 0
    unread: list[Evidence] = field(default_factory=list)


@dataclass
class Record:
    doc_type: str | None = None
    unit: str | None = None
    project: str | None = None  # 项目名称 (project reports): a unit files one per project
    region: str | None = None
    year: int | None = None
    filled_on: str | None = None
    budget: dict[str, BudgetLine] = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    score: Number | None = None
    rating: str | None = None
    rating_evidence: Evidence | None = None
    field_evidence: dict[str, Evidence] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    # The same quantity stated twice with different values: (path, first, other).
    conflicts: list[tuple[str, Number, Number]] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    text_flaws: list[TextFlaw] = field(default_factory=list)
    numbers_found: int = 0
    # Table forms (项目支出/部门整体支出绩效自评表): which layout was read,
    # weighted headings, the 总分 row's 分值, and narrative-vs-form pairs.
    form_layout: str | None = None
    headings: list[Heading] = field(default_factory=list)
    total_weight: Number | None = None
    cross_checks: list[CrossCheck] = field(default_factory=list)
    # What the opening says the document is (extract.genre): report, not_report, cues or None.
    genre: str | None = None
    # The text stops mid-sentence (a cut copy, a broken character at the end).
    truncated: bool = False
    # A form was read down to its 总分/合计 row (False: it stops before; None: no form).
    form_end: bool | None = None
    # 二级指标 groups of the form under which no indicator was read (their cells' evidence):
    # the indicator table was not read whole, so its sums are not checked.
    form_unread_groups: list[tuple[str, Evidence | None]] = field(default_factory=list)
    # Which document this was read from (ingest.document.document_identity); finding ids derive from it.
    document_id: str | None = None
    indicator_count: IndicatorCount | None = None

    def line(self, name: str) -> BudgetLine | None:
        return self.budget.get(name)

    def value(self, path: str) -> Number | None:
        """Look up 'budget.basic.year_start' style paths (numbers only)."""
        parts = path.split(".")
        if parts[0] == "budget" and len(parts) == 3:
            bl = self.budget.get(parts[1])
            return bl.get(parts[2]) if bl else None
        if parts == ["score"]:
            return self.score
        return None


@dataclass(frozen=True)
class Finding:
    rule: str
    category: str
    severity: str
    subject: str
    message: str
    evidence: tuple[Evidence, ...]
    stated: str | None = None
    expected: str | None = None
    suggestion: str | None = None
    gross: bool = False
    id: str = ""
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "rule": self.rule,
            "category": self.category,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
            "stated": self.stated,
            "expected": self.expected,
            "suggestion": self.suggestion,
            "gross": self.gross,
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.title:
            out["title"] = self.title
        out.update(self.extra)
        return out


def finding_id(document_id: str, rule: str, subject: str) -> str:
    """SPEC §5: the same for the same document, rule and subject in every run,
    and different for two documents. `document_id` is the document's identity
    (pipeline.ingest.document.document_identity: its bytes' or its normalised
    text's hash), never something read from it: a unit or project name the
    extractor misses cannot make two documents share ids. A subject repeated
    within one document is `subject#n` from its second occurrence on
    (audit.engine)."""
    if not document_id:
        raise ValueError("finding_id needs the document's identity")
    key = f"{document_id}|{rule}|{subject}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def occurrence_ids(document_id: str, rule: str, subject: str, n: int) -> list[str]:
    """The ids of the first `n` findings of `rule` on `subject` in one document."""
    return [finding_id(document_id, rule, subject if k == 1 else f"{subject}#{k}") for k in range(1, n + 1)]
