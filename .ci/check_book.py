"""Check the built book in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

For every chapter page: it loads with no console error and no uncaught exception, makes no request outside
the local server, gets no failed or 4xx/5xx response, every Plotly figure has rendered (an SVG inside each
plotly div), and math has been typeset by the vendored MathJax. The landing page must show the figures table;
at least one page must hold a Plotly figure, and a page with ipywidgets state must render its widgets.
Every figure with two sliders (the λ/γ explorer of the theory chapter) is dragged with the mouse: each slider,
clicked at the start of its rail, must change the curves on show.

usage: python .ci/check_book.py _build/smoke/_build/html [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_SCHEMES = ("data:", "blob:", "about:")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # the browser closes a connection when it navigates away mid-transfer: not a failure of the book
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def check_page(browser, origin: str, path: str, shots: Path | None) -> tuple[list[str], dict]:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems, external, console = [], [], []
    page.on("request", lambda r: None if r.url.startswith((origin, *LOCAL_SCHEMES)) else external.append(r.url))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(f"{origin}/{path}", wait_until="networkidle")
    page.wait_for_timeout(1500)  # MathJax and widget managers typeset after load
    facts = page.evaluate("""() => ({
        plotly: document.querySelectorAll('.plotly-graph-div').length,
        plotlyRendered: [...document.querySelectorAll('.plotly-graph-div')]
            .filter(d => d.querySelector('svg.main-svg')).length,
        mathSource: document.querySelectorAll('.math, span.math, div.math').length,
        mathTypeset: document.querySelectorAll('mjx-container').length,
        widgetState: !!document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]'),
        widgets: document.querySelectorAll('.jupyter-widgets, .widget-slider, .widget-inline-hbox').length,
        figuresTable: document.querySelectorAll('table.replication-figures tbody tr').length,
        title: document.title,
    })""")
    problems += [f"console error: {c}" for c in console]
    problems += [f"request outside the machine: {u}" for u in external]
    if facts["plotly"] != facts["plotlyRendered"]:
        problems.append(
            f"{facts['plotly'] - facts['plotlyRendered']} of {facts['plotly']} Plotly figures did not render"
        )
    if facts["mathSource"] and not facts["mathTypeset"]:
        problems.append(f"{facts['mathSource']} math elements but MathJax typeset none")
    if facts["widgetState"] and not facts["widgets"]:
        problems.append("widget state saved but no widget rendered")
    facts["slidersMoved"] = 0
    problems += move_sliders(page, facts)
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / (path.replace("/", "_").replace(".html", "") + ".png")), full_page=True)
    page.close()
    return problems, facts


SHOWN_CURVES = """(i) => {
    const gd = document.querySelectorAll('.plotly-graph-div')[i];
    return JSON.stringify(gd._fullData.filter(t => t.visible === true && t.opacity > 0)
        .map(t => Array.from(t.y).slice(0, 200)));
}"""


def move_sliders(page, facts) -> list[str]:
    """Click each slider of every two-slider Plotly figure at the start of its rail; the curves must change."""
    problems = []
    divs = page.query_selector_all(".plotly-graph-div")
    for i, div in enumerate(divs):
        rails = div.query_selector_all("g.slider-group rect.slider-rail-touch-rect")
        if len(rails) < 2:
            continue
        for s, rail in enumerate(rails):
            before = page.evaluate(SHOWN_CURVES, i)
            rail.scroll_into_view_if_needed()
            box = rail.bounding_box()
            page.mouse.click(box["x"] + 4, box["y"] + box["height"] / 2)
            page.wait_for_timeout(300)
            after = page.evaluate(SHOWN_CURVES, i)
            if after == before or after == "[]":
                problems.append(f"figure {i}: moving slider {s} did not change the curves")
            else:
                facts["slidersMoved"] += 1
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--screenshots", type=Path, default=None)
    args = parser.parse_args()
    root = args.html_dir
    pages = sorted(p.relative_to(root).as_posix() for p in (root / "book").glob("*.html"))
    if not pages:
        print(f"no chapter pages under {root}/book: was the book built?")
        return 1
    server, origin = serve(root)
    failures, passed, totals = [], 0, {"plotly": 0, "widgets": 0, "table": 0, "math": 0, "sliders": 0}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for path in ["index.html", *pages]:
            problems, facts = check_page(browser, origin, path, args.screenshots)
            totals["plotly"] += facts["plotlyRendered"]
            totals["widgets"] += facts["widgets"]
            totals["table"] += facts["figuresTable"]
            totals["math"] += facts["mathTypeset"]
            totals["sliders"] += facts["slidersMoved"]
            status = "ok" if not problems else "FAIL"
            print(
                f"{status:4} {path}: {facts['plotlyRendered']}/{facts['plotly']} Plotly figures, "
                f"{facts['mathTypeset']} equations, {facts['widgets']} widget elements, "
                f"{facts['figuresTable']} table rows, {facts['slidersMoved']} sliders moved"
            )
            for p in problems:
                print(f"     - {p}")
            failures += [f"{path}: {p}" for p in problems]
            passed += not problems
        browser.close()
    server.shutdown()
    for what, key in [
        ("a Plotly figure", "plotly"),
        ("the landing page's figures table", "table"),
        ("typeset math", "math"),
        ("a rendered ipywidget", "widgets"),
        ("a two-slider figure that changed when dragged", "sliders"),
    ]:
        if not totals[key]:
            failures.append(f"no page showed {what}")
            print(f"FAIL book: no page showed {what}")
    print(f"browser check: {passed} passed, {len(pages) + 1 - passed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
