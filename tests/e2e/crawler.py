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
# a time stamp as the machine writes it (2026-12-04T14:51:00Z, …+00:00, "UTC"): people read local time
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\b|\bUTC\b")
# an amount with decimals that mean nothing (60.0000 万元, 1.2500): at most the decimals that matter
PRECISION = re.compile(r"(?<![\d.])\d+\.\d+00(?![\d.])")
# an amount in a decimal's exponent form (Decimal("200").normalize() is 2E+2)
EXPONENT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?E[+-]\d+\b")
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
    re.compile(r"\bkechuang [a-z]+(?: [a-z]+)*(?: +--?[a-z-]+(?: +[^\s（）]+)?)*"),  # a command line (to re-run a check)
    re.compile(r"\b(?:(?:cmd|req|job)-[0-9a-f]{8,}|[0-9a-f]{16})\b"),  # request numbers in the change log (for support)
    # a sentence quoted from a record in 「」 (the search's 语义最接近的句子 from a paper's abstract:
    # "0.1 mol/L" there is the author's unit, not ours)
    re.compile(r"「[^」\n]*」"),
]


def raw_identifiers(text: str) -> list[str]:
    """Fragments of ``text`` that look like internal codes (snake_case, dotted ids, None,
    English sentences), after removing allowed terms."""
    for pat in ALLOWED_PATTERNS:
        text = pat.sub(" ", text)
    found = []
    for pat in (ISO_TIME, PRECISION, EXPONENT, SNAKE, DOTTED, NONE, ENGLISH, LOWER):
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
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('.chart')).filter(el => el.offsetParent !== null)
  .every(el => el.querySelector('canvas, svg') || el.innerText.trim())"""
# a status badge broken over lines (one character per line in a narrow column)
CHECK_BADGES = """() => Array.from(document.querySelectorAll('.badge')).filter(el => el.offsetParent !== null)
  .filter(el => getComputedStyle(el).display !== 'block')  /* a notice (p.badge) wraps like text */
  .filter(el => { const lh = parseFloat(getComputedStyle(el).lineHeight) || 20;
                  return el.getBoundingClientRect().height > lh * 1.6; })
  .map(el => el.innerText.trim().slice(0, 20))"""
# on a phone the page itself must not scroll sideways (a wide table may scroll inside its own box)
CHECK_OVERFLOW = """() => { const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w + 2) return [];
  const clipped = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true; } return false; };
  const frame = el => ['MAIN', 'BODY', 'HTML'].includes(el.tagName) || el.classList.contains('layout');
  const wide = Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > w + 2 && el.getBoundingClientRect().width > 0 && !frame(el) && !clipped(el));
  return wide.filter(el => !wide.some(p => p !== el && p.contains(el))).slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
         + '（' + Math.round(el.getBoundingClientRect().right) + 'px）'); }"""


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

    def on_error(exc):
        errors.append(str(exc)[:200])

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("response", on_response)
    try:
        resp = page.goto(url, wait_until="load")
        if page.locator(".chart").count():  # let chart scripts draw (no wait on pages without charts)
            try:
                page.wait_for_function(CHARTS_DRAWN, timeout=3000)
            except Exception:  # noqa: BLE001 - an undrawn chart is reported below
                pass
    except Exception as exc:  # noqa: BLE001 - any navigation failure is a finding
        report.add(url, f"无法打开（{str(exc).splitlines()[0][:120]}）")
        return False
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
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
    check_shown(page, url, report)
    return True


def check_shown(page, url: str, report: Report) -> None:
    """What the open page shows: charts drawn, badges on one line, no sideways scroll on a
    phone, no internal code in the visible text."""
    for chart in page.evaluate(CHECK_CHARTS):
        report.add(url, f"图表容器为空：{chart}")
    for badge in page.evaluate(CHECK_BADGES):
        report.add(url, f"状态标签折行：{badge!r}")
    if (page.viewport_size or {}).get("width", 1366) < 600:
        for wide in page.evaluate(CHECK_OVERFLOW):
            report.add(url, f"手机宽度下页面横向溢出：{wide}")
    text = page.inner_text("body")
    # <code> marks what is machine text on purpose (a digest, a seed, a command to re-run)
    for machine in page.eval_on_selector_all("code, kbd, samp", "els => els.map(e => e.innerText)"):
        text = text.replace(machine, " ") if machine.strip() else text
    for frag in dict.fromkeys(raw_identifiers(text)):
        report.add(url, f"页面显示内部代码：{frag!r}")


def submit(page, url: str, fill: dict[str, str], report: Report, button: str = "main form button[type=submit]") -> None:
    """Open ``url``, fill the form fields named in ``fill`` (a select takes the option's label
    or value; ``"*"`` picks the first non-empty option), submit, and check the result page as
    :func:`visit` does: the results of the calculator, the self-check or a search are pages too."""
    errors: list[str] = []
    bad: list[str] = []

    def on_console(msg):
        if msg.type == "error":
            errors.append(msg.text[:200])

    def on_error(exc):
        errors.append(str(exc)[:200])

    def on_response(resp):
        if resp.status >= 500:
            bad.append(f"{resp.status} {urlsplit(resp.url).path}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("response", on_response)
    try:
        page.goto(url, wait_until="load")
        for name, value in fill.items():
            field = page.locator(f"main [name={name}]").first
            tag = field.evaluate("el => el.tagName.toLowerCase() + ':' + (el.type || '')")
            if tag.startswith("select"):
                if value == "*":
                    value = field.evaluate("el => Array.from(el.options).map(o => o.value).find(v => v) || ''")
                try:
                    field.select_option(label=value, timeout=1000)
                except Exception:  # noqa: BLE001 - a value rather than a label
                    field.select_option(value, timeout=1000)
            elif tag.endswith(":checkbox"):
                field.set_checked(value not in ("", "0", "false"))
            else:
                field.fill(value)
        page.locator(button).first.click()
        page.wait_for_load_state("load")
        if page.locator(".chart").count():
            try:
                page.wait_for_function(CHARTS_DRAWN, timeout=3000)
            except Exception:  # noqa: BLE001 - reported below
                pass
    except Exception as exc:  # noqa: BLE001 - any failure to fill or submit is a finding
        report.add(url, f"表单无法提交（{str(exc).splitlines()[0][:120]}）")
        return
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
        page.remove_listener("response", on_response)
    label = f"{url}（提交 {'、'.join(fill)}）"
    report.pages.append(label)
    for b in bad:
        report.add(url, f"提交后服务器错误 {b}")
    for e in errors:
        report.add(url, f"提交后控制台错误：{e}")
    check_shown(page, url + "#提交后", report)


def crawl(page, base: str, *, deeper: bool = True, max_deeper: int = 150, start: list[str] | None = None) -> Report:
    """Crawl every page the signed-in user's menu reaches (all of them, no cap) and, when
    ``deeper``, every kind of page one click deeper from them: each new URL shape
    (/enterprises/N/, /policies/cases/N/ …) once, at most ``max_deeper`` in all.
    ``start`` replaces the menu (the public pages for a visitor who has not signed in)."""
    report = Report()
    if start is None:
        page.goto(base + "/")
        start = [base + "/"] + _same_origin_links(page, base, "nav.sidenav a")
    seen_shapes = {_shape(u) for u in start}
    seen: set[str] = set()
    deeper_opened = 0
    for url in start:
        if url in seen:
            continue
        seen.add(url)
        if not visit(page, url, report) or not deeper:
            continue
        for link in _same_origin_links(page, base, "main a"):
            shape = _shape(link)
            if link in seen or shape in seen_shapes or deeper_opened >= max_deeper:
                continue
            seen.add(link)
            seen_shapes.add(shape)
            deeper_opened += 1
            visit(page, link, report)
    return report


# Forms whose answer is a page people read (they save nothing): filled as a user would, for the
# roles whose menu offers them. path → {field: value}; None opens the path as it is.
FORMS: list[tuple[str, dict[str, str] | None]] = [
    ("/policies/calculator/", {"year": "2026", "hnte_recognized_on": "2026-03-01", "revenue_last_year": "5000",
                               "revenue_before": "3000", "rd_last_year": "300", "hnte_last_year": "1",
                               "little_giant_first_on": "2026-05-10"}),
    ("/diagnosis/self-check/", {"on": "2015-06-30", "name": "测试企业"}),
    ("/diagnosis/self-check/", {"name": "测试企业", "established_on": "2024-03-01", "employees": "30", "tech_staff": "6",
                                "rd_staff": "5", "y0_operating_revenue": "1200", "y0_rd_expense": "80",
                                "y0_sales_revenue": "1150", "niche_market_years": "3"}),
    ("/techmarket/", {"q": "卫浴水龙头铜合金铸件无铅化工艺"}),
    ("/policies/finder/", {"measure": "*"}),
    ("/diagnosis/enterprise/N/?on=1990-01-01", None),  # N: the enterprise the crawl reached
    ("/diagnosis/pipeline/?run=abc", None),
]


def tour_forms(page, base: str, report: Report, reachable: list[str], done: set | None = None) -> None:
    """Fill and submit the :data:`FORMS` whose page the user's crawl reached (each once when
    ``done`` is shared between users)."""
    reached = {_shape(u): urlsplit(u).path for u in reachable}
    done = set() if done is None else done
    for i, (path, fill) in enumerate(FORMS):
        parts = urlsplit(path)
        if parts.path not in reached or i in done:
            continue
        done.add(i)
        path = reached[parts.path] + ("?" + parts.query if parts.query else "")
        if fill is None:
            visit(page, base + path, report)
        else:
            submit(page, base + path, fill, report)


def public_pages(base: str) -> list[str]:
    """The sign-in page and the public pages without a path argument (contract section 8:
    /public/<what>/, no sign-in): what a visitor, a villager or an enterprise meets first."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix):
        for p in patterns:
            route = str(p.pattern).lstrip("^").rstrip("$")
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and "<" not in route and "/public/" in "/" + prefix + route \
                    and "api/" not in prefix and not SKIP.search("/" + prefix + route):
                found.append(base + "/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return [base + "/login/"] + sorted(set(found))


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
        rep = crawl(pg, base)
        print(f"{len(rep.pages)} 页")
        for p in rep.problems:
            print(p)
