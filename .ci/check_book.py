"""Check the built book in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

For every chapter page: it loads with no console error and no uncaught exception, makes no request outside
the local server, gets no failed or 4xx/5xx response, every Plotly figure has rendered (an SVG inside each
plotly div), and math has been typeset by the vendored MathJax. The landing page must show the figures table;
at least one page must hold a Plotly figure, and a page with ipywidgets state must render its widgets.
Every figure with two sliders (the λ/γ explorer of the theory chapter) is dragged with the mouse: each slider,
clicked at the start of its rail, must change the curves on show.

What a reader would see wrong, checked on every page (each check is tested on a page built to break it, in
tests/test_check_book.py):

* every Plotly figure: no trace is empty (no finite point); each rendered linear or log axis covers the data of the
  traces on show, and an autoranged axis does not run far past it (log axes: more than 1 + the data's extent in
  decades of slack; linear: more than the data's extent; constant data is fine);
* no cell output shows a path of the build machine (/tmp/, /root/, /home/, /Users/, site-packages, PosixPath(, or
  the directory the check runs from);
* every Plotly figure has a data link under it (``a.replication-figure-data``, written by
  :mod:`replication.viz.figure_data`): the check follows it and the CSV must carry the figure's title and exactly the
  numbers plotted, trace by trace (names, x, y, error bars);
* no table in a cell output runs past its cell's right edge (at the check's 1400 px);
* no code cell (input or text output) is wider than its box unless it scrolls with a visible scrollbar (the
  book's CSS wraps code lines; text outputs scroll).

Before a page is judged, the check waits for what renders it, each by its own completion signal rather than a fixed
delay (a loaded machine can take many seconds): MathJax's startup promise (its first typeset, and any typeset queued
after it), an ``svg.main-svg`` in every Plotly figure, and, on a page that saved widget state, the widget manager's
first rendered widget. A page that only redirects (Jupyter Book's root ``index.html``, a meta refresh) is judged
at the page it sends the reader to, once that page has loaded: judged on the redirect itself, the waits passed at
once on a page with no MathJax and the facts were read from the landing page mid-render (a CI failure, "30 math
elements but MathJax typeset none"). MathJax's wait also ends only once a page with math source holds a typeset
equation. Each wait has a generous timeout (``--timeout``, default 120 s, counted from the page's load, which has
its own, ``--load-timeout``); a wait that runs out is a failure that says what it waited for. A slider click waits
likewise for the curves to change.

The viewport is 1400 px wide; with ``--screenshots DIR`` each page is saved there as a full-page PNG (before any
slider is moved).

usage: python .ci/check_book.py _build/smoke/_build/html [--screenshots DIR] [--timeout S] [--load-timeout S]
"""

from __future__ import annotations

import argparse
import csv
import functools
import http.server
import math
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
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
VIEWPORT = {"width": 1400, "height": 1000}
MACHINE_PATHS = ["/tmp/", "/root/", "/home/", "/Users/", "site-packages", "PosixPath(", "WindowsPath("]
TIMEOUT_S = 120.0  # per page, for everything it renders: generous, since a loaded 2-core machine is slow, not broken

# What renders a page, each with a predicate that is truthy once it is done (or does not apply to the page). MathJax:
# its startup promise resolves after the first typeset; a typeset queued later (the widget labels) replaces the
# promise, so the predicate follows the current one until it has resolved.
RENDER_WAITS = [
    (
        "MathJax to finish typesetting (MathJax.startup.promise)",
        """() => {
            if (!document.querySelector('script[src*="mathjax" i]')) return 'no MathJax on this page';
            const mj = window.MathJax, p = mj && mj.startup && mj.startup.promise;
            if (!p || typeof p.then !== 'function') return false;
            const s = window.__bookCheckMathJax || (window.__bookCheckMathJax = {});
            if (s.promise !== p) {
                s.promise = p;
                s.state = null;
                p.then(() => { if (s.promise === p) s.state = 'typeset'; },
                       (e) => { if (s.promise === p) s.state = 'failed: ' + e; });
            }
            if (s.state !== 'typeset') return s.state;
            // resolved: done once the math on the page (if any) has been typeset
            return !document.querySelector('.math') || !!document.querySelector('mjx-container')
                ? s.state : false;
        }""",
    ),
    (
        "Plotly to draw every figure (an svg.main-svg in each .plotly-graph-div)",
        """() => [...document.querySelectorAll('.plotly-graph-div')].every(d => d.querySelector('svg.main-svg'))""",
    ),
    (
        "the widget manager to render the saved widgets",
        """() => !document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]')
            || document.querySelectorAll('.jupyter-widgets, .widget-slider, .widget-inline-hbox').length > 0""",
    ),
]


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


def launch(pw):
    """Debian's Chromium, headless, with scrollbars drawn as a reader sees them (Playwright hides them by default,
    and the overflow check measures them)."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, ignore_default_args=["--hide-scrollbars"])


# A page that only sends the reader elsewhere: Jupyter Book's root index.html is one line of this.
META_REFRESH = re.compile(r"""<meta\s+http-equiv=["']?refresh["']?\s+content=["']\s*\d+\s*;\s*url=([^"'>\s]+)""", re.I)


def redirect_target(origin: str, path: str) -> str | None:
    """The path (from the site's root) that ``path`` redirects to with a meta refresh, or None (also for a page the
    server does not give: the browser's visit then reports its status)."""
    try:
        with urllib.request.urlopen(f"{origin}/{path}", timeout=30) as response:
            found = META_REFRESH.search(response.read().decode("utf-8", "replace"))
    except urllib.error.HTTPError:
        return None
    return urllib.parse.urljoin(path, found.group(1)) if found else None


def wait_until_rendered(page, timeout_s: float, start: float) -> list[str]:
    """Wait for each of :data:`RENDER_WAITS` until ``timeout_s`` after ``start`` (a ``time.monotonic()``); one
    problem per wait that ran out or failed, naming what it waited for. A wait whose time ran out is judged by one
    more look at the page: after an earlier wait has used up the time, the next has only ~0.1 s, which a loaded
    machine can spend before the browser has evaluated the predicate once (a page without figures then "timed out"
    waiting for them)."""
    problems = []
    for what, predicate in RENDER_WAITS:
        left = start + timeout_s - time.monotonic()
        try:
            state = page.wait_for_function(predicate, timeout=max(left, 0.1) * 1000, polling=100).json_value()
        except PlaywrightTimeout:
            state = page.evaluate(predicate)
            if not state:
                waited = time.monotonic() - start
                problems.append(f"waited for {what}: not done {waited:.0f} s after the page loaded")
                continue
        if isinstance(state, str) and state.startswith("failed"):
            problems.append(f"{what}: {state}")
    return problems


# What a page shows, each fact as a JavaScript expression and its value on a page that showed nothing (one that did not
# load): ``PAGE_FACTS`` is the script built from it, ``NOTHING_SHOWN`` the values (with the facts the check adds).
_FACTS = {
    "plotly": ("document.querySelectorAll('.plotly-graph-div').length", 0),
    "plotlyRendered": (
        "[...document.querySelectorAll('.plotly-graph-div')].filter(d => d.querySelector('svg.main-svg')).length",
        0,
    ),
    "mathSource": ("document.querySelectorAll('.math').length", 0),
    "mathTypeset": ("document.querySelectorAll('mjx-container').length", 0),
    "widgetState": ("!!document.querySelector('script[type=\"application/vnd.jupyter.widget-state+json\"]')", False),
    "widgets": ("document.querySelectorAll('.jupyter-widgets, .widget-slider, .widget-inline-hbox').length", 0),
    "figuresTable": ("document.querySelectorAll('table.replication-figures tbody tr').length", 0),
    "title": ("document.title", ""),
}
PAGE_FACTS = "() => ({\n" + "".join(f"    {k}: {js},\n" for k, (js, _) in _FACTS.items()) + "})"
NOTHING_SHOWN = {k: empty for k, (_, empty) in _FACTS.items()} | {"dataLinks": 0, "slidersMoved": 0}


def check_page(
    browser,
    origin: str,
    path: str,
    shots: Path | None,
    timeout_s: float = TIMEOUT_S,
    load_timeout_s: float = TIMEOUT_S,
) -> tuple[list[str], dict]:
    """Open ``path`` and list what a reader would find wrong there, with the facts counted on the page. The page
    (or the page a redirect lands on) has ``load_timeout_s`` to load; then its figures, equations and widgets have
    ``timeout_s`` to render. The two are apart so that a short render wait (the tests' pages that never render) is
    not spent by a slow load on a busy machine (CI failed so once: a 3-s wait ran out in ``goto``)."""
    page = browser.new_page(viewport=VIEWPORT)
    problems, external, console = [], [], []
    page.on("request", lambda r: None if r.url.startswith((origin, *LOCAL_SCHEMES)) else external.append(r.url))
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    target = redirect_target(origin, path)
    loading = time.monotonic()
    try:
        if target is None:
            page.goto(f"{origin}/{path}", wait_until="load", timeout=load_timeout_s * 1000)
        else:  # judge the page the reader lands on, once it (not the redirect) has loaded: one budget for both
            page.goto(f"{origin}/{path}", wait_until="commit", timeout=load_timeout_s * 1000)
            left_ms = max(1.0, (load_timeout_s - (time.monotonic() - loading)) * 1000)
            page.wait_for_url(f"{origin}/{target}", wait_until="load", timeout=left_ms)
    except PlaywrightTimeout:
        where = path if target is None else f"{path}, redirecting to {target},"
        problems.append(f"{where} did not load within {load_timeout_s:g} s (at {page.url})")
        page.close()  # what the page had done by then is evidence too (a script from outside the machine, an error)
        problems += [f"console error: {c}" for c in console] + [f"request outside the machine: {u}" for u in external]
        return problems, NOTHING_SHOWN | {"redirect": target}
    start = time.monotonic()
    problems += wait_until_rendered(page, timeout_s, start)
    facts = page.evaluate(PAGE_FACTS)
    facts["redirect"] = target
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
    problems += figure_problems(page.evaluate(FIGURE_FACTS))
    data = page.evaluate(FIGURE_DATA)
    problems += data_link_problems(data["figures"], data["links"])
    facts["dataLinks"] = len(data["links"])
    problems += output_path_problems(page.evaluate(OUTPUT_TEXTS), machine_paths())
    problems += [f"code cell wider than its box, no scrollbar: {c!r}" for c in page.evaluate(OVERFLOWING_CODE)]
    problems += [f"table wider than its cell: {t!r}" for t in page.evaluate(OVERFLOWING_TABLES)]
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / (path.replace("/", "_").replace(".html", "") + ".png")), full_page=True)
    facts["slidersMoved"] = 0
    problems += move_sliders(page, facts, timeout_s)
    page.close()
    return problems, facts


# Per Plotly figure: the traces with no finite point, and for each linear/log axis the extent of the data on show
# (log axes in log10, as plotly keeps their range) beside the rendered range.
# JavaScript shared by the page queries: a trace's array as plain numbers (plotly keeps numpy arrays as base64
# "bdata"), and a figure's title as a reader sees it ("Fig. 2a: subtitle", markup dropped).
JS_HELPERS = r"""
    const T = {f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray,
               i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array};
    const arr = (v) => {
        if (v === null || v === undefined) return null;
        if (Array.isArray(v)) return v.flat(Infinity);
        if (ArrayBuffer.isView(v)) return Array.from(v);
        if (typeof v === 'object' && typeof v.bdata === 'string' && T[v.dtype]) {
            const b = Uint8Array.from(atob(v.bdata), c => c.charCodeAt(0));
            return Array.from(new T[v.dtype](b.buffer));
        }
        return null;
    };
    const figTitle = (gd) => {  // from the figure's own layout (plotly fills an untitled one with a placeholder)
        const t = (gd.layout || {}).title;
        const sub = t && typeof t === 'object' && t.subtitle && t.subtitle.text;
        const plain = (x) => (x || '').replace(/<br\s*\/?>/g, ' ').replace(/<[^>]+>/g, '');
        return [plain(typeof t === 'string' ? t : t && t.text), plain(sub)].filter(Boolean).join(': ');
    };
"""

FIGURE_FACTS = (
    """() => {"""
    + JS_HELPERS
    + """
    const ok = (v) => v !== null && v !== undefined && v !== '' && !(typeof v === 'number' && !isFinite(v));
    return [...document.querySelectorAll('.plotly-graph-div')].map((gd, index) => {
        const fl = gd._fullLayout || {};
        const title = figTitle(gd);
        const empty = [];
        (gd.data || []).forEach((t, i) => {
            if (t.source) return;  // an image given as a data URI
            const x = arr(t.x), y = arr(t.y), z = arr(t.z);
            let n;
            if (z) n = z.filter(ok).length;
            else if (x && y) n = y.filter((v, j) => ok(v) && ok(x[j])).length;
            else n = (y || x || []).filter(ok).length;
            if (!n) empty.push(t.name || `trace ${i}`);
        });
        const axes = [];
        Object.keys(fl).filter(k => /^[xy]axis\\d*$/.test(k)).forEach(k => {
            const ax = fl[k];
            if (!ax || !['linear', 'log'].includes(ax.type) || !Array.isArray(ax.range)) return;
            const letter = k[0];
            let lo = Infinity, hi = -Infinity;
            (gd._fullData || []).forEach(t => {
                if (t.visible !== true || t.opacity === 0) return;
                if (!['scatter', 'scattergl', 'bar'].includes(t.type)) return;
                if ((t[letter + 'axis'] || letter) !== ax._id) return;
                let v = arr(t[letter]);
                if (!v) return;
                if (t.type === 'bar' && letter === (t.orientation === 'h' ? 'x' : 'y')) v = v.concat([0]);
                for (let a of v) {
                    if (typeof a !== 'number' || !isFinite(a)) continue;
                    if (ax.type === 'log') { if (a <= 0) continue; a = Math.log10(a); }
                    if (a < lo) lo = a;
                    if (a > hi) hi = a;
                }
            });
            if (lo > hi) return;
            const r = ax.range.map(Number);
            axes.push({name: k, type: ax.type, autorange: ax.autorange !== false, lo, hi,
                       rlo: Math.min(...r), rhi: Math.max(...r)});
        });
        return {index, title, empty, axes};
    });
}"""
)

# Per Plotly figure, its title and every trace's plotted arrays; per data link (a.replication-figure-data, the CSV
# under each figure's caption), the text the browser gets by following it.
FIGURE_DATA = (
    """async () => {"""
    + JS_HELPERS
    + """
    const figures = [...document.querySelectorAll('.plotly-graph-div')].map(gd => ({
        title: figTitle(gd),
        traces: (gd.data || []).map(t => ({
            name: t.name || '', image: t.type === 'image' || !!t.source,
            x: arr(t.x), y: arr(t.y), err: t.error_y ? arr(t.error_y.array) : null,
        })),
    }));
    const links = [];
    for (const a of document.querySelectorAll('a.replication-figure-data')) {
        let text = null, error = null;
        try { text = await (await fetch(a.href)).text(); } catch (e) { error = String(e); }
        links.push({name: a.getAttribute('download') || '', text, error});
    }
    return {figures, links};
}"""
)

OUTPUT_TEXTS = "() => [...document.querySelectorAll('div.cell_output')].map(o => o.innerText)"

# Code inputs and text outputs wider than their box, unless they scroll with a scrollbar that takes space; also
# any whose right edge runs past its cell's.
# Tables in cell outputs whose right edge runs past their cell's at this width: a column a reader cannot see
# without finding a sideways scroll (the landing page's table once hid its last column this way). Named by their
# first header cell.
OVERFLOWING_TABLES = """() => [...document.querySelectorAll('div.cell_output table')].filter(t => {
    const cell = t.closest('div.cell') || t.parentElement;
    return t.getBoundingClientRect().right > cell.getBoundingClientRect().right + 1;
}).map(t => ((t.querySelector('th, td') || {}).innerText || 'a table').slice(0, 40))"""

OVERFLOWING_CODE = """() => [...document.querySelectorAll('div.cell_input pre, div.cell_output pre')].filter(p => {
    const st = getComputedStyle(p);
    const cell = p.closest('div.cell') || p.parentElement;
    const pastCell = p.getBoundingClientRect().right > cell.getBoundingClientRect().right + 1;
    if (p.scrollWidth <= p.clientWidth + 1) return pastCell;
    const bar = p.offsetHeight - p.clientHeight - parseFloat(st.borderTopWidth) - parseFloat(st.borderBottomWidth);
    return pastCell || !['auto', 'scroll'].includes(st.overflowX) || bar < 1;
}).map(p => {
    const lines = p.innerText.split('\\n');
    return lines.reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 80);
})"""


def figure_problems(figures: list[dict]) -> list[str]:
    """What is wrong with the rendered Plotly figures described by :data:`FIGURE_FACTS`."""
    problems = []
    for fig in figures:
        where = f"figure {fig['index']} ({fig['title'][:60] or 'untitled'})"
        problems += [f"{where}: trace {name!r} is empty" for name in fig["empty"]]
        for ax in fig["axes"]:
            problems += [f"{where}: {ax['name']} {p}" for p in axis_problems(ax)]
    return problems


def _same_value(cell: str, plotted) -> bool:
    """A CSV cell against the plotted value: both missing (empty cell; null or non-finite point), equal text, or
    equal numbers (to 1e-9 relative; the CSV holds each number's shortest exact form)."""
    missing = plotted is None or (isinstance(plotted, float) and not math.isfinite(plotted))
    if cell == "" or missing:
        return cell == "" and missing
    if isinstance(plotted, (int, float)) and not isinstance(plotted, bool):
        try:
            value = float(cell)
        except ValueError:
            return False
        return math.isclose(value, plotted, rel_tol=1e-9)
    return cell == str(plotted)


def data_link_problems(figures: list[dict], links: list[dict]) -> list[str]:
    """Every figure has a data link (in page order), and the CSV the link gives holds the figure's title and exactly
    the numbers plotted: per trace its name and every x, y (and error bar), nothing more (see :data:`FIGURE_DATA`)."""
    if len(links) != len(figures):
        return [f"{len(figures)} Plotly figures but {len(links)} data links (each figure needs one under it)"]
    problems = []
    for index, (fig, link) in enumerate(zip(figures, links)):
        where = f"figure {index} ({fig['title'][:60] or 'untitled'}): data link {link['name']!r}"
        if link["text"] is None:
            problems.append(f"{where} could not be followed: {link['error']}")
            continue
        lines = link["text"].splitlines()
        header = [ln[2:] for ln in lines if ln.startswith("# ")]
        if not header or header[0] != (fig["title"] or "untitled"):
            problems.append(f"{where} is titled {header[0] if header else None!r}, the figure {fig['title']!r}")
        rows = list(csv.DictReader(ln for ln in lines if not ln.startswith("#")))
        found = figure_rows_problems(fig["traces"], rows)
        problems += [f"{where}: {p}" for p in found[:3]] + ([f"{where}: … {len(found) - 3} more"] if found[3:] else [])
    return problems


def figure_rows_problems(traces: list[dict], rows: list[dict]) -> list[str]:
    """The CSV's rows against one figure's traces (``trace``, ``name``, ``x``, ``y``, optional ``error_y``)."""
    by_trace: dict[int, list[dict]] = {}
    for row in rows:
        by_trace.setdefault(int(row["trace"]), []).append(row)
    problems = [f"rows for trace {i}, which the figure does not have" for i in by_trace if not 0 <= i < len(traces)]
    for i, trace in enumerate(traces):
        mine = by_trace.get(i, [])
        if trace["image"]:
            problems += [f"trace {i} is an image but has {len(mine)} rows"] if mine else []
            continue
        n = max(len(trace["x"] or ()), len(trace["y"] or ()))
        if len(mine) != n:
            problems.append(f"trace {i} ({trace['name']!r}) plots {n} points, the CSV has {len(mine)}")
            continue
        if mine and mine[0]["name"] != trace["name"]:
            problems.append(f"trace {i} is named {trace['name']!r} in the figure, {mine[0]['name']!r} in the CSV")
        for column, values in (("x", trace["x"]), ("y", trace["y"]), ("error_y", trace["err"])):
            for j, row in enumerate(mine):
                plotted = values[j] if values is not None and j < len(values) else None
                if not _same_value(row.get(column, ""), plotted):
                    problems.append(f"trace {i} point {j}: {column} is {row.get(column)!r}, plotted {plotted!r}")
                    break
    return problems


def axis_problems(ax: dict) -> list[str]:
    """An axis range must cover its data; an autoranged one must not run far past it (see the module docstring)."""
    lo, hi, rlo, rhi = ax["lo"], ax["hi"], ax["rlo"], ax["rhi"]
    log = ax["type"] == "log"
    unit = " decades" if log else ""
    span = hi - lo
    tol = max(0.01 * span, 1e-9 * max(1.0, abs(lo), abs(hi)))
    shown = f"range [{rlo:.3g}, {rhi:.3g}] against data [{lo:.3g}, {hi:.3g}]" + (" (log10)" if log else "")
    if rlo > lo + tol or rhi < hi - tol:
        return [f"does not cover its data: {shown}"]
    if not ax["autorange"] or span <= 1e-9 * max(1.0, abs(lo), abs(hi)):
        return []
    excess, limit = (lo - rlo) + (rhi - hi), (1.0 + span if log else span)
    if not math.isfinite(excess) or excess > limit:
        return [f"runs {excess:.3g}{unit} past its data (at most {limit:.3g}): {shown}"]
    return []


def machine_paths() -> list[str]:
    """The strings no output may contain: the usual build-machine paths and the directory the check runs from."""
    here = os.getcwd()
    return MACHINE_PATHS + ([here] if here.count("/") >= 2 else [])


def output_path_problems(outputs: list[str], needles: list[str]) -> list[str]:
    problems = []
    for i, text in enumerate(outputs):
        for needle in needles:
            if needle in text:
                line = next(ln for ln in text.splitlines() if needle in ln)
                problems.append(f"output {i} shows a path of the build machine ({needle!r}): {line.strip()[:100]!r}")
                break
    return problems


SHOWN_CURVES = """(i) => {
    const gd = document.querySelectorAll('.plotly-graph-div')[i];
    return JSON.stringify(gd._fullData.filter(t => t.visible === true && t.opacity > 0)
        .map(t => Array.from(t.y).slice(0, 200)));
}"""


CURVES_CHANGED = f"""([i, before]) => {{
    const now = ({SHOWN_CURVES})(i);
    return now !== before && now !== '[]';
}}"""


def move_sliders(page, facts, timeout_s: float = TIMEOUT_S) -> list[str]:
    """Click each slider of every two-slider Plotly figure at the start of its rail; the curves must change (waited
    for up to ``timeout_s``: Plotly redraws asynchronously, slowly on a loaded machine)."""
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
            try:
                page.wait_for_function(CURVES_CHANGED, arg=[i, before], timeout=timeout_s * 1000, polling=100)
                facts["slidersMoved"] += 1
            except PlaywrightTimeout:
                problems.append(f"figure {i}: moving slider {s} did not change the curves within {timeout_s:g} s")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--screenshots", type=Path, default=None, help="save a full-page PNG of each page here")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT_S, help=f"seconds per page to finish rendering (default {TIMEOUT_S:g})"
    )
    parser.add_argument(
        "--load-timeout", type=float, default=TIMEOUT_S, help=f"seconds per page to load (default {TIMEOUT_S:g})"
    )
    args = parser.parse_args()
    root = args.html_dir
    pages = sorted(p.relative_to(root).as_posix() for p in (root / "book").glob("*.html"))
    if not pages:
        print(f"no chapter pages under {root}/book: was the book built?")
        return 1
    server, origin = serve(root)
    failures, passed = [], 0
    totals = {"plotly": 0, "widgets": 0, "table": 0, "math": 0, "sliders": 0, "data": 0}
    with sync_playwright() as pw:
        browser = launch(pw)
        for path in ["index.html", *pages]:
            problems, facts = check_page(browser, origin, path, args.screenshots, args.timeout, args.load_timeout)
            totals["plotly"] += facts["plotlyRendered"]
            totals["widgets"] += facts["widgets"]
            totals["table"] += facts["figuresTable"]
            totals["math"] += facts["mathTypeset"]
            totals["sliders"] += facts["slidersMoved"]
            totals["data"] += facts["dataLinks"]
            status = "ok" if not problems else "FAIL"
            label = f"{path} → {facts['redirect']}" if facts["redirect"] else path
            print(
                f"{status:4} {label}: {facts['plotlyRendered']}/{facts['plotly']} Plotly figures, "
                f"{facts['mathTypeset']} equations, {facts['widgets']} widget elements, "
                f"{facts['figuresTable']} table rows, {facts['slidersMoved']} sliders moved, "
                f"{facts['dataLinks']} data links followed"
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
        ("a figure's data link", "data"),
    ]:
        if not totals[key]:
            failures.append(f"no page showed {what}")
            print(f"FAIL book: no page showed {what}")
    print(f"browser check: {passed} passed, {len(pages) + 1 - passed} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
