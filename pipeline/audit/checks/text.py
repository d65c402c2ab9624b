"""Check kinds over wording: doubled words and truncated words in indicator
names, and a heading name that differs from the body's. jieba segments the
names so that only a whole word counts as cut off."""

from __future__ import annotations

from functools import lru_cache

import regex

from pipeline.audit.checks.base import Hit, Tally, kind, show
from pipeline.model import Evidence, Record
from pipeline.numbers import parse_number

HAN = regex.compile(r"^\p{Han}+$")


@lru_cache(maxsize=1)
def _jieba(domain_words: tuple[str, ...]):
    """A jieba tokenizer with the domain words added: one that reads its dictionary on
    demand (checks/segment.py), else jieba's default one."""
    import logging

    import jieba

    from pipeline.audit.checks.segment import tokenizer

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter goes to stderr, not stdout
    tk = tokenizer() or jieba.dt
    for w in domain_words:
        tk.add_word(w, freq=20000)
    return tk


DOUBLED = regex.compile(r"(\p{Han}{1,8}?)\1")


def _doubled(name: str, legit: set[str], legit_chars: set[str], min_length: int) -> str | None:
    """The first unit written twice in a row anywhere in the name
    (困难残疾人生活生活补贴 -> 生活, 补贴补贴 -> 补贴, 的的 -> 的), unless it is a
    legitimate reduplication: a listed word (研究研究), a doubled measure word
    or adverb (人人, 村村通, 常常), or a doubled pair of an AABB phrase (认认真真)."""
    for m in DOUBLED.finditer(name, overlapped=True):
        unit = m.group(1)
        if len(unit) < min_length or unit + unit in legit:
            continue
        if len(unit) == 1:
            before, after = name[max(m.start() - 2, 0):m.start()], name[m.end():m.end() + 2]
            aabb = (len(after) == 2 and after[0] == after[1]) or (len(before) == 2 and before[0] == before[1])
            if unit in legit_chars or aabb:
                continue
        return unit
    return None


def _names(ind) -> list[tuple[str, Evidence | None]]:
    out = []
    if ind.heading_name:
        out.append((ind.heading_name, ind.heading_evidence))
    if ind.body_name and ind.body_name != ind.heading_name:
        out.append((ind.body_name, ind.body_name_evidence))
    return out


def _name_hits(record: Record, tally: Tally, fix):
    """For each indicator, the first of its names (heading, then body) that
    `fix(name)` corrects: fix returns (message values, corrected name) or None."""
    for ind in record.indicators:
        names = _names(ind)
        if not names:
            continue
        tally.ran()
        for name, ev in names:
            found = fix(name)
            if found:
                values, fixed = found
                yield Hit(f"indicator.{ind.index}", {"name": name, "fixed": fixed, **values},
                          [ev] if ev else [], stated=name, expected=fixed, suggestion=fixed)
                break


@kind("duplicated_word", values=("name", "fixed", "word"), min_length=1, legit_words=[], legit_chars=[])
def check_duplicated_word(record: Record, params: dict, tally: Tally):
    legit, chars = set(params["legit_words"]), set(params["legit_chars"])

    def fix(name: str):
        dup = _doubled(name, legit, chars, params["min_length"])
        return ({"word": dup}, name.replace(dup + dup, dup, 1)) if dup else None

    return _name_hits(record, tally, fix)


@kind("truncated_word", values=("name", "fixed", "stub", "word"),
      words=[], complete_endings=[], domain_words=[])
def check_truncated_word(record: Record, params: dict, tally: Tally):
    """A name that ends in the first character(s) of a domain word whose rest
    is missing (高龄津 for 高龄津贴), where that stub is a token of its own."""
    complete = set(params["complete_endings"])
    stubs = _stubs(tuple(params["words"]), frozenset(complete))

    def fix(name: str):
        # jieba's last token is a suffix of the name, so a name that ends in no stub has
        # no hit: jieba (and its dictionary, most of a second to load) is not needed.
        if not name.endswith(stubs):
            return None
        hit = _truncation(name, params["words"], complete, _jieba(tuple(params["domain_words"])))
        if not hit:
            return None
        stub, word = hit
        return {"stub": stub, "word": word}, name + word[len(stub):]

    return _name_hits(record, tally, fix)


@lru_cache(maxsize=8)
def _stubs(words: tuple[str, ...], complete: frozenset[str]) -> tuple[str, ...]:
    """Every ending `_truncation` can report: a proper prefix of a listed word, all Han,
    that is not a complete ending."""
    return tuple(sorted({w[:k] for w in words for k in range(1, len(w))
                         if HAN.match(w[:k]) and w[:k] not in complete}))


def _truncation(name: str, words: list[str], complete: set[str], jieba) -> tuple[str, str] | None:
    tokens = jieba.lcut(name)
    if not tokens:
        return None
    last = tokens[-1]
    if last in complete or not HAN.match(last):
        return None
    for word in words:
        if len(last) < len(word) and word.startswith(last):
            return last, word
    return None


@kind("heading_body_name", values=("heading", "body"))
def check_heading_body_name(record: Record, params: dict, tally: Tally):
    for ind in record.indicators:
        h, b = ind.heading_name, ind.body_name
        if not h or not b:
            continue
        tally.ran()
        if _plain(h) == _plain(b):
            continue
        ev = [e for e in (ind.heading_evidence, ind.body_name_evidence) if e]
        yield Hit(f"indicator.{ind.index}", {"heading": h, "body": b}, ev, stated=b, expected=h)


def _plain(s: str) -> str:
    return regex.sub(r"[\s，,。:：;；]", "", s)


def flaws_of(record: Record, kind_name: str, tally: Tally):
    """The record's text flaws of one kind, each counted as a check run."""
    for flaw in record.text_flaws:
        if flaw.kind == kind_name:
            tally.ran()
            yield flaw


@kind("text_flaw", values=("text", "fixed"), flaw="doubled", legit_words=[], min_length=2)
def check_text_flaws(record: Record, params: dict, tally: Tally):
    """Slips the running text shows (extract/text_flaws.py): a word written twice,
    unless a listed reduplication; a document number without its closing bracket."""
    legit = set(params["legit_words"])
    for flaw in flaws_of(record, params["flaw"], tally):
        if flaw.kind == "doubled":
            if len(flaw.text) < params["min_length"] or flaw.text * 2 in legit:
                continue
            fixed = flaw.text
        elif flaw.kind == "bare_date":
            m = regex.match(r"(\d{4})(\d{1,2}?)(\d{1,2})$", flaw.text)
            fixed = f"{m.group(1)}年{int(m.group(2))}月{int(m.group(3))}日"
        else:
            m = regex.match(r"(.)(\d{4})(\d+)号", flaw.text)
            fixed = f"{m.group(1)}{m.group(2)}〕{m.group(3)}号" if m else flaw.text
        yield Hit("document", {"text": flaw.evidence.text if flaw.evidence else flaw.text, "fixed": fixed},
                  [flaw.evidence] if flaw.evidence else [], stated=flaw.text, expected=fixed, suggestion=fixed)


@kind("list_count", values=("stated", "count", "names", "repeated"))
def check_list_count(record: Record, params: dict, tally: Tally):
    """N 个 … 即 a、b、c: the names listed must be N, and none twice."""
    for flaw in flaws_of(record, "list_count", tally):
        repeated = sorted({t for t in flaw.items if flaw.items.count(t) > 1})
        if len(flaw.items) == flaw.stated and not repeated:
            continue
        values = {"stated": str(flaw.stated), "count": str(len(flaw.items)), "names": "、".join(flaw.items),
                  "repeated": f"，其中“{'、'.join(repeated)}”重复出现" if repeated else ""}
        yield Hit("document", values, [flaw.evidence] if flaw.evidence else [], stated=f"{flaw.stated}个",
                  expected=f"{len(flaw.items)}个")


@kind("other_year", values=("heading", "year"))
def check_other_year(record: Record, params: dict, tally: Tally):
    """A heading of the opening naming another 年度 than the title's."""
    for flaw in flaws_of(record, "other_year", tally):
        yield Hit("document", {"heading": flaw.text, "year": str(flaw.stated)},
                  [e for e in (flaw.evidence, record.field_evidence.get("year")) if e], stated=flaw.text,
                  expected=f"{flaw.stated}年度")


@kind("doc_amount", values=("ref", "first", "other"))
def check_doc_amount(record: Record, params: dict, tally: Tally):
    """One document number (呼财农指【2023】41号) cited twice with two different
    amounts allotted under it."""
    seen: dict[str, tuple] = {}
    for flaw in record.text_flaws:
        if flaw.kind != "doc_amount":
            continue
        n = parse_number(*flaw.items)
        if n is None:
            continue
        issuer = regex.match(r"\p{Han}*", flaw.text).group(0)
        key = issuer[-2:] + regex.sub(r"\D", "", flaw.text)  # 农指202341: the issuer's code, year, number
        first = seen.setdefault(key, (n, flaw))
        if first[1] is flaw:
            continue
        tally.ran()
        if first[0].value == n.value:
            continue
        yield Hit("document", {"ref": flaw.text, "first": show(first[0]), "other": show(n)},
                  [e for e in (first[1].evidence, flaw.evidence) if e], stated=show(n), expected=show(first[0]))
        seen[key] = (n, flaw)


@kind("unit_variant", values=("first", "other"))
def check_unit_variant(record: Record, params: dict, tally: Tally):
    """One item's figure printed twice with two different units (32.49hm, 32.49hmm)."""
    for flaw in flaws_of(record, "unit_variant", tally):
        first, other = flaw.items
        yield Hit("document", {"first": first, "other": other}, [flaw.evidence] if flaw.evidence else [],
                  stated=other, expected=first)
