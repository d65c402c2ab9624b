"""What every check kind shares: the Hit it yields, the tally of checks run,
and the registry that rule files name kinds from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.model import Evidence, Record
from pipeline.numbers import Number, display, format_decimal


@dataclass
class Hit:
    """One failed check, before the engine turns it into a Finding."""

    subject: str
    values: dict
    evidence: list[Evidence]
    stated: str | None = None
    expected: str | None = None
    suggestion: str | None = None
    gross: bool = False
    severity: str | None = None  # overrides the rule's (e.g. info for a convention)
    variant: str | None = None  # selects rule.messages[variant]
    extra: dict = field(default_factory=dict)


@dataclass
class Tally:
    checks_run: int = 0

    def ran(self, n: int = 1) -> None:
        self.checks_run += n


CheckFn = Callable[[Record, dict, Tally], Iterable[Hit]]


@dataclass(frozen=True)
class Kind:
    name: str
    fn: CheckFn
    defaults: dict

    def validate(self, params: dict, where: str) -> None:
        unknown = set(params) - set(self.defaults)
        if unknown:
            from pipeline.audit.rules import RuleError

            raise RuleError(f"{where}: 检查类型 {self.name} 不认识参数 {sorted(unknown)}；可用：{sorted(self.defaults)}")

    def run(self, record: Record, params: dict, tally: Tally) -> Iterable[Hit]:
        return self.fn(record, {**self.defaults, **params}, tally)


KINDS: dict[str, Kind] = {}


def kind(name: str, **defaults):
    """Register a check function as a rule kind with its parameter defaults."""

    def wrap(fn: CheckFn) -> CheckFn:
        KINDS[name] = Kind(name, fn, defaults)
        return fn

    return wrap


def present_lines(record: Record, params: dict):
    """(line name, BudgetLine) for each of the rule's `lines` the record has."""
    for line in params["lines"]:
        bl = record.budget.get(line)
        if bl:
            yield line, bl


# --- formatting helpers used in messages --------------------------------------

LINE_NAMES = {
    "total": "整体支出", "year_start": "年初预算", "additions": "追加预算", "basic": "基本支出",
    "project": "项目支出", "special": "专项资金", "fiscal": "当年财政拨款", "carryover": "上年结转",
    "other": "其他资金",
}
FIELD_NAMES = {
    "budget": "全年预算数", "executed": "执行数", "rate": "执行率", "year_start": "年初预算数",
    "adjustment": "调整数", "count": "项目个数", "weight": "分值", "score": "得分",
}


def evid(*numbers: Number | None) -> list[Evidence]:
    out: list[Evidence] = []
    for n in numbers:
        if n is not None and n.evidence is not None and n.evidence not in out:
            out.append(n.evidence)
    return out


def show(n: Number) -> str:
    return display(n)


def money(value: Decimal, decimals: int = 2) -> str:
    return format_decimal(value, max(decimals, 2)) + "万元"


def pct(value: Decimal, decimals: int = 2) -> str:
    return format_decimal(value, max(decimals, 2)) + "%"
