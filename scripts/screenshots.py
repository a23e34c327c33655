"""Take screenshots of pages with headless Debian chromium (for looking at what was built).

Usage: python scripts/screenshots.py BASE_URL USERNAME PASSWORD OUTDIR PATH [PATH ...]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main():
    base, username, password, outdir, *paths = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 860}, locale="zh-CN")
        page.goto(f"{base}/login/")
        page.screenshot(path=str(out / "login.png"))
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in paths:
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
            page.screenshot(path=str(out / f"{username}-{name}.png"), full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
