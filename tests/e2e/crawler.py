"""A crawler for "what a new user meets": from the side menu of a signed-in user, open every page
the menu reaches and, from each, a few object pages one click deeper; report any 5xx, any console
error, any chart container left empty and any visible text that looks like an internal code.

Generic over the menu: a module another engineer adds to the menu is crawled without change here.
Used by tests/e2e/test_crawl_browser.py and, by hand, against a running demo server:

    python -m tests.e2e.crawler http://127.0.0.1:8000 kjj_demo PASSWORD
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

# ---- What counts as an internal code in visible text ------------------------------------------

SNAKE = re.compile(r"(?<![A-Za-z0-9_./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
DOTTED = re.compile(r"(?<![A-Za-z0-9_./@-])[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+(?![A-Za-z0-9_(/@-])")
NONE = re.compile(r"(?<![A-Za-z])None(?![A-Za-z])")
# four or more English words in a row ("Enter a valid date", "This field is required")
ENGLISH = re.compile(r"(?<![A-Za-z/.])[A-Za-z][a-z]+(?:[’'][a-z]+)?(?:[ ,'’-]+[A-Za-z][a-z]+(?:[’'][a-z]+)?){3,}")
# a lone lowercase word or code (jieba, multilingual-e5, fixed): English on a Chinese page
LOWER = re.compile(r"(?<![A-Za-z0-9_.@/-])[a-z][a-z0-9]{2,}(?:-[a-z0-9]+)*(?![A-Za-z0-9_@])")
# words and codes that are real terms in these pages, not leaks
ALLOWED = {
    "USCC", "TOTP", "Excel", "Word", "PDF", "ID", "GB/T", "ECharts", "API",
    "xlsx", "docx", "csv", "json", "http", "https", "www",
}
ALLOWED_PATTERNS = [
    re.compile(r"\b[\w.-]+\.(?:xlsx|docx|csv|json|png)\b"),  # file names offered for download
    re.compile(r"https?://\S+"),
    re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),  # e-mail addresses
    re.compile(r"\b[a-z0-9_]+_(?:demo|gly)\b"),  # account names such as kjj_demo, xitong_gly
    re.compile(r"\b(?:Ⅰ|Ⅱ)类"),
    re.compile(r"\bkechuang [a-z]+ [a-z]+(?: +--?[a-z-]+(?: +\S+)?)*"),  # a command line offered to re-run a check
    re.compile(r"\b(?:(?:cmd|req|job)-[0-9a-f]{8,}|[0-9a-f]{16})\b"),  # request numbers in the change log (for support)
]


def raw_identifiers(text: str) -> list[str]:
    """Fragments of ``text`` that look like internal codes (snake_case, dotted ids, None,
    English sentences), after removing allowed terms."""
    for pat in ALLOWED_PATTERNS:
        text = pat.sub(" ", text)
    found = []
    for pat in (SNAKE, DOTTED, NONE, ENGLISH, LOWER):
        for m in pat.finditer(text):
            frag = m.group(0).strip()
            if frag in ALLOWED or any(frag in f for f in found):
                continue
            found.append(frag)
    return found


# ---- The crawl --------------------------------------------------------------------------------

# Links never followed: they act (sign out) or download, or are the same page filtered.
SKIP = re.compile(r"/(logout|login|otp|password)/|/admin/.*/(delete|history)/|\.(xlsx|docx|csv|json|zip|pdf)(\?|$)|/export|/download|/template")
CHECK_CHARTS = """() => Array.from(document.querySelectorAll('.chart')).filter(el => el.offsetParent !== null)
  .filter(el => !el.querySelector('canvas, svg') && !el.innerText.trim()).map(el => el.id || el.className)"""


@dataclass
class Report:
    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, url: str, what: str) -> None:
        self.problems.append(f"{urlsplit(url).path}{'?' + urlsplit(url).query if urlsplit(url).query else ''}：{what}")


def _same_origin_links(page, base: str, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "els => els.map(a => a.getAttribute('href'))")
    out = []
    for h in hrefs:
        if not h or h.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(page.url, h)
        if urlsplit(url).netloc != urlsplit(base).netloc or SKIP.search(urlsplit(url).path + "?" + urlsplit(url).query):
            continue
        out.append(url.split("#")[0])
    return list(dict.fromkeys(out))


def _shape(url: str) -> str:
    """A URL's shape: /enterprises/12/ and /enterprises/13/ are the same kind of page."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(url).path)


def visit(page, url: str, report: Report) -> bool:
    """Open ``url`` and check it; False when it could not be opened."""
    errors: list[str] = []
    bad: list[str] = []

    def on_console(msg):
        if msg.type == "error":
            errors.append(msg.text[:200])

    def on_response(resp):
        if resp.status >= 500:
            bad.append(f"{resp.status} {urlsplit(resp.url).path}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)[:200]))
    page.on("response", on_response)
    try:
        resp = page.goto(url, wait_until="load")
        page.wait_for_timeout(150)  # let chart scripts draw
    except Exception as exc:  # noqa: BLE001 - any navigation failure is a finding
        report.add(url, f"无法打开（{str(exc).splitlines()[0][:120]}）")
        return False
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("response", on_response)
    report.pages.append(url)
    if resp is not None and resp.status >= 500:
        report.add(url, f"服务器错误 {resp.status}")
        return False
    for b in bad:
        report.add(url, f"服务器错误 {b}")
    for e in errors:
        report.add(url, f"控制台错误：{e}")
    if "html" not in (resp.headers.get("content-type", "") if resp else "html"):
        return True
    for chart in page.evaluate(CHECK_CHARTS):
        report.add(url, f"图表容器为空：{chart}")
    text = page.inner_text("body")
    for frag in dict.fromkeys(raw_identifiers(text)):
        report.add(url, f"页面显示内部代码：{frag!r}")
    return True


def crawl(page, base: str, *, deeper_per_page: int = 2, max_pages: int = 120) -> Report:
    """Crawl everything the signed-in user's menu reaches, and object pages one click deeper
    (at most ``deeper_per_page`` new kinds of page per menu page)."""
    report = Report()
    page.goto(base + "/")
    menu = [base + "/"] + _same_origin_links(page, base, "nav.sidenav a")
    seen_shapes: set[str] = set()
    seen: set[str] = set()
    for url in menu:
        if url in seen or len(report.pages) >= max_pages:
            continue
        seen.add(url)
        seen_shapes.add(_shape(url))
        if not visit(page, url, report):
            continue
        deeper = 0
        for link in _same_origin_links(page, base, "main a"):
            if deeper >= deeper_per_page or len(report.pages) >= max_pages:
                break
            shape = _shape(link)
            if link in seen or shape in seen_shapes or link in menu:
                continue
            seen.add(link)
            seen_shapes.add(shape)
            deeper += 1
            visit(page, link, report)
    return report


if __name__ == "__main__":  # manual run against a server
    import sys

    from playwright.sync_api import sync_playwright

    base, username, password = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        pg = b.new_page(locale="zh-CN")
        pg.goto(base + "/login/")
        pg.fill("#id_username", username)
        pg.fill("#id_password", password)
        pg.click("button[type=submit]")
        pg.wait_for_load_state()
        if "/otp" in pg.url:
            import os

            import pyotp

            pg.fill("input[name=code]", pyotp.TOTP(os.environ["TOTP_SECRET"]).now())
            pg.click("main button[type=submit]")
            pg.wait_for_load_state()
        rep = crawl(pg, base, deeper_per_page=int(sys.argv[4]) if len(sys.argv) > 4 else 2)
        print(f"{len(rep.pages)} 页")
        for p in rep.problems:
            print(p)
