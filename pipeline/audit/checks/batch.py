"""Batch-level check kinds: declared here, so that their rules are part of
the catalogue (validated, listed by `perfaudit rules`, documented), and run
by the store stage over a whole batch once every report is stored:

- cross-document checks in SQL (pipeline/store/crossdoc.py);
- data-quality expectations with great_expectations (pipeline/store/validate.py).

Their examples are batch data, not one text: documents submitted together
(`documents: [{name, text}]`) or a row of a batch table (`row: {column: value}`).
"""

from pipeline.audit.checks.base import batch_kind

# The same unit's overall report for the same year submitted twice with other figures.
batch_kind("resubmitted_figures", values=("unit", "year", "other", "differences", "more"))
# The same file (same SHA-256) submitted under several names.
batch_kind("duplicate_file", values=("n", "paths"))
# Data quality of one column of a batch table (records, budget_lines, indicators).
# `report: false` keeps a failure in Data Docs only (the rules engine already reports it).
batch_kind("column_not_null", values=("value",), required=("table", "column"), report=True)
batch_kind("column_between", values=("value", "low", "high"), required=("table", "column", "low", "high"),
           report=True)
# `values`: the allowed values, or "known_units" (the measure words and money units perfaudit reads).
batch_kind("column_in_set", values=("value",), required=("table", "column", "values"), report=True)
