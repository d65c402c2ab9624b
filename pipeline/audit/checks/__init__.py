"""Rule kinds: the code behind rule instances in rules/*.yml.

Importing this package registers every kind in `KINDS`: record-level kinds
with the code that runs them, batch-level kinds declared for the store stage."""

from pipeline.audit.checks import (  # noqa: F401
    batch,
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
