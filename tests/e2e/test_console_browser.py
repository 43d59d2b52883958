"""The browser console in a real headless Chromium (Debian's `chromium` and `chromium-driver`,
driven by Selenium), against a real `videoforge serve` on loopback with the offline local
provider: sign in with a pasted token, start a job, see its progress reach 100 % from the event
stream, play the video through a signed link, see usage change, and as an admin see the spend.
Screenshots go to test-artifacts/console/ (ignored by git). Without Chromium the test skips
saying why, except with CI=true, where it fails."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.serving import serve_process

SECRET = "console-test-secret-of-at-least-32-bytes"
# Debian's packages (.ci/run installs them); elsewhere point these at a Chromium and its matching driver
CHROMIUM = os.environ.get("VIDEOFORGE_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("VIDEOFORGE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
# The local models render for $0; a prices file (a real setting) gives them a price, so spend shows.
PRICES = {"local/title-card": {"rule": "per_second",
                               "rates": {"360p": "0.05", "480p": "0.05", "720p": "0.10", "1080p": "0.20"}}}


def bearer_token(sub: str) -> str:
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 3600}, SECRET, algorithm="HS256")


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the console's browser test cannot run: {missing}")
        pytest.skip(f"no headless Chromium here: {missing}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1400,1600", "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps(PRICES))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIDEOFORGE_", "WAVESPEED_"))}
    env |= {"VIDEOFORGE_DATA_DIR": str(tmp_path), "VIDEOFORGE_DEFAULT_PROVIDER": "local",
            "VIDEOFORGE_JWT_SECRET": SECRET, "VIDEOFORGE_POLL_INTERVAL": "0.2", "VIDEOFORGE_EVENTS_INTERVAL": "0.1",
            "VIDEOFORGE_PRICES_FILE": str(prices), "VIDEOFORGE_ADMIN_SUBJECTS": '["ops-lead"]',
            "VIDEOFORGE_USER_PLANS": json.dumps({"alice": "basic"})}
    with serve_process(env) as served:
        yield served.base


def wait_for(what: str, check: Callable[[], Any], seconds: float = 60, driver: Any = None) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    logs = driver.get_log("browser") if driver is not None else []
    raise AssertionError(f"timed out waiting for {what}; browser console: {logs}")


def shot(driver: Any, name: str) -> Path:
    """A screenshot of the whole page (the window grown to the page's height)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(900, min(height + 40, 4000)))
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000, f"{path} is nearly empty"
    return path


def text(driver: Any, css: str) -> str:
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent : ''", css)


def sign_in(driver: Any, base: str, token: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(base + "/console")
    wait_for("the sign-in form", lambda: driver.find_element(By.ID, "token").is_displayed(), driver=driver)
    driver.find_element(By.ID, "token").send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
    wait_for("the console after signing in", lambda: text(driver, "#who").strip(), driver=driver)


def test_the_console_runs_a_job_plays_it_and_shows_usage_and_spend(browser, server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    driver.get(server + "/console")
    bad = "not-a-token"
    wait_for("the sign-in form", lambda: driver.find_element(By.ID, "token").is_displayed(), driver=driver)
    driver.find_element(By.ID, "token").send_keys(bad)
    driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
    wait_for("the refusal of a bad token", lambda: "not accepted" in text(driver, "#login-error"), driver=driver)

    alice = bearer_token("alice")
    sign_in(driver, server, alice)
    assert text(driver, "#who") == "alice" and not driver.find_element(By.ID, "admin").is_displayed()
    assert driver.execute_script("return sessionStorage.getItem('videoforge.token')") == alice
    wait_for("the usage figures", lambda: "0 of 10" in text(driver, "#usage-calls"), driver=driver)
    assert "$0.00 of $25.00" in text(driver, "#usage-cost")
    shot(driver, "01-signed-in")

    Select(driver.find_element(By.ID, "f-operation")).select_by_value("text_to_video")
    Select(driver.find_element(By.ID, "f-model")).select_by_value("local/title-card")
    driver.find_element(By.ID, "f-prompt").send_keys("A lighthouse at dawn, waves rolling in")
    Select(driver.find_element(By.ID, "f-duration")).select_by_value("2")
    Select(driver.find_element(By.ID, "f-resolution")).select_by_value("360p")
    wait_for("the estimate", lambda: "$0.10" in text(driver, "#f-estimate"), driver=driver)
    driver.find_element(By.ID, "f-submit").click()

    row = "#jobs tbody tr"
    wait_for("the new job's row", lambda: text(driver, row), driver=driver)
    seen: set[int] = set()

    def at_100() -> bool:
        value = driver.execute_script("const p = document.querySelector(arguments[0]); return p ? p.value : null",
                                      row + " progress")
        if value is not None:
            seen.add(int(value))
        return value == 100 and "completed" in text(driver, row + " .status")

    wait_for("the job to reach 100 % in the page", at_100, seconds=120, driver=driver)
    assert "100 %" in text(driver, row + " .pct") and max(seen) == 100
    # Progress arrived through the event stream (fetch with the bearer header): nothing polled it,
    # and no URL the page loaded carries the login token.
    urls = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert any("/events" in u for u in urls) and not any(alice in u for u in urls)

    wait_for("the new video in the gallery", lambda: driver.find_elements(By.CSS_SELECTOR, "#gallery .card img"),
             driver=driver)
    wait_for("its thumbnail to load", lambda: driver.execute_script(
        "const i = document.querySelector('#gallery .card img'); return i && i.complete && i.naturalWidth > 0"),
        driver=driver)
    wait_for("usage to count the video", lambda: "1 of 10" in text(driver, "#usage-calls"), driver=driver)
    assert "$0.10 of $25.00" in text(driver, "#usage-cost")
    assert len(driver.find_elements(By.CSS_SELECTOR, "#chart-cost circle.dot")) == 1
    assert driver.find_elements(By.CSS_SELECTOR, "#chart-cost line.limit")
    shot(driver, "02-job-completed")

    driver.find_element(By.CSS_SELECTOR, "#gallery .card").click()
    wait_for("the lineage", lambda: "local/title-card" in text(driver, "#lineage"), driver=driver)
    assert "A lighthouse at dawn" in text(driver, "#lineage") and "$0.10" in text(driver, "#lineage")
    played = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const v = document.getElementById('player');
        v.muted = true;
        v.play().then(() => {
          const t0 = performance.now();
          const check = () => (v.currentTime > 0.3 || performance.now() - t0 > 15000)
            ? done({time: v.currentTime, ready: v.readyState, src: v.currentSrc, error: v.error && v.error.message})
            : setTimeout(check, 100);
          check();
        }).catch((e) => done({error: String(e), ready: v.readyState, src: v.currentSrc}));
    """)
    assert played.get("error") is None and played["ready"] >= 2 and played["time"] > 0.3, played
    assert "/api/video/media/" in played["src"] and alice not in played["src"]
    shot(driver, "03-playing")

    # A second job from the library: the first video upscaled; its lineage leads back to the first.
    first_asset = driver.find_element(By.CSS_SELECTOR, "#gallery .card").get_attribute("data-asset")
    Select(driver.find_element(By.ID, "f-operation")).select_by_value("enhance")
    Select(driver.find_element(By.ID, "f-model")).select_by_value("local/lanczos-upscale")
    Select(driver.find_element(By.ID, "f-resolution")).select_by_value("480p")
    Select(driver.find_element(By.CSS_SELECTOR, "[data-asset-for=video]")).select_by_value(first_asset)
    driver.find_element(By.ID, "f-prompt").clear()
    driver.find_element(By.ID, "f-submit").click()
    wait_for("the upscale to reach 100 %", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#jobs tbody tr")) == 2
             and "completed" in text(driver, row + " .status") and "100 %" in text(driver, row + " .pct"),
             seconds=120, driver=driver)
    wait_for("two videos in the gallery", lambda: len(driver.find_elements(By.CSS_SELECTOR, "#gallery .card")) == 2,
             driver=driver)
    upscaled = driver.find_element(By.CSS_SELECTOR, "#gallery .card")  # newest first
    assert upscaled.get_attribute("data-asset") != first_asset
    upscaled.click()
    wait_for("the upscale's lineage", lambda: "local/lanczos-upscale" in text(driver, "#lineage")
             and "Made from" in text(driver, "#lineage"), driver=driver)
    lineage = text(driver, "#lineage")
    assert f"from asset {first_asset[:12]}" in lineage and "A lighthouse at dawn" in lineage  # the parent's prompt
    assert "enhance" in lineage and "video: video/mp4" in lineage
    wait_for("usage to count both", lambda: "2 of 10" in text(driver, "#usage-calls"), driver=driver)
    assert Select(driver.find_element(By.ID, "f-resolution")).first_selected_option.text == "480p"  # form kept
    assert Select(driver.find_element(By.CSS_SELECTOR, "[data-asset-for=video]")).first_selected_option \
        .get_attribute("value") == first_asset
    assert "enhance of" in upscaled.text
    shot(driver, "04-lineage")

    driver.find_element(By.ID, "signout").click()
    wait_for("the sign-in form again", lambda: driver.find_element(By.ID, "login").is_displayed(), driver=driver)
    assert driver.execute_script("return sessionStorage.getItem('videoforge.token')") is None

    sign_in(driver, server, bearer_token("ops-lead"))
    wait_for("alice's spend in the admin view",
             lambda: "alice" in text(driver, "#spend tbody") and "$0.10" in text(driver, "#spend tbody"), driver=driver)
    assert "basic" in text(driver, "#spend tbody") and driver.find_element(By.ID, "admin").is_displayed()
    assert "2 of 10" in text(driver, "#spend tbody")
    shot(driver, "05-admin-spend")
    refusal = "/api/video/me - Failed to load resource: the server responded with a status of 401"
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and refusal not in e["message"]]
    assert errors == [], errors  # nothing failed in the page but the bad token's refusal above
