"""Ingest: a file becomes a `Document` (pages of lines with positions).

Owns reading text (UTF-8/GB18030/UTF-16), DOCX (document order, list
numbering, tables) and PDF (pypdfium2 text, pdfplumber tables, CJK layout
hygiene), and OCR of scans (`ocr/`). Only this stage opens input files.
"""
