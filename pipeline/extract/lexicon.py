"""The extraction lexicon (lexicon.yml): word lists and phrasings as data,
compiled once per process."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

import regex

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yml"


@lru_cache(maxsize=1)
def lexicon() -> dict:
    import yaml

    # libyaml's parser when PyYAML has it (a tenth of the pure-Python one's time), with the
    # same safe constructors, as audit.rules reads the rule catalogue
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(LEXICON_FILE.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


@cache
def pattern(section: str, key: str) -> regex.Pattern:
    """One alternation of the patterns listed under section.key."""
    items = lexicon()[section][key]
    return regex.compile("|".join(f"(?:{p})" for p in items))


@cache
def patterns(section: str, key: str) -> tuple[regex.Pattern, ...]:
    """Each pattern listed under section.key, compiled (in the listed order)."""
    return tuple(regex.compile(p) for p in lexicon()[section][key])
