"""``briefwatch serve`` in a real browser: headless Chromium (Debian's ``chromium`` and
``chromium-driver``, driven by Selenium) against the server started on 127.0.0.1 over an archive
of real transcripts. Screenshots are saved as artifacts in ``$BRIEFWATCH_SCREENSHOTS`` or in
the test's temporary folder.

Outside CI the test skips when no browser is installed; in CI (``CI=true``) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers.smtp import free_port
from helpers.web_archive import WATCH_TOML, build

pytestmark = pytest.mark.slow

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
]


def _browser() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    reason = "no Chromium browser and chromedriver (apt-get install chromium chromium-driver)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must have them (.ci/run installs them)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``briefwatch serve`` as a real process on 127.0.0.1, over a built archive."""
    folder = tmp_path_factory.mktemp("serve")
    url = f"sqlite:///{folder / 'archive.db'}"
    ids = build(url)
    config = folder / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n{WATCH_TOML}')
    port = free_port()
    env = {**os.environ, "BRIEFWATCH_WEB_TOKEN": "", "BRIEFWATCH_WEB_BASIC_AUTH": ""}
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    assert response.status == 200
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("serve did not start: " + (folder / "serve.log").read_text())
                time.sleep(0.2)
        yield base, ids
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, driver_path = _browser()
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium fetch a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("BRIEFWATCH_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _target(driver) -> str | None:
    return driver.execute_script("const t = document.querySelector(':target'); return t && t.id;")


def _in_view(driver, element) -> bool:
    return driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.top >= -1 && r.top < window.innerHeight;",
        element,
    )


def _no_console_errors(driver) -> None:
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_search_open_transcript_follow_anchors_and_trend(server, browser, shots):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    base, ids = server
    wait = WebDriverWait(browser, 15)

    # Search from the box in the header of the home page.
    browser.get(base + "/")
    header = browser.find_element(By.CSS_SELECTOR, "header.top")
    assert header.value_of_css_property("background-color") == "rgba(20, 37, 59, 1)"  # CSS loaded
    box = browser.find_element(By.CSS_SELECTOR, "form.quick input[name=q]")
    box.send_keys("pakistan")
    box.submit()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "strong.total")))
    assert browser.find_element(By.CSS_SELECTOR, "strong.total").text == "5"
    marks = browser.find_elements(By.CSS_SELECTOR, "li.hit .snippet mark")
    assert marks and all(m.text.lower().startswith("pakistan") for m in marks)
    browser.save_screenshot(str(shots / "search.png"))

    # Open the first result: the transcript, scrolled to the turn, the turn targeted.
    first = browser.find_element(By.CSS_SELECTOR, "li.hit .where a")
    href = first.get_attribute("href")
    first.click()
    wait.until(EC.url_contains("/b/"))
    turn = href.rsplit("#", 1)[1]
    assert browser.current_url == href and turn.startswith("turn-")
    assert _target(browser) == turn
    element = browser.find_element(By.ID, turn)
    assert _in_view(browser, element)
    assert element.find_elements(By.TAG_NAME, "mark")  # ?hl= carried the query
    browser.save_screenshot(str(shots / "transcript.png"))

    # Whole exchanges; follow an exchange anchor into its transcript.
    browser.get(base + "/search?q=%22nord+stream%22&mode=exchanges")
    link = browser.find_element(By.CSS_SELECTOR, "section.exchange.result h3 a.meta")
    anchor = link.get_attribute("href").rsplit("#", 1)[1]
    assert anchor.startswith("exchange-")
    browser.save_screenshot(str(shots / "exchanges.png"))
    link.click()
    wait.until(EC.url_contains("#exchange-"))
    assert _target(browser) == anchor
    section = browser.find_element(By.ID, anchor)
    assert _in_view(browser, section)
    parts = [p.text for p in section.find_elements(By.CSS_SELECTOR, ".part")]
    assert parts[0] == "QUESTION" and "ANSWER" in parts
    assert any("nord stream" in m.text.lower() for m in section.find_elements(By.TAG_NAME, "mark"))
    browser.save_screenshot(str(shots / "exchange-anchor.png"))

    # A turn anchor typed as an address.
    browser.get(base + f"/b/{ids['hostile']}#turn-2")
    assert _target(browser) == "turn-2"
    assert "<b onmouseover=alert(3)>Mr. X</b>" in browser.find_element(By.ID, "turn-2").text
    assert (
        browser.execute_script("return document.querySelectorAll('script, b[onmouseover]').length")
        == 0
    )

    # The trend page, filled in through its form.
    browser.find_element(By.LINK_TEXT, "Trends").click()
    inputs = browser.find_elements(By.CSS_SELECTOR, "form.filters input[name=q]")
    inputs[0].send_keys("iran")
    inputs[1].send_keys('"nord stream"')
    inputs[1].submit()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.chart")))
    chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
    assert len(chart.find_elements(By.TAG_NAME, "polyline")) == 4
    assert chart.size["width"] > 400 and chart.size["height"] > 100
    csv_link = browser.find_element(By.LINK_TEXT, "CSV").get_attribute("href")
    assert "/trend.csv?" in csv_link
    with urllib.request.urlopen(csv_link) as response:
        assert response.read().decode().startswith("term,period,questions,answers\n")
    browser.save_screenshot(str(shots / "trend.png"))

    _no_console_errors(browser)  # a CSP violation (an inline style, a script) would show here
    for name in ("search", "transcript", "exchanges", "exchange-anchor", "trend"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
