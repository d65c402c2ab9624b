"""Rule kinds: the code behind rule instances in rules/*.yml.

Importing this package registers every kind in `KINDS`."""

from . import budget, evaluation, form_budget, form_scores, indicators, meta, presence, text  # noqa: F401
from .base import KINDS, Hit, Kind, Tally  # noqa: F401
