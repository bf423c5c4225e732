"""The page in a real headless Chromium (Debian's chromium + chromedriver) against real Gunicorn.

Nothing is mocked: the browser loads the page from Gunicorn, the page's script calls the JSON
API, and the test reads what a person would see. A screenshot of each state is saved to
reports/ for people to look at.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as visible
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import ROOT
from tests.e2e.browsers import BrowserNotFound, find_browser
from tests.e2e.conftest import Http

SCREENSHOTS = ROOT / "reports" / "screenshots"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with no network beyond this machine; fails loudly when missing."""
    try:
        found = find_browser()
    except BrowserNotFound as exc:
        pytest.fail(str(exc))
    options = webdriver.ChromeOptions()
    options.binary_location = found.binary
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1000,1200",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(found.driver), options=options)
    driver.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: webdriver.Chrome, element_id: str) -> str:
    """The text of an element once it is visible."""
    return WebDriverWait(driver, 15).until(
        visible.visibility_of_element_located((By.ID, element_id))).text


def test_the_page_shows_a_prediction_like_the_api(browser: webdriver.Chrome,
                                                  gunicorn: Http) -> None:
    browser.get(gunicorn.base + "/")
    assert browser.title == "Focus Meditation Agent"
    WebDriverWait(browser, 15).until(
        visible.text_to_be_present_in_element((By.ID, "status"), "is ready"))
    Select(browser.find_element(By.ID, "predict-mood")).select_by_visible_text("tired")
    minutes = browser.find_element(By.ID, "predict-minutes")
    minutes.clear()
    minutes.send_keys("25")
    browser.find_element(By.ID, "predict-button").click()
    shown = wait_for(browser, "predicted-mood")
    expected = gunicorn.post_json("/predict", {"duration_minutes": 25,
                                               "mood_before": "tired"})[2]
    assert shown == f"Most likely: {expected['mood_after']}"
    bars = browser.find_elements(By.CSS_SELECTOR, "#predict-result .bar")
    assert [bar.get_attribute("data-mood") for bar in bars] == list(expected["probabilities"])
    widths = {bar.get_attribute("data-mood"): bar.find_element(By.CSS_SELECTOR, ".fill").size[
        "width"] for bar in bars}
    assert max(widths, key=widths.get) == expected["mood_after"]
    assert widths["calm"] < widths["energized"] / 4
    assert not browser.find_element(By.ID, "curve").is_displayed()
    browser.save_screenshot(str(SCREENSHOTS / "predict.png"))


def test_the_page_recommends_and_draws_the_curve(browser: webdriver.Chrome,
                                                 gunicorn: Http) -> None:
    browser.get(gunicorn.base + "/")
    browser.find_element(By.ID, "recommend-button").click()
    shown = wait_for(browser, "recommended")
    expected = gunicorn.post_json("/recommend", {"mood_before": "neutral",
                                                 "target_mood": "focused"})[2]
    assert shown.startswith(f"Meditate {expected['recommended_minutes']} minutes")
    points = browser.find_element(By.CSS_SELECTOR, "#curve polyline").get_attribute("points")
    assert len(points.split()) == len(expected["curve"])
    browser.save_screenshot(str(SCREENSHOTS / "recommend.png"))


def test_the_page_shows_api_errors_to_people(browser: webdriver.Chrome, gunicorn: Http) -> None:
    browser.get(gunicorn.base + "/")
    browser.execute_script(
        "document.getElementById('predict-minutes').value = '90';"
        "document.getElementById('predict-form').dispatchEvent("
        "new Event('submit', {cancelable: true}));")
    assert "must be between 5 and 60" in wait_for(browser, "error")


def test_scripts_still_get_json_at_the_root(gunicorn: Http) -> None:
    assert gunicorn.call("GET", "/", headers={"Accept": "*/*"})[2]["status"] == "ok"
