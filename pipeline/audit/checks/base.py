"""What every check kind shares: the Hit it yields, the tally of checks run,
and the registry that rule files name kinds from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.model import Evidence, Record
from pipeline.numbers import Number, display, display_money, format_decimal


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
    """A check kind and its contract with the rules that name it: the
    parameters it takes (with defaults; `required` ones have none), the
    values its messages may use ({placeholders}), the message variants a hit
    may select, and its scope. A `record` kind runs on one Record (`fn`); a
    `batch` kind is declared here and run by the store stage over a whole
    batch (pipeline/store/crossdoc.py, pipeline/store/validate.py)."""

    name: str
    fn: CheckFn | None
    defaults: dict
    values: tuple[str, ...]
    variants: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    scope: str = "record"

    def param_problems(self, params: dict) -> list[str]:
        """What is wrong with a rule's (or profile's) params for this kind, in Chinese."""
        allowed = sorted({*self.defaults, *self.required})
        out = []
        unknown = set(params) - set(allowed)
        if unknown:
            out.append(f"检查类型 {self.name} 不认识参数 {sorted(unknown)}；可用：{allowed}")
        return out

    def run(self, record: Record, params: dict, tally: Tally) -> Iterable[Hit]:
        return self.fn(record, {**self.defaults, **params}, tally)


KINDS: dict[str, Kind] = {}


def kind(name: str, *, values: tuple[str, ...], variants: tuple[str, ...] = (), **defaults):
    """Register a check function as a record-level rule kind: the values its
    hits give messages, the message variants it may select, and its
    parameters with their defaults."""

    def wrap(fn: CheckFn) -> CheckFn:
        KINDS[name] = Kind(name, fn, defaults, tuple(values), tuple(variants))
        return fn

    return wrap


def batch_kind(name: str, *, values: tuple[str, ...], required: tuple[str, ...] = (), **defaults) -> None:
    """Declare a batch-level kind (run by the store stage, not on a Record)."""
    KINDS[name] = Kind(name, None, defaults, tuple(values), (), tuple(required), "batch")


def present_lines(record: Record, params: dict):
    """(line name, BudgetLine) for each of the rule's `lines` the record has."""
    for line in params["lines"]:
        bl = record.budget.get(line)
        if bl:
            yield line, bl


# --- formatting helpers used in messages --------------------------------------

def evid(*numbers: Number | None) -> list[Evidence]:
    out: list[Evidence] = []
    for n in numbers:
        if n is not None and n.evidence is not None and n.evidence not in out:
            out.append(n.evidence)
    return out


def show(n: Number) -> str:
    return display(n)


def money(value: Decimal, decimals: int = 2, like: Number | None = None, beside: bool = False) -> str:
    """A computed amount (万元, `decimals` places) in the unit the document printed
    `like` in (元 when it wrote 元), with its 万元 `beside` it when that differs."""
    return display_money(value, decimals, like.source_unit if like is not None else None, beside)


def pct(value: Decimal, decimals: int = 2) -> str:
    return format_decimal(value, max(decimals, 2)) + "%"


def target_text(ind, missing: str = "") -> str:
    """An indicator's target as stated: `>=5人`, a qualitative text, or `missing`.
    The operator is shown unless it is an `=` the document did not write."""
    t = ind.target
    if not t:
        return missing
    if t.number is None:
        return t.text or missing
    return ("" if t.op == "=" and not t.op_stated else t.op) + show(t.number)
