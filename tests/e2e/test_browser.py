"""The page in a real headless Chromium (Debian's chromium + chromedriver) against real Gunicorn.

Nothing on the server side is mocked: the browser loads the page from Gunicorn (with API_KEYS
set and its own SQLite journal; a second one without keys for the refused writes), the page's
scripts call the JSON API, and the tests read what a person sees (displayed elements, their size,
the words on screen), at a desktop (1280x900) and a phone (390x844) viewport. Every state is
saved as a screenshot in reports/screenshots/ (STATE-desktop.png, STATE-phone.png), and axe-core
(npm, installed by `make node-deps`) checks the page with its default rules.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import ROOT
from tests.e2e.browsers import BrowserNotFound, find_browser
from tests.e2e.conftest import Http, serving

SCREENSHOTS = ROOT / "reports" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}
TOUCH_TARGET_PX = 44
WHOLE_PERCENT = re.compile(r"^\d{1,3}%$")
JOURNAL_KEY = "journal-test-key"


@pytest.fixture(scope="module")
def gunicorn(trained_dir: Path, dataset_path: Path) -> Iterator[Http]:
    """The real Gunicorn of conftest with its own SQLite journal and an API key for writes, and
    its access log off (these tests send hundreds of requests)."""
    with serving(trained_dir, dataset_path,
                 env={"ACCESS_LOG": "", "API_KEYS": JOURNAL_KEY}) as server:
        yield server.http


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
                 "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(found.driver), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class Page:
    """The page at one viewport, read the way a person reads it."""

    driver: webdriver.Chrome
    server: Http
    viewport: str

    def open(self, wait_ready: bool = True) -> "Page":
        """Load the page at this viewport (and wait until it says the service is ready)."""
        width, height = VIEWPORTS[self.viewport]
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": self.viewport == "phone"})
        self.driver.get(self.server.base + "/")
        if wait_ready:
            WebDriverWait(self.driver, 15).until(
                seen.text_to_be_present_in_element((By.ID, "status"), "is ready"))
        return self

    def find(self, css: str) -> WebElement:
        """One element by CSS selector."""
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def shown(self, element_id: str) -> WebElement:
        """An element once a person can see it: displayed, with a non-zero size and text."""
        element = WebDriverWait(self.driver, 15).until(
            seen.visibility_of_element_located((By.ID, element_id)))
        assert element.size["width"] > 0 and element.size["height"] > 0, element_id
        return element

    def set_minutes(self, text: str) -> None:
        """Type into the minutes field as a person would."""
        field = self.find("#predict-minutes")
        field.clear()
        if text:
            field.send_keys(text)

    def choose(self, select_id: str, text: str) -> None:
        """Pick an option by its visible text."""
        Select(self.find(f"#{select_id}")).select_by_visible_text(text)

    def shot(self, state: str, element_id: str | None = None) -> None:
        """Save what the viewport shows, scrolled to `element_id` (else to the top)."""
        if element_id:
            self.driver.execute_script(
                "document.getElementById(arguments[0]).scrollIntoView({block: 'start'})",
                element_id)
        else:
            self.driver.execute_script("window.scrollTo(0, 0)")
        assert self.driver.save_screenshot(str(SCREENSHOTS / f"{state}-{self.viewport}.png"))

    def axe_violations(self) -> list[dict[str, Any]]:
        """axe-core's violations at its default rules, injected into the page as it is now."""
        assert AXE.is_file(), f"{AXE} is missing: run `make node-deps` (npm ci)"
        self.driver.execute_script(AXE.read_text(encoding="utf-8"))
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document).then("
            "  (r) => done(r.violations.map((v) => ({id: v.id, help: v.help,"
            "    nodes: v.nodes.map((n) => n.target.join(' '))}))),"
            "  (e) => done([{id: 'axe-failed', help: String(e), nodes: []}]));")

    def assert_accessible(self) -> None:
        """0 axe-core violations, listed readably when there are some."""
        violations = self.axe_violations()
        assert violations == [], json.dumps(violations, indent=1)


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: webdriver.Chrome, gunicorn: Http) -> Page:
    """The page at a desktop and at a phone viewport."""
    return Page(browser, gunicorn, request.param)


def rect(driver: webdriver.Chrome, element: WebElement) -> dict[str, float]:
    """Where an element is drawn (CSS pixels)."""
    return driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", element)


def whole_percent(probability: float) -> str:
    """How the page must show a probability."""
    return f"{round(100 * probability)}%"


def test_the_page_is_ready_tidy_and_accessible(page: Page) -> None:
    page.open()
    assert page.driver.title == "Focus Meditation Agent"
    assert page.shown("status").text.startswith("Model ")
    assert page.driver.execute_script(
        "return document.scrollingElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    for control in page.driver.find_elements(By.CSS_SELECTOR, "button, select, input, summary"):
        if control.is_displayed():
            assert control.size["height"] >= TOUCH_TARGET_PX, control.get_attribute("outerHTML")
    page.assert_accessible()
    page.shot("ready")


def test_a_prediction_is_shown_in_whole_percents(page: Page) -> None:
    page.open()
    page.choose("predict-mood", "tired")
    page.set_minutes("25")
    page.find("#predict-button").click()
    headline = page.shown("predicted-mood").text
    expected = page.server.post_json("/predict", {"duration_minutes": 25,
                                                  "mood_before": "tired"})[2]
    mood = expected["mood_after"]
    assert headline == f"Most likely you will feel {mood} " \
                       f"({whole_percent(expected['probabilities'][mood])})."
    bars = page.driver.find_elements(By.CSS_SELECTOR, "#predict-result .bar")
    assert [bar.get_attribute("data-mood") for bar in bars] == list(expected["probabilities"])
    shown = {bar.get_attribute("data-mood"): bar.find_element(By.CSS_SELECTOR, ".value").text
             for bar in bars}
    assert shown == {m: whole_percent(p) for m, p in expected["probabilities"].items()}
    widths = {bar.get_attribute("data-mood"): bar.find_element(By.CSS_SELECTOR, ".fill").size[
        "width"] for bar in bars}
    assert max(widths, key=widths.get) == mood and widths[mood] > 0
    assert not page.driver.find_elements(By.ID, "predict-warning")
    page.assert_accessible()
    page.shot("predict", "predict-title")


def test_outside_the_trained_range_the_warning_is_in_plain_words(page: Page) -> None:
    page.open()
    page.set_minutes("50")
    hint = page.shown("predict-minutes-hint").text
    assert "10 to 35 minutes" in hint and "guess" in hint
    page.find("#predict-button").click()
    warning = page.shown("predict-warning").text
    assert warning == ("The model learned from sessions of 10 to 35 minutes, so for 50 minutes "
                       "its answer is a guess beyond what it has seen.")
    assert "guess" not in page.shown("predict-minutes-hint").text  # said once, in the answer
    assert "duration_minutes" not in page.find("main").text
    page.shot("predict-outside-range", "predict-title")
    page.set_minutes("30")
    assert "guess" not in page.shown("predict-minutes-hint").text


@pytest.mark.parametrize(("typed", "said"), [
    ("", "Enter how many minutes you want to meditate, from 5 to 60."),
    ("0", "A session can be from 5 to 60 minutes long."),
    ("90", "A session can be from 5 to 60 minutes long."),
    ("20.5", "Use whole minutes, such as 20."),
])
def test_a_wrong_minutes_field_is_explained_next_to_it(page: Page, typed: str, said: str) -> None:
    page.open()
    page.set_minutes(typed)
    page.find("#predict-button").click()
    error = page.shown("predict-minutes-error")
    field = page.find("#predict-minutes")
    assert error.text == said
    assert field.get_attribute("aria-invalid") == "true"
    assert "predict-minutes-error" in field.get_attribute("aria-describedby").split()
    below = rect(page.driver, error)["top"] - rect(page.driver, field)["bottom"]
    assert 0 <= below < 60, "the error is not right under its field"
    assert page.driver.switch_to.active_element == field
    assert not page.driver.find_elements(By.ID, "predicted-mood")
    page.assert_accessible()
    if typed == "":
        page.shot("field-error", "predict-title")
    page.set_minutes("20")
    page.find("#predict-button").click()
    page.shown("predicted-mood")
    assert not error.is_displayed() and field.get_attribute("aria-invalid") is None


def test_a_refusal_by_the_service_is_shown_next_to_its_field(page: Page) -> None:
    page.open()
    page.driver.execute_script(
        "document.getElementById('predict-mood').add(new Option('sleepy', 'sleepy', true, true))")
    page.find("#predict-button").click()
    assert page.shown("predict-mood-error").text == "Choose one of the moods in the list."
    assert page.find("#predict-mood").get_attribute("aria-invalid") == "true"
    assert "mood_before" not in page.find("main").text


def test_results_that_no_longer_match_the_inputs_are_marked(page: Page) -> None:
    page.open()
    page.find("#predict-button").click()
    page.shown("predicted-mood")
    page.set_minutes("30")
    note = page.find("#predict-result .stale-note")
    assert note.is_displayed()
    assert note.text == ("These results are for stressed, 20 minutes; press Predict to update "
                         "them.")
    page.assert_accessible()
    page.shot("predict-stale", "predict-title")
    page.set_minutes("20")
    assert not page.driver.find_elements(By.CSS_SELECTOR, "#predict-result .stale-note")
    page.choose("recommend-target", "calm")
    page.find("#recommend-button").click()
    page.shown("recommended")
    page.choose("recommend-target", "relaxed")
    assert page.find("#recommend-result .stale-note").text.startswith(
        "These results are for neutral → calm")


def test_buttons_show_a_busy_state_while_a_request_runs(page: Page) -> None:
    """The page's fetch is held (in the page, by the test) so the busy state can be seen."""
    page.open()
    page.driver.execute_script(
        "const send = window.fetch.bind(window); window.held = [];"
        "window.fetch = (...a) => new Promise((ok, fail) =>"
        "  window.held.push(() => send(...a).then(ok, fail)));")
    for button_id, busy, idle, answer in (("predict-button", "Predicting…", "Predict",
                                           "predicted-mood"),
                                          ("recommend-button", "Searching…", "Recommend",
                                           "recommended")):
        button = page.find(f"#{button_id}")
        button.click()
        assert button.text == busy and button.get_attribute("aria-disabled") == "true"
        assert page.find(f"#{button_id.split('-')[0]}-result").get_attribute("aria-busy") == "true"
        button.click()  # a second press while busy sends nothing more
        assert page.driver.execute_script("return window.held.length") == 1
        if button_id == "predict-button":
            page.shot("predict-busy", "predict-title")
        page.driver.execute_script("window.held.splice(0).forEach((go) => go())")
        page.shown(answer)
        assert button.text == idle and button.get_attribute("aria-disabled") is None


def test_the_recommendation_curve_is_shown_with_axes_and_labels(page: Page) -> None:
    page.open()
    page.find("#recommend-button").click()
    advice = page.shown("recommended").text
    expected = page.server.post_json("/recommend", {"mood_before": "neutral",
                                                    "target_mood": "focused"})[2]
    minutes, chance = expected["recommended_minutes"], whole_percent(expected["probability"])
    assert advice == (f"Meditate {minutes} minutes: a {chance} chance to feel focused, the best "
                      "within 10–35 minutes, the range the model was trained on.")
    curve = page.shown("curve")
    assert curve.size["width"] > 300 and curve.size["height"] > 150
    line = page.find("#curve polyline")
    assert line.is_displayed() and rect(page.driver, line)["width"] > 250
    assert len(line.get_attribute("points").split()) == len(expected["curve"])
    ticks = [tick.text for tick in page.driver.find_elements(By.CSS_SELECTOR, "#curve .tick")]
    assert ["0%", "25%", "50%", "75%", "100%"] == ticks[:5]
    assert {"10", "20", "30"} <= set(ticks[5:])
    label = page.shown("curve-best-label")
    assert label.text == f"{minutes} min · {chance}"
    assert rect(page.driver, label)["height"] >= 12, "the label is too small to read"
    assert "highest" in curve.get_attribute("aria-label")
    page.find("#curve-figure summary").click()
    rows = page.driver.find_elements(By.CSS_SELECTOR, "#curve-table tbody tr")
    assert len(rows) == len(expected["curve"]) and rows[0].is_displayed()
    assert [row.text.split()[-1] for row in rows] == [
        whole_percent(point["probability"]) for point in expected["curve"]]
    page.assert_accessible()
    page.shot("recommend", "recommend-title")


def test_the_curve_answers_pointer_and_keyboard(page: Page) -> None:
    page.open()
    page.find("#recommend-button").click()
    page.shown("recommended")
    expected = {point["duration_minutes"]: whole_percent(point["probability"]) for point in
                page.server.post_json("/recommend", {"mood_before": "neutral",
                                                     "target_mood": "focused"})[2]["curve"]}
    curve = page.shown("curve")
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", curve)
    ActionChains(page.driver).move_to_element(curve).perform()
    readout = page.shown("curve-readout").text
    found = re.fullmatch(r"(\d+) minutes: (\d+%) chance of feeling focused", readout)
    assert found and expected[int(found[1])] == found[2]
    assert page.find("#curve .cursor-dot").is_displayed()
    page.shot("recommend-hover", "recommend-title")
    page.find("#recommend-button").click()
    page.shown("recommended")
    ActionChains(page.driver).send_keys(Keys.TAB).perform()
    assert page.driver.switch_to.active_element == page.find("#curve")
    ActionChains(page.driver).send_keys(Keys.END).perform()
    assert page.find("#curve-readout").text == f"35 minutes: {expected[35]} chance of feeling " \
                                               "focused"
    ActionChains(page.driver).send_keys(Keys.ARROW_LEFT).perform()
    assert page.find("#curve-readout").text.startswith(f"34 minutes: {expected[34]}")


def test_an_unlikely_goal_is_said_plainly(page: Page) -> None:
    expected = page.server.post_json("/recommend", {"mood_before": "stressed",
                                                    "target_mood": "energized"})[2]
    assert expected["probability"] < 0.25, "this test needs a goal under 25% from this mood"
    page.open()
    page.choose("recommend-mood", "stressed")
    page.choose("recommend-target", "energized")
    page.find("#recommend-button").click()
    minutes = expected["recommended_minutes"]
    assert page.shown("recommended").text == (
        f"Feeling energized is unlikely when you start stressed: at best a "
        f"{whole_percent(expected['probability'])} chance, after {minutes} minutes "
        "(searched 10–35 minutes, the range the model was trained on).")
    likely = page.server.post_json("/predict", {"mood_before": "stressed",
                                                "duration_minutes": minutes})[2]
    assert page.shown("more-likely").text == (
        f"After {minutes} minutes people who start stressed most often feel "
        f"{likely['mood_after']} ({whole_percent(likely['probabilities'][likely['mood_after']])}).")
    page.assert_accessible()
    page.shot("recommend-unlikely", "recommend-title")


def test_insights_draw_the_transitions_heat_map(page: Page) -> None:
    page.open()
    stats = page.server.call("GET", "/stats")[2]
    metrics = page.server.call("GET", "/model")[2]["metrics"]
    table = page.shown("transitions")
    cells = table.find_elements(By.CSS_SELECTOR, "td[data-before]")
    assert len(cells) == 16
    for cell in cells:
        before, after = cell.get_attribute("data-before"), cell.get_attribute("data-after")
        assert cell.is_displayed() and cell.text == f"{stats['transitions'][before][after]:,}"
    shades = {cell.value_of_css_property("background-color") for cell in cells}
    assert len(shades) >= 3, "the heat map shows no differences"
    summary = page.shown("insights-summary").text
    assert summary == (f"{stats['total_sessions']:,} sessions recorded, "
                       f"{round(stats['avg_duration'])} minutes long on average (from "
                       f"{stats['shortest_session']} to {stats['longest_session']} minutes).")
    accuracy = page.shown("accuracy").text
    assert accuracy.startswith(f"It was right {whole_percent(metrics['accuracy'])} of the time")
    assert f"would be right {whole_percent(metrics['baseline_accuracy'])}" in accuracy
    page.assert_accessible()
    page.shot("insights", "insights-title")


def post_sessions(server: Http, sessions: list[dict[str, Any]]) -> None:
    """Record sessions through the API with the test server's key, as a script would."""
    status, _, body = server.call("POST", "/sessions", json.dumps({"sessions": sessions}).encode(),
                                  {"Content-Type": "application/json",
                                   "Authorization": f"Bearer {JOURNAL_KEY}"})
    assert status == 201, body


def live_text(live: dict[str, Any]) -> str:
    """What the page must say about the served model's live accuracy."""
    if live["sessions"] >= 20:
        return (f"On the {live['sessions']:,} sessions people recorded since it was trained, it "
                f"was right {whole_percent(live['accuracy'])} of the time.")
    return ("Its accuracy on the sessions people record appears once 20 have been recorded "
            f"since it was trained ({live['sessions']:,} so far).")


def test_insights_draw_durations_and_live_accuracy_from_the_server(page: Page) -> None:
    """/stats by_duration and /model live as the real server answers them, before and after
    enough sessions were recorded through the API for the live accuracy to be shown."""
    page.open()
    stats = page.server.call("GET", "/stats")[2]
    assert sum(stats["by_duration"].values()) == stats["total_sessions"]
    rows = page.shown("durations").find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [row.text.split() for row in rows] == [
        [label, f"{n:,}"] for label, n in stats["by_duration"].items()]
    widths = [row.find_element(By.CSS_SELECTOR, ".fill").size["width"] for row in rows]
    counts = list(stats["by_duration"].values())
    assert widths.index(max(widths)) == counts.index(max(counts)) and max(widths) > 0
    live = page.server.call("GET", "/model")[2]["live"]
    assert page.shown("live-accuracy").text == live_text(live)
    if live["sessions"] < 20:
        post_sessions(page.server, [
            {"mood_before": mood, "duration_minutes": minutes, "mood_after": "calm"}
            for mood in ("stressed", "anxious", "neutral", "tired", "stressed")
            for minutes in (10, 15, 20, 25, 30)])
        page.open()
        live = page.server.call("GET", "/model")[2]["live"]
        assert live["sessions"] >= 20
    assert page.shown("live-accuracy").text == live_text(live)
    page.assert_accessible()
    page.shot("insights-journal", "insights-title")


def journal_rows(page: Page) -> list[list[str]]:
    """The rows of "My recent sessions", cell by cell, as drawn: the words kept for screen
    readers only (.visually-hidden, such as "(right)" beside a ✓) are left out."""
    assert page.shown("journal-table")
    return page.driver.execute_script(
        "return [...document.querySelectorAll('#journal-table tbody tr')].map((row) =>"
        "  [...row.cells].map((cell) => { const copy = cell.cloneNode(true);"
        "    copy.querySelectorAll('.visually-hidden').forEach((node) => node.remove());"
        "    return copy.textContent.trim(); }));")


def fresh_tab(page: Page) -> Page:
    """The page in a tab that has stored nothing yet (sessionStorage cleared, then reloaded)."""
    page.open()
    page.driver.execute_script("sessionStorage.clear()")
    return page.open()


def log_session(page: Page, before: str, minutes: str, after: str, key: str | None) -> None:
    """Fill the journal form as a person would (the key only when given) and send it."""
    page.choose("journal-before", before)
    field = page.find("#journal-minutes")
    field.clear()
    field.send_keys(minutes)
    page.choose("journal-after", after)
    if key is not None:
        page.find("#journal-key").clear()
        page.find("#journal-key").send_keys(key)
    page.find("#journal-button").click()


def test_a_logged_session_is_listed_with_the_models_prediction(page: Page) -> None:
    fresh_tab(page)
    assert page.shown("journal-empty").text == ("No session logged from this tab yet: the ones "
                                                "you log appear here.")
    assert not page.find("#journal-table").is_displayed()
    page.assert_accessible()
    page.shot("journal-empty", "journal-title")
    predicted = page.server.post_json("/predict", {"mood_before": "stressed",
                                                   "duration_minutes": 25})[2]["mood_after"]
    log_session(page, "stressed", "25", "calm", JOURNAL_KEY)
    assert page.shown("journal-logged").text == (
        f"Logged: 25 minutes, stressed → calm. The model predicted {predicted}"
        f"{', right.' if predicted == 'calm' else '.'}")
    first = page.find("#journal-table tbody tr")
    stored = page.server.call("GET", f"/sessions/{first.get_attribute('data-id')}")[2]
    assert stored["source"] == "api" and stored["predicted_mood"] == predicted
    shown_prediction = f"{predicted} ✓" if predicted == "calm" else predicted
    day = dt.date.fromisoformat(stored["date"])
    assert journal_rows(page) == [[f"{day.day} {day:%b}", "stressed", "25", "calm",
                                   shown_prediction]]
    assert (predicted == "calm") == ("(right)" in first.find_element(
        By.CSS_SELECTOR, ".predicted").get_attribute("textContent")), "no words for the ✓"
    assert page.driver.execute_script(
        "return document.querySelector('#journal-scroll').scrollWidth"
        " <= document.querySelector('#journal-scroll').clientWidth"), "the table scrolls sideways"
    assert page.shown("journal-agreement").text == (
        f"The model was right for {int(predicted == 'calm')} of 1 session here "
        f"({100 if predicted == 'calm' else 0}%).")
    assert JOURNAL_KEY not in page.driver.current_url
    page.assert_accessible()
    page.shot("journal-logged", "journal-title")

    page.open()  # the same tab, reloaded: the key and the list are still there
    assert page.find("#journal-key").get_attribute("value") == JOURNAL_KEY
    assert JOURNAL_KEY not in page.driver.current_url
    page.shown("journal-table")
    assert len(journal_rows(page)) == 1
    log_session(page, "tired", "15", "relaxed", key=None)
    page.shown("journal-logged")
    rows = journal_rows(page)
    assert [row[1:4] for row in rows] == [["tired", "15", "relaxed"], ["stressed", "25", "calm"]]
    ids = [int(row.get_attribute("data-id")) for row in
           page.driver.find_elements(By.CSS_SELECTOR, "#journal-table tbody tr")]
    assert ids == sorted(ids, reverse=True), "not newest first"
    right = sum(row[4].endswith("✓") for row in rows)
    assert page.shown("journal-agreement").text == (
        f"The model was right for {right} of 2 sessions here ({whole_percent(right / 2)}).")
    assert JOURNAL_KEY not in page.driver.current_url
    page.shot("journal-list", "journal-title")


def test_a_wrong_or_missing_key_is_explained_next_to_its_field(page: Page) -> None:
    fresh_tab(page)
    log_session(page, "neutral", "20", "focused", key=None)
    assert page.shown("journal-key-error").text == (
        "Enter your API key: the journal keeps sessions only for key holders.")
    log_session(page, "neutral", "20", "focused", key="not-the-key")
    error = page.shown("journal-key-error")
    assert error.text == "This key was not accepted: check it and enter it again."
    field = page.find("#journal-key")
    assert field.get_attribute("aria-invalid") == "true"
    assert "journal-key-error" in field.get_attribute("aria-describedby").split()
    assert page.driver.switch_to.active_element == field
    assert page.driver.execute_script(
        "return sessionStorage.getItem('focus-journal-api-key')") is None, "a refused key is kept"
    assert "not-the-key" not in page.driver.current_url
    assert not page.driver.find_elements(By.ID, "journal-logged")
    page.assert_accessible()
    page.shot("journal-wrong-key", "journal-title")
    log_session(page, "neutral", "0", "focused", key=JOURNAL_KEY)
    assert page.shown("journal-minutes-error").text == "A session can be from 5 to 60 minutes long."
    assert not error.is_displayed()


def test_without_javascript_the_page_says_what_it_needs(page: Page) -> None:
    page.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        page.open(wait_ready=False)
        notice = page.shown("noscript").text
        assert notice.startswith("This page needs JavaScript to ask the model")
        assert "/openapi.json" in notice
        body = page.find("body").text
        assert "Checking the service" not in body
        assert not page.find("#predict-form").is_displayed()
        page.shot("no-javascript")
    finally:
        page.driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_the_console_has_no_errors(browser: webdriver.Chrome, gunicorn: Http) -> None:
    page = Page(browser, gunicorn, "desktop")
    browser.get_log("browser")  # start from an empty log
    page.open()
    page.find("#predict-button").click()
    page.shown("predicted-mood")
    page.find("#recommend-button").click()
    page.shown("recommended")
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
    page.shown("transitions")
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
    icon = page.find("link[rel='icon']").get_attribute("href")
    assert icon.startswith(gunicorn.base + "/static/")


def test_scripts_still_get_json_at_the_root(gunicorn: Http) -> None:
    assert gunicorn.call("GET", "/", headers={"Accept": "*/*"})[2]["status"] == "ok"


@pytest.fixture(scope="module")
def keyless(trained_dir: Path, dataset_path: Path) -> Iterator[Http]:
    """A second real Gunicorn, configured without API_KEYS: every write is refused (403)."""
    with serving(trained_dir, dataset_path, env={"ACCESS_LOG": "", "API_KEYS": ""}) as server:
        yield server.http


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_server_without_keys_is_said_plainly(browser: webdriver.Chrome, keyless: Http,
                                               viewport: str) -> None:
    page = fresh_tab(Page(browser, keyless, viewport))
    recorded = keyless.call("GET", "/stats")[2]["total_sessions"]
    log_session(page, "anxious", "15", "calm", JOURNAL_KEY)
    assert page.shown("journal-result").text == (
        "Sorry, no answer this time: this service does not keep journals: no API key is "
        "configured on the server (its operator sets API_KEYS).")
    assert keyless.call("GET", "/stats")[2]["total_sessions"] == recorded
    assert page.shown("journal-empty").is_displayed()
    page.assert_accessible()
    page.shot("journal-no-keys", "journal-title")
