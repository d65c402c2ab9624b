"""The HTML report, statically: escaping (XSS fixture), no external resources,
dashboard numbers, one page per report with evidence marked and linked."""

import re
from html.parser import HTMLParser

import pytest

from .html_support import IMG, SCRIPT, build_batch

URL_ATTRS = {"src", "href", "action", "formaction", "data", "poster", "srcset", "xlink:href", "background"}


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside <script>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    index, document = build_batch(tmp_path_factory.mktemp("html"))
    pages = {p.name: p.read_text(encoding="utf-8") for p in index.parent.glob("*.html")}
    return index, document, pages


def xss_page(site) -> str:
    _, document, pages = site
    n = next(i for i, r in enumerate(document["reports"], start=1) if r["source"].endswith("xss_report.txt"))
    return pages[f"report-{n:03d}.html"]


def test_one_page_per_report_and_an_index(site):
    _, document, pages = site
    assert set(pages) == {"index.html"} | {f"report-{i:03d}.html" for i in range(1, len(document["reports"]) + 1)}


def test_xss_payloads_render_as_inert_text(site):
    _, _, pages = site
    page = xss_page(site)
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # source lines, finding, indicator table
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    for name, html in pages.items():
        assert SCRIPT not in html and IMG not in html, name
        doc = parse(html)
        assert not [t for t, _ in doc.tags if t in ("img", "iframe", "object", "embed")], name
        handlers = [(t, a) for t, attrs in doc.tags for a in attrs if a.lower().startswith("on")]
        assert handlers == [], name
        scripts = [attrs for t, attrs in doc.tags if t == "script"]
        assert len(scripts) <= 1 and all(set(a) == {"nonce"} for a in scripts), name
        assert not any("alert(" in s for s in doc.scripts), name


def test_payload_shows_up_in_the_dashboard_escaped(site):
    _, _, pages = site
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["index.html"]  # the TXT-01 message


def test_no_external_resources(site):
    _, _, pages = site
    for name, html in pages.items():
        doc = parse(html)
        for tag, attrs in doc.tags:
            for key, value in attrs.items():
                if key in URL_ATTRS and value:
                    assert not re.match(r"\s*(https?:)?//", value, re.I), (name, tag, key, value)
                    assert not value.lower().startswith(("javascript:", "file:")), (name, tag, key, value)
            assert tag != "link" or attrs.get("href", "").startswith("data:"), (name, tag)
        assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", html, re.I), name
        assert not re.search(r"https?://", html), name
        assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_dashboard_counts_charts_and_filters(site):
    _, document, pages = site
    index = pages["index.html"]
    doc = parse(index)
    rows = [a for t, a in doc.tags if t == "tr" and "finding-row" in a.get("class", "")]
    total = sum(document["summary"]["findings"].values())
    assert len(rows) == total
    for sev, n in document["summary"]["findings"].items():
        assert sum(r["data-severity"] == sev for r in rows) == n
    assert {t for t, _ in doc.tags} >= {"svg", "select", "input", "rect"}
    ids = {a.get("id") for _, a in doc.tags}
    assert {"f-severity", "f-rule", "f-unit", "f-text", "findings-table"} <= ids
    assert "按规则" in index and "按单位" in index and "按年度" in index and "无法读取" in index


def test_report_page_marks_and_links_every_located_evidence(site):
    _, document, pages = site
    rep = document["reports"][0]
    doc = parse(pages["report-001.html"])
    ids = {a.get("id") for _, a in doc.tags}
    hrefs = {a.get("href") for t, a in doc.tags if t == "a"}
    marks = [a for t, a in doc.tags if t == "mark"]
    for n, f in enumerate(rep["findings"]):
        assert f"f-{n}" in ids
        for k, _ in enumerate(f["evidence"]):
            assert f"ev-{n}-{k}" in ids and f"#ev-{n}-{k}" in hrefs  # anchored in the source, linked from the card
        assert any(f"f-{n}" in m["data-findings"].split() for m in marks)
        assert f"#f-{n}" in hrefs  # margin note back to the finding
    assert {m["class"].split()[1] for m in marks} == {"error", "warning", "info"}
    html = pages["report-001.html"]
    assert "IND-09" in html and "100.005%" in html and "预算执行（万元）" in html and "绩效指标" in html


def test_failed_report_page_says_why(site):
    _, document, pages = site
    n = next(i for i, r in enumerate(document["reports"], start=1) if r["status"] == "failed")
    assert "无法读取（empty）" in pages[f"report-{n:03d}.html"]


def test_table_cell_evidence_is_marked_in_the_rendered_table(tmp_path):
    from pipeline.api import audit_paths
    from pipeline.report.html import write_html
    from pipeline.report.summary import build_document

    from .conftest import FIXTURES

    document = build_document(audit_paths([FIXTURES / "pdf" / "form.docx"]))
    index = write_html(document, tmp_path / "html")
    doc = parse((index.parent / "report-001.html").read_text(encoding="utf-8"))
    ids = {a.get("id") for _, a in doc.tags}
    table_evidence = [(n, k) for n, f in enumerate(document["reports"][0]["findings"])
                      for k, ev in enumerate(f["evidence"]) if ev.get("table")]
    assert table_evidence
    assert all(f"ev-{n}-{k}" in ids for n, k in table_evidence)
    html = (index.parent / "report-001.html").read_text(encoding="utf-8")
    assert '<table class="cells">' in html and "表1 第8行第6列" in html
