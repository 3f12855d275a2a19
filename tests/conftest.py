# The fixture-regeneration scripts need torch; they are run by hand, never collected.
import shutil

import pytest

collect_ignore = ["fixtures"]


@pytest.fixture(scope="session")
def quick():
    """The built-in ``quick`` experiment, trained once for every test that reads its results (never changed)."""
    import experiments

    return experiments.run("quick")


@pytest.fixture
def browser_page():
    """A page in a headless Chromium (the machine's, else playwright's own) and the script errors it reports;
    the test skips, saying how to get one, where there is none."""
    playwright = pytest.importorskip("playwright.sync_api", reason="no playwright here: pip install playwright")
    system = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    with playwright.sync_playwright() as driver:
        try:
            browser = driver.chromium.launch(executable_path=system, args=["--no-sandbox", "--disable-gpu"])
        except Exception as problem:  # neither a system browser nor playwright's
            pytest.skip(f"no headless Chromium here (apt install chromium, or playwright install chromium): {problem}")
        page, errors = browser.new_page(), []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        yield page, errors
        browser.close()
