"""Rule catalogue: YAML rule instances under rules/, loaded safely.

A rule names a check kind (code in pipeline/audit/checks) and gives it
parameters, a Chinese message template, a category, a severity and
documented examples. The kind's contract is enforced here: only the
parameters it takes, only the values it gives in {placeholders} (a misspelt
`{scroe}` is an error, not printed literally), only the message variants it
selects, and every rule has a failing and a passing example. Nothing from a
rule file is evaluated: templates only substitute {names}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import regex

from pipeline.model import CATEGORIES, SEVERITIES


def catalogue_dir() -> Path:
    """The built-in catalogue: the data package `pipeline.catalogue` of an
    installed perfaudit (pyproject.toml maps it to rules/), else rules/ beside
    the package (a source checkout, an editable install)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pipeline.catalogue")
    except ModuleNotFoundError:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if any(Path(location).glob("*.yml")):
            return Path(location)
    return Path(__file__).resolve().parents[2] / "rules"


DEFAULT_RULES_DIR = catalogue_dir()
PROFILES_DIR = DEFAULT_RULES_DIR / "profiles"
DEFAULT_PROFILE = "national"
REQUIRED_KEYS = ("id", "name", "title", "category", "severity", "message", "check")
ALLOWED_KEYS = {
    *REQUIRED_KEYS, "params", "why", "references", "examples", "messages", "retired",
    "replaced_by", "tolerance",
}
ID_RE = regex.compile(r"^[A-Z]{2,6}-\d{2}$")
PLACEHOLDER_RE = regex.compile(r"\{(\w+)\}")


class RuleError(ValueError):
    """A rule file that does not follow the catalogue format."""


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    title: str
    category: str
    severity: str
    message: str
    check: str
    params: dict = field(default_factory=dict)
    messages: dict = field(default_factory=dict)
    why: str = ""
    references: tuple = ()
    examples: dict = field(default_factory=dict)
    tolerance: str = ""
    retired: bool = False
    replaced_by: str | None = None
    source: str = ""

    def render(self, values: dict, variant: str | None = None) -> str:
        template = self.messages.get(variant, self.message) if variant else self.message
        return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


def load_rules(extra_dirs: list[str | Path] | None = None, include_retired: bool = False,
               profile: str | None = None) -> list[Rule]:
    """The built-in catalogue, then each extra directory; a rule with the same
    id as an earlier one replaces it (that is how --rules overrides). Then the
    profile's parameter overrides (rules/profiles/NAME.yml, default national)."""
    rules = _load_catalogue(extra_dirs, include_retired)
    return apply_profile(rules, profile or DEFAULT_PROFILE)


def _load_catalogue(extra_dirs, include_retired: bool) -> list[Rule]:
    from pipeline.audit.checks import KINDS

    by_id: dict[str, Rule] = {}
    for d in [DEFAULT_RULES_DIR, *(extra_dirs or [])]:
        d = Path(d)
        if not d.is_dir():
            raise RuleError(f"规则目录不存在：{d}")
        for path in sorted(d.glob("*.y*ml")):
            for rule in _load_file(path, KINDS):
                by_id[rule.id] = rule
    rules = sorted(by_id.values(), key=lambda r: r.id)
    return [r for r in rules if include_retired or not r.retired]


def _load_file(path: Path, kinds: dict) -> list[Rule]:
    import yaml

    try:
        data = safe_yaml(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path}: 不是有效的 YAML：{exc}") from exc
    entries = data.get("rules") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise RuleError(f"{path}: 顶层应为 rules: 列表")
    return [_make_rule(entry, path, kinds) for entry in entries]


def safe_yaml(text: str):
    """yaml.safe_load, with libyaml's parser when PyYAML has it: the same safe constructors
    and resolvers, eight times faster than the pure-Python parser (every process reads
    the catalogue)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


def _make_rule(entry: dict, path: Path, kinds: dict) -> Rule:
    where = f"{path}:{entry.get('id', '?') if isinstance(entry, dict) else '?'}"
    if not isinstance(entry, dict):
        raise RuleError(f"{where}: 每条规则应为映射")
    missing = [k for k in REQUIRED_KEYS if k not in entry]
    if missing:
        raise RuleError(f"{where}: 缺少字段 {missing}")
    unknown = set(entry) - ALLOWED_KEYS
    if unknown:
        raise RuleError(f"{where}: 未知字段 {sorted(unknown)}；允许的字段：{sorted(ALLOWED_KEYS)}")
    if not ID_RE.match(str(entry["id"])):
        raise RuleError(f"{where}: 规则编号应形如 FUND-01")
    if entry["category"] not in CATEGORIES:
        raise RuleError(f"{where}: 类别 {entry['category']!r} 不在 SPEC §5 词表中")
    if entry["severity"] not in SEVERITIES:
        raise RuleError(f"{where}: 严重程度应为 {SEVERITIES}")
    if entry["check"] not in kinds:
        raise RuleError(f"{where}: 未知检查类型 {entry['check']!r}；可用：{sorted(kinds)}")
    kind = kinds[entry["check"]]
    problems = kind.param_problems(entry.get("params") or {})
    missing = [p for p in kind.required if p not in (entry.get("params") or {})]
    if missing:
        problems.append(f"检查类型 {kind.name} 需要参数 {missing}")
    problems += _message_problems(entry, kind) + _example_problems(entry, kind.scope)
    if problems:
        raise RuleError(f"{where}: " + "；".join(problems))
    return Rule(
        id=entry["id"],
        name=entry["name"],
        title=entry["title"],
        category=entry["category"],
        severity=entry["severity"],
        message=entry["message"],
        check=entry["check"],
        params=dict(entry.get("params") or {}),
        messages=dict(entry.get("messages") or {}),
        why=str(entry.get("why") or "").strip(),
        references=tuple(entry.get("references") or ()),
        examples=dict(entry.get("examples") or {}),
        tolerance=str(entry.get("tolerance") or "").strip(),
        retired=bool(entry.get("retired", False)),
        replaced_by=entry.get("replaced_by"),
        source=str(path),
    )


def _message_problems(entry: dict, kind) -> list[str]:
    """Placeholders the kind does not give, and variants it never selects."""
    messages = entry.get("messages") or {}
    if not isinstance(messages, dict):
        return ["messages 应为映射（变体名: 消息模板）"]
    out = []
    bad_variants = sorted(set(messages) - set(kind.variants))
    if bad_variants:
        out.append(f"检查类型 {kind.name} 没有消息变体 {bad_variants}；可用：{list(kind.variants)}")
    for label, template in [("message", entry["message"]), *((f"messages.{k}", v) for k, v in messages.items())]:
        unknown = sorted(set(PLACEHOLDER_RE.findall(str(template))) - set(kind.values))
        if unknown:
            names = "、".join("{" + u + "}" for u in unknown)
            out.append(f"{label} 使用了检查类型 {kind.name} 不提供的值 {names}；可用：{list(kind.values)}")
    return out


def _example_problems(entry: dict, scope: str) -> list[str]:
    """A rule's examples are its tests: at least one failing and one passing,
    each a text snippet (record rules) or batch data (`documents` submitted
    together, or one table `row`); a failing one lists the findings it gives."""
    examples = entry.get("examples")
    if not isinstance(examples, dict):
        return ["缺少 examples（至少一个 fail 和一个 pass 示例）"]
    out = []
    for kind in ("fail", "pass"):
        cases = examples.get(kind)
        if not isinstance(cases, list) or not cases or not all(isinstance(e, dict) for e in cases):
            out.append(f"缺少 {kind} 示例")
            continue
        for i, case in enumerate(cases):
            if scope == "record" and not isinstance(case.get("text"), str):
                out.append(f"{kind} 示例 {i} 缺少 text")
            if scope == "batch" and not isinstance(case.get("documents") or case.get("row"), list | dict):
                out.append(f"{kind} 示例 {i} 缺少 documents 或 row")
            if kind == "fail" and not isinstance(case.get("findings"), list):
                out.append(f"fail 示例 {i} 缺少 findings 列表")
    return out


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yml"))


def apply_profile(rules: list[Rule], name: str) -> list[Rule]:
    """Regional conventions are rule parameters: a profile file lists, per
    rule id, the params it overrides. Unknown profiles, rules or params are errors."""
    import dataclasses

    from pipeline.audit.checks import KINDS

    path = PROFILES_DIR / f"{name}.yml"
    if not path.is_file():
        raise RuleError(f"未知的配置（profile）{name!r}；可用：{profile_names()}")
    data = safe_yaml(path.read_text(encoding="utf-8")) or {}
    overrides = data.get("params") or {}
    by_id = {r.id: r for r in rules}
    for rule_id, params in overrides.items():
        if rule_id not in by_id:
            raise RuleError(f"{path}: 没有规则 {rule_id}")
        rule = by_id[rule_id]
        problems = KINDS[rule.check].param_problems(params or {})
        if problems:
            raise RuleError(f"{path}:{rule_id}: " + "；".join(problems))
        by_id[rule_id] = dataclasses.replace(rule, params={**rule.params, **(params or {})})
    return [by_id[r.id] for r in rules]
