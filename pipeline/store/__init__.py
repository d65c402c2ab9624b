"""Store: results kept across runs — the DuckDB store (schema, writes,
queries), review decisions and their workbook round-trip, cross-document
checks (XDOC) and batch-table validation with great_expectations (DQ)."""
