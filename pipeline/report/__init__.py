"""Report: results become what people read — the JSON document (SPEC §3),
summary.md, Excel and HTML reports, and `perfaudit show`. Reports use the
evidence captured at audit time; they never re-open sources."""
