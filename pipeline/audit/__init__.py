"""Audit: a `Record` becomes findings.

Owns the rule catalogue (YAML rule instances, loaded safely), the check kinds
(`checks/`) that rules name, SPEC §6 comparisons (`compare`) and the typing
slips behind wrong figures (`slips`). Nothing here reads files other than
the catalogue."""
