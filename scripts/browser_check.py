"""Opens one `nn report --html` page in headless Chromium (Selenium) and checks it.

Run by scripts/test-browser.sh with the venv's Python. Checks: no console message of level
SEVERE; no request other than the page's own file:// (Chrome's performance log, i.e. the
DevTools Network events, and the page's Resource Timing entries); the runs table has
--rows rows; clicking each --sort column's header orders the rows by it (ascending, then
descending on a second click); typing the first row's --filter-column cell into the filter
box leaves only the rows containing it, and clearing it shows all again; each --charts
caption names a figure holding a drawn SVG; with JavaScript off, the same rows and charts
are there; the page has one script element and no script pasted in with an SVG ran. Saves screenshots (PATH, PATH.filtered.png, PATH.noscript.png). Exit status 0 when all
hold, 1 with one line per failure otherwise.
"""
import argparse
import json
import pathlib
import shutil
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def browser(window, script=True):
    options = Options()
    if not script:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={window}",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # Debian's driver, named explicitly (Selenium would otherwise try its download site first).
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    return webdriver.Chrome(options=options, service=Service(executable_path=driver_path))


def column_values(driver, index):
    """The sort keys of a column in row order (what the page's script sorts by)."""
    return driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('#runs-table tbody tr'), function (r) {"
        " var c = r.cells[arguments[0]]; var v = c.getAttribute('data-v');"
        " return v === null ? c.textContent.trim() : v; });".replace("arguments[0]", str(index)))


def ordered(values, descending):
    present = [v for v in values if v != ""]
    if values[len(present):] != [""] * (len(values) - len(present)):
        return False  # empty cells last
    try:
        keys = [float(v) for v in present]
    except ValueError:
        keys = present
    return keys == sorted(keys, reverse=descending)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--page", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--sort", required=True, help="comma-separated column headers to click")
    ap.add_argument("--filter-column", required=True)
    ap.add_argument("--charts", required=True, help="comma-separated figure captions (substrings)")
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--window", default="1280,1800", help="width,height of the window (and screenshot)")
    args = ap.parse_args()
    url = pathlib.Path(args.page).resolve().as_uri()
    failures = []
    driver = browser(args.window)
    try:
        driver.get(url)
        driver.execute_script("return document.readyState")

        header = [th.text.strip().rstrip(" ▲▼") for th in driver.find_elements(By.CSS_SELECTOR, "#runs-table thead th")]
        rows = driver.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr")
        if len(rows) != args.rows:
            failures.append(f"table rows: {len(rows)}, expected {args.rows}")
        if not driver.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr.best"):
            failures.append("no row marked best")

        for column in args.sort.split(","):
            if column not in header:
                failures.append(f"no column {column!r} (columns: {header})")
                continue
            i = header.index(column)
            button = driver.find_elements(By.CSS_SELECTOR, "#runs-table thead th button")[i]
            for descending in (False, True):
                button.click()
                values = column_values(driver, i)
                if len(set(values)) < 2:
                    failures.append(f"column {column!r} has one value only: sorting it shows nothing")
                elif not ordered(values, descending):
                    failures.append(f"after clicking {column!r} ({'descending' if descending else 'ascending'}): {values}")
                print(f"browser-check: sorted by {column} {'descending' if descending else 'ascending'}: {values}")

        box = driver.find_element(By.ID, "filter")
        if not box.is_displayed():
            failures.append("the filter box is not shown")
        else:
            j = header.index(args.filter_column)
            needle = driver.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr")[0].find_elements(By.TAG_NAME, "td")[j].text
            texts = [r.get_attribute("textContent").lower() for r in driver.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr")]
            expected = sum(needle.lower() in t for t in texts)
            box.send_keys(needle)
            visible = [r for r in driver.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr") if r.is_displayed()]
            if expected == len(texts) > 1:
                failures.append(f"filter {needle!r} matches every row: choose a column that tells rows apart")
            elif len(visible) != expected:
                failures.append(f"filter {needle!r}: {len(visible)} rows shown, expected {expected}")
            print(f"browser-check: filter {needle!r}: {len(visible)} of {len(texts)} rows shown")
            driver.save_screenshot(str(pathlib.Path(args.screenshot).with_suffix(".filtered.png")))
            box.clear()
            box.send_keys(" ")
            box.send_keys("\b")
            shown = [r for r in driver.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr") if r.is_displayed()]
            if len(shown) != len(texts):
                failures.append(f"after clearing the filter: {len(shown)} rows shown, expected {len(texts)}")

        captions = [f.text for f in driver.find_elements(By.CSS_SELECTOR, "figure figcaption")]
        for want in [c.strip() for c in args.charts.split(",") if c.strip()]:
            figures = [f for f in driver.find_elements(By.CSS_SELECTOR, "figure")
                       if want.lower() in f.find_element(By.TAG_NAME, "figcaption").text.lower()]
            drawn = [f for f in figures
                     if f.find_elements(By.CSS_SELECTOR, "svg polyline, svg rect, svg path")
                     and f.find_element(By.TAG_NAME, "svg").size["width"] > 100]
            if not drawn:
                failures.append(f"no drawn chart captioned {want!r} (captions: {captions})")
        print(f"browser-check: {len(captions)} charts: {captions}")

        # Only the page's own script ran: test-browser.sh gives runs a hostile roc.svg whose
        # <script> and onload= would set window.nnInjected.
        scripts, injected = driver.execute_script("return [document.scripts.length, typeof window.nnInjected]")
        if scripts != 1 or injected != "undefined":
            failures.append(f"{scripts} script elements and window.nnInjected {injected}: script from the page's content")

        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        for e in errors:
            failures.append(f"console error: {e.get('message')}")
        requests = []
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                requested = message["params"]["request"]["url"]
                if requested != url and not requested.startswith("data:"):
                    requests.append(requested)
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
        for r in requests + resources:
            failures.append(f"request left the page: {r}")
        print(f"browser-check: console errors {len(errors)}, requests besides the page {len(requests)}, resource entries {len(resources)}")

        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(args.screenshot)
    finally:
        driver.quit()

    # Without JavaScript: the same rows and charts, and the filter box (useless then) hidden.
    driver = browser(args.window, script=False)
    try:
        driver.get(url)
        rows = driver.find_elements(By.CSS_SELECTOR, "#runs-table tbody tr")
        figures = driver.find_elements(By.CSS_SELECTOR, "figure svg")
        if len(rows) != args.rows or len(figures) != len(captions):
            failures.append(f"without JavaScript: {len(rows)} rows and {len(figures)} charts, expected {args.rows} and {len(captions)}")
        if driver.find_element(By.ID, "filter").is_displayed():
            failures.append("without JavaScript the filter box is shown")
        driver.save_screenshot(str(pathlib.Path(args.screenshot).with_suffix(".noscript.png")))
        print(f"browser-check: without JavaScript: {len(rows)} rows, {len(figures)} charts")
    finally:
        driver.quit()
    for f in failures:
        print(f"browser-check: FAILED: {args.page}: {f}", file=sys.stderr)
    if not failures:
        print(f"browser-check: ok {args.page} ({args.rows} rows; screenshot {args.screenshot})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
