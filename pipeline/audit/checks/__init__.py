"""Rule kinds: the code behind rule instances in rules/*.yml.

Importing this package registers every kind in `KINDS`."""

from pipeline.audit.checks import (  # noqa: F401
    budget,
    evaluation,
    form_budget,
    form_scores,
    indicators,
    meta,
    presence,
    text,
)
from pipeline.audit.checks.base import KINDS, Hit, Kind, Tally  # noqa: F401
