"""The HTML report in a real headless browser (Debian's chromium and
chromium-driver, driven by Selenium): no console errors, the filters work,
evidence highlights are visible, the XSS fixture stays inert. Screenshots go
to reports/test-artifacts/ (git-ignored).

Chromium missing: a skip with the reason and the install command on a
developer's machine, a failure where PERFAUDIT_REQUIRE_BROWSER=1 (.ci/run sets
it: CI must run this test)."""

import os
import shutil
import tempfile

import pytest

from .conftest import ROOT
from .html_support import IMG, SCRIPT, build_batch

ARTIFACTS = ROOT / "reports" / "test-artifacts"
INSTALL_HINT = ("没有找到 Chromium 或 chromedriver（浏览器测试需要）。Debian/Ubuntu 上安装："
                "apt-get update && apt-get install -y chromium chromium-driver"
                "（可选 fonts-noto-cjk，截图中的中文才能显示）")
REQUIRE_ENV = "PERFAUDIT_REQUIRE_BROWSER"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--window-size=1400,1000")


def _binaries() -> tuple[str, str]:
    browser = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    driver = shutil.which("chromedriver") or (
        "/usr/lib/chromium/chromedriver" if shutil.os.path.exists("/usr/lib/chromium/chromedriver") else None)
    if not browser or not driver:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(INSTALL_HINT, pytrace=False)
        pytest.skip(f"{INSTALL_HINT}；CI（{REQUIRE_ENV}=1）中缺少时此测试失败")
    return browser, driver


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="perfaudit-chromium-")
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_batch(tmp_path_factory.mktemp("html-browser"))


def open_page(driver, path):
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def console_errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / name))


def visible_rows(driver):
    from selenium.webdriver.common.by import By

    return [r for r in driver.find_elements(By.CSS_SELECTOR, "#findings-table tr.finding-row") if r.is_displayed()]


def test_index_loads_without_console_errors_and_filters_work(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    index, document = site
    open_page(browser, index)
    counts = document["summary"]["findings"]
    assert len(visible_rows(browser)) == sum(counts.values())
    Select(browser.find_element(By.ID, "f-severity")).select_by_value("error")
    rows = visible_rows(browser)
    assert len(rows) == counts["error"] > 0
    assert {r.get_attribute("data-severity") for r in rows} == {"error"}
    assert browser.find_element(By.ID, "f-shown").text == str(counts["error"])
    shot(browser, "html-index-errors.png")
    Select(browser.find_element(By.ID, "f-severity")).select_by_value("")
    Select(browser.find_element(By.ID, "f-rule")).select_by_value("IND-09")
    assert {r.get_attribute("data-rule") for r in visible_rows(browser)} == {"IND-09"}
    Select(browser.find_element(By.ID, "f-rule")).select_by_value("")
    browser.find_element(By.ID, "f-text").send_keys("补贴补贴")
    rows = visible_rows(browser)
    assert rows and all("补贴补贴" in r.text for r in rows)
    assert console_errors(browser) == []


def test_evidence_highlight_is_visible(browser, site):
    from selenium.webdriver.common.by import By

    index, document = site
    open_page(browser, index.parent / "report-001.html")
    n = next(i for i, f in enumerate(document["reports"][0]["findings"]) if f["rule"] == "IND-09")
    browser.find_element(By.CSS_SELECTOR, f'a[href="#ev-{n}-0"]').click()
    marks = [m for m in browser.find_elements(By.CSS_SELECTOR, "mark.ev.active") if m.is_displayed()]
    assert marks, "clicking the evidence link should activate its highlights"
    assert all(m.size["width"] > 0 and m.size["height"] > 0 for m in marks)
    assert "100.005%" in "".join(m.text for m in marks)
    in_view = browser.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.bottom > 0 && r.top < window.innerHeight && r.width > 0;", marks[0])
    assert in_view
    assert "error" in marks[0].get_attribute("class")
    shot(browser, "html-report-evidence.png")
    assert console_errors(browser) == []


def test_xss_fixture_is_inert_in_the_browser(browser, site):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    index, document = site
    n = next(i for i, r in enumerate(document["reports"], start=1) if r["source"].endswith("xss_report.txt"))
    open_page(browser, index.parent / f"report-{n:03d}.html")
    with pytest.raises(NoAlertPresentException):
        _ = browser.switch_to.alert.text
    body = browser.find_element(By.TAG_NAME, "body").text
    assert SCRIPT in body and IMG in body  # shown as text
    assert browser.execute_script("return document.querySelectorAll('img, script:not([nonce])').length") == 0
    shot(browser, "html-report-xss.png")
    assert console_errors(browser) == []
