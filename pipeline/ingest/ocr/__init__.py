"""OCR of scanned pages: the engine interface and its rapidocr implementation,
page preparation (seal, deskew), ruled tables and lone signs found in the
image, digit repairs, and the page cache. Produces lines for `Document`s."""
