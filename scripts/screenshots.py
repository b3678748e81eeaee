"""Save screenshots of the main pages at 1280 and 375 CSS pixels wide into docs/screenshots/.

Starts the development server on a throw-away copy of the demo content, photographs each page
with Debian's Chromium, and stops the server again.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PORT = int(os.environ.get("SCREENSHOT_PORT", "8766"))
PAGES = {
    "home-sv": "/sv/",
    "raise-sv": (
        "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/"
        "stark-sociala-foretags-konkurrenskraft/"
    ),
    "raise-en": (
        "/en/culture-and-civil-society/ongoing-initiatives/projects/"
        "strengthen-social-enterprises-competitiveness/"
    ),
    "calendar-sv": "/sv/kalender/",
    "search-sv": "/sv/sok/?q=sociala",
    "accessibility-sv": "/sv/tillganglighetsredogorelse/",
    "not-found-en": "/en/does-not-exist/",
}
WIDTHS = [1280, 375]


def main():
    work = Path(tempfile.mkdtemp(prefix="raise-shots-"))
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{work}/db.sqlite3"}
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "loaddata", "demo", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/sv/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                args=[
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                ],
            )
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name, url in PAGES.items():
                    page.goto(f"http://127.0.0.1:{PORT}{url}")
                    path = OUT / f"{name}-{width}.jpg"
                    page.screenshot(path=path, full_page=True, type="jpeg", quality=70)
                    print(path.relative_to(ROOT))
                page.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
