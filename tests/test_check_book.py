"""The browser check (.ci/check_book.py) fails on pages built to break each of its reader-facing checks, and passes
on a good page: tiny HTML pages with plotly.js from the installed plotly package, served on 127.0.0.1 and opened
in Debian's headless Chromium. Also the pure judgements (axis ranges, machine paths) on hand-made facts."""

import html
import importlib.util
import json
import math
import shutil
import subprocess
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from conftest import REPO

from replication.analysis.sweeps import RunSummary
from replication.core.provenance import Provenance
from replication.site.sphinx_offline import BOOK_CSS, MATHJAX2_SHIM, REQUIRE_CONFIG, plotly_js_path
from replication.viz import figure_data, plotting, sweeps, theory

spec = importlib.util.spec_from_file_location("check_book", REPO / ".ci" / "check_book.py")
check_book = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_book)

CELL = '<div class="cell"><div class="cell_input"><div class="highlight"><pre>{code}</pre></div></div>{out}</div>'


def cell(code: str = "x = 1", out: str = "") -> str:
    return CELL.format(code=html.escape(code), out=f'<div class="cell_output">{out}</div>' if out else "")


PROV = Provenance("smoke", "CPU (2 cores, x86_64)", 1.0)


def figure_html(fig: go.Figure, data_fig: go.Figure | None = None) -> str:
    """As the book renders a figure: its styled JSON through plotly's to_html, without plotly.js, then the caption
    with its data link (made from ``data_fig`` in place of ``fig`` when given: a link that does not match)."""
    bundle = plotting.figure_bundle(fig)["application/vnd.plotly.v1+json"]
    caption = plotting.caption_html("A figure.", PROV, figure_data.data_link_html(data_fig or fig, PROV))
    return pio.to_html(bundle, include_plotlyjs=False, full_html=False, validate=False) + caption


def text_output(text: str) -> str:
    return f'<div class="output text_plain"><pre>{html.escape(text)}</pre></div>'


def log_bug_figure() -> go.Figure:
    """Fig. 5a/b as it was: a vline with an annotation on a log axis (autorange then runs to ~1e109)."""
    fig = go.Figure(go.Scatter(x=[0.1, 1.0, 10.0, 2000.0], y=[0.0, 0.5, 1.0, 0.2], name="f"))
    fig.add_vline(x=100.0, annotation_text="t = 1/λ")
    return fig.update_layout(xaxis_type="log", title_text="Fig. 5a/b: the bug")


def page(body: str) -> str:
    return (
        '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        '<script src="/_static/plotly.min.js"></script>'
        f'<style>{BOOK_CSS}</style></head><body><main style="width: 700px">{body}</main></body></html>'
    )


def later(js: str, ms: int) -> str:
    return f"<script>setTimeout(function () {{ {js} }}, {ms});</script>"


def rendered_late_page(delay_ms: int, mathjax_src: str = "/_static/mathjax/tex-chtml.js") -> str:
    """A page whose math, Plotly figure and widget all render ``delay_ms`` after load, as on a loaded machine (the
    check once waited a fixed 1.5 s, and failed such pages at random): MathJax's startup held back by its own
    ``startup.ready`` hook, the figure drawn and the widget manager loaded by timers. Scripts as the book has them."""
    import ipywidgets
    from ipywidgets.embed import embed_data

    widgets = embed_data(views=[ipywidgets.IntSlider(value=3, description="k")])
    add_widget_manager = (
        "var s = document.createElement('script'); s.src = '/_static/jupyter-widgets/embed-amd.js';"
        "s.setAttribute('data-jupyter-widgets-cdn', '/_static/jupyter-widgets/');"
        "s.setAttribute('data-jupyter-widgets-cdn-only', 'true'); document.body.appendChild(s);"
    )
    hold_mathjax = f"setTimeout(function () {{ MathJax.startup.defaultReady(); }}, {delay_ms});"
    return (
        '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        '<script src="/_static/plotly.min.js"></script>'
        f"<script>{REQUIRE_CONFIG.format(path='/_static/jupyter-widgets')}</script><script>{MATHJAX2_SHIM}</script>"
        f"<script>window.MathJax = {{startup: {{ready: function () {{ {hold_mathjax} }}}}}};</script>"
        f'<script defer src="{mathjax_src}"></script>'
        f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(widgets["manager_state"])}</script>'
        '<script src="/_static/require.js"></script>'
        f'<style>{BOOK_CSS}</style></head><body><main style="width: 700px">'
        '<p><span class="math">\\(t_* \\approx c/(\\eta\\lambda)\\)</span></p><div class="cell_output">'
        f'<script type="application/vnd.jupyter.widget-view+json">{json.dumps(widgets["view_specs"][0])}</script></div>'
        '<div id="late" class="plotly-graph-div" style="height: 300px; width: 500px"></div>'
        + later("Plotly.newPlot('late', [{x: [1, 2, 3], y: [2, 1, 3]}]);", delay_ms)
        + figure_data.data_link_html(go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3])), PROV)
        + later(add_widget_manager, delay_ms)
        + "</main></body></html>"
    )


def redirect_page(url: str) -> str:
    """Jupyter Book's root index.html, with an icon as the other pages have (the fixture's root has no favicon.ico,
    whose 404 Chromium reports as a console error; the book's root has one)."""
    return f'<link rel="icon" href="data:,"><meta http-equiv="Refresh" content="0; url={url}" />'


TWO_LINES = go.Figure([go.Scatter(x=[1, 2], y=[3, 4], name="a"), go.Scatter(x=[1, 2], y=[3, 4], name="b")])
LONG = "result = some_function(" + ", ".join(f"argument_{i}=value_{i}" for i in range(12)) + ")"
PAGES = {
    "good": page(
        cell("fig = theory.mode_figure(0.01, [1.0, 0.001])", figure_html(theory.mode_figure(0.01, [1.0, 0.001])))
        + cell(
            "rows",
            figure_html(
                sweeps.peak_accuracy_figure(
                    [
                        RunSummary(lr, lam, lr * lam, 10.0, 5.0, 0.9 - lam, False, None, math.nan)
                        for lr in (0.05, 0.2)
                        for lam in (0.0, 1e-3, 1e-2, 1e-1)
                    ],
                    title="Fig. 2b: max test accuracy against λ",
                )
            ),
        )
        + cell(LONG, text_output("a long line that wraps " * 20 + "\nresults/smoke/headlines/fc_mnist.json"))
        # an output that does not wrap but scrolls, with a scrollbar drawn: fine
        + cell("table", '<pre style="white-space: pre; overflow-wrap: normal">' + "| column " * 60 + "</pre>")
    ),
    "log_axis_annotation": page(cell("fig.add_vline(...)", figure_html(log_bug_figure()))),
    "empty_trace": page(cell("fig", figure_html(go.Figure([go.Scatter(x=[1, 2], y=[3, 4]), go.Scatter(x=[], y=[])])))),
    "no_data_link": page(
        cell(
            "fig",
            pio.to_html(
                plotting.figure_bundle(TWO_LINES)["application/vnd.plotly.v1+json"],
                include_plotlyjs=False,
                full_html=False,
            ),
        )
    ),  # fmt: skip
    "wrong_data": page(cell("fig", figure_html(TWO_LINES, go.Figure(TWO_LINES).update_traces(y=[3, 4.5], selector=1)))),
    "wide_table": page(
        cell(
            "table",
            '<div class="output text_html" style="overflow-x: auto"><table style="table-layout: auto">'
            "<tr><th>Figure</th>" + "<td>wide_column_without_spaces_</td>" * 12 + "</tr></table></div>",
        )
    ),  # fmt: skip
    "machine_path": page(cell("record_headline(...)", text_output("PosixPath('/tmp/book/results/headlines.json')"))),
    "code_overflow": page(
        "<style>div.cell_input pre { white-space: pre !important; overflow: hidden; }</style>" + cell(LONG + LONG)
    ),
    "rendered_late": rendered_late_page(3000),
    # Jupyter Book's root index.html, sending the reader to a page that renders late
    "redirect": redirect_page("rendered_late.html"),
    "redirect_nowhere": redirect_page("book/missing.html"),
    # a MathJax that never starts (the file defines nothing): the wait must run out and say what it waited for
    "mathjax_never_starts": rendered_late_page(0, mathjax_src="/_static/mathjax-that-does-nothing.js"),
}
EXPECTED = {
    "log_axis_annotation": "xaxis runs",
    "empty_trace": "trace 'trace 1' is empty",
    "machine_path": "path of the build machine ('/tmp/')",
    "wide_table": "table wider than its cell: 'Figure'",
    "no_data_link": "1 Plotly figures but 0 data links",
    "wrong_data": "trace 1 point 1: y is '4.5', plotted 4",
    "code_overflow": "code cell wider than its box",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not Path(check_book.CHROMIUM).exists():
        pytest.skip(f"{check_book.CHROMIUM} is absent (apt-get install chromium): the browser check cannot run")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "book" / "_vendor", root / "_static")  # MathJax, require.js, the widget manager
    shutil.copyfile(plotly_js_path(), root / "_static" / "plotly.min.js")
    (root / "_static" / "mathjax-that-does-nothing.js").write_text("// not MathJax\n")
    for name, text in PAGES.items():
        (root / f"{name}.html").write_text(text, encoding="utf-8")
    server, origin = check_book.serve(root)
    with sync_playwright() as pw:
        browser = check_book.launch(pw)
        yield browser, origin, root
        browser.close()
    server.shutdown()


def test_check_passes_a_good_page_and_saves_its_screenshot(site):
    browser, origin, root = site
    problems, facts = check_book.check_page(browser, origin, "good.html", root / "shots")
    assert problems == []
    assert facts["plotlyRendered"] == 2
    assert (root / "shots" / "good.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_fails_a_page_built_to_break_it(site, name):
    browser, origin, _ = site
    problems, _ = check_book.check_page(browser, origin, f"{name}.html", None)
    assert any(EXPECTED[name] in p for p in problems), problems
    assert len(problems) == 1, problems  # and nothing else on that page is flagged


def test_check_waits_for_what_renders_late(site):
    browser, origin, _ = site
    problems, facts = check_book.check_page(browser, origin, "rendered_late.html", None)
    assert problems == []
    assert facts["mathTypeset"] == 1 and facts["plotlyRendered"] == 1 and facts["widgets"] >= 1


def test_check_judges_a_redirect_at_the_page_it_lands_on(site):
    """CI once failed the root index.html with "30 math elements but MathJax typeset none": the waits had passed
    on the redirect (no MathJax there) and the facts were read from the landing page mid-render."""
    browser, origin, _ = site
    problems, facts = check_book.check_page(browser, origin, "redirect.html", None)
    assert problems == [] and facts["redirect"] == "rendered_late.html"
    assert facts["mathTypeset"] == 1 and facts["plotlyRendered"] == 1 and facts["widgets"] >= 1
    problems, _ = check_book.check_page(browser, origin, "redirect_nowhere.html", None, timeout_s=3)
    assert any("book/missing.html" in p for p in problems), problems


def test_check_says_what_it_waited_for_when_a_wait_runs_out(site):
    browser, origin, _ = site
    problems, _ = check_book.check_page(browser, origin, "mathjax_never_starts.html", None, timeout_s=3)
    assert problems[0].startswith("waited for MathJax to finish typesetting (MathJax.startup.promise): not done")
    assert problems[1:] == ["1 math elements but MathJax typeset none"]


def test_a_short_render_wait_is_not_spent_by_the_load_and_a_page_that_never_loads_is_a_problem(site):
    """CI failed once with a traceback from ``goto``: the 3-s wait of the test above was also the load's, and a busy
    machine took longer to load the page. The load has its own time; a load that runs out is reported, not raised."""
    browser, origin, _ = site
    problems, facts = check_book.check_page(browser, origin, "good.html", None, load_timeout_s=0.001)
    assert any(p.startswith("good.html did not load within 0.001 s (at ") for p in problems), problems
    # beside it only the requests the closed page aborted (the document's, and any script it had started to fetch)
    assert all("good.html" in p or p.startswith("request failed: ") for p in problems), problems
    assert facts["plotlyRendered"] == facts["mathTypeset"] == facts["slidersMoved"] == 0


class _SlowPage:
    """A page on a loaded machine: every wait runs out before the browser has looked once; a direct look at the page
    sees it as it is (rendered but for MathJax, which never starts)."""

    def __init__(self):
        self.looked = []

    def wait_for_function(self, predicate, timeout, polling):
        raise check_book.PlaywrightTimeout("no evaluation within the timeout")

    def evaluate(self, predicate):
        self.looked.append(predicate)
        return predicate != check_book.RENDER_WAITS[0][1]  # MathJax not done; nothing else to wait for


def test_a_wait_left_without_time_looks_at_the_page_once_before_it_reports():
    """Session 24's flake: the MathJax wait used up the time and the figure and widget waits, left with 0.1 s, timed
    out on a page that has neither; only the wait whose predicate is false when looked at is a problem."""
    page = _SlowPage()
    problems = check_book.wait_until_rendered(page, timeout_s=3, start=0.0)
    assert len(problems) == 1 and problems[0].startswith("waited for MathJax to finish typesetting"), problems
    assert page.looked == [predicate for _, predicate in check_book.RENDER_WAITS]


def test_check_passes_with_both_cores_busy(site):
    """Two busy loops (one per core of the CI machine) while the late page and the good page are checked."""
    browser, origin, _ = site
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(2)]
    try:
        for name in ("rendered_late.html", "good.html"):
            problems, _ = check_book.check_page(browser, origin, name, None)
            assert problems == [], (name, problems)
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_axis_judgement():
    ok = dict(type="log", autorange=True, lo=-1.0, hi=3.0, rlo=-1.2, rhi=3.2)
    assert check_book.axis_problems(ok) == []
    assert "runs" in check_book.axis_problems({**ok, "rhi": 109.0})[0]  # the Fig. 5a/b bug, in decades
    assert "does not cover" in check_book.axis_problems({**ok, "rhi": 2.0})[0]
    assert check_book.axis_problems({**ok, "rhi": 6.0, "autorange": False}) == []  # a range the author fixed
    const = dict(type="linear", autorange=True, lo=0.5, hi=0.5, rlo=-0.5, rhi=1.5)
    assert check_book.axis_problems(const) == []
    assert "runs" in check_book.axis_problems(dict(const, lo=0.85, hi=0.9, rlo=0.0, rhi=1.0))[0]


def test_path_judgement():
    needles = check_book.MACHINE_PATHS + ["/work/wt"]
    out = ["peak 0.91 at epoch 3", "saved to /work/wt/results/x.json", "a\nsite-packages/jax/x.py line 3"]
    found = check_book.output_path_problems(out, needles)
    assert [p.split(":")[0] for p in found] == [
        "output 1 shows a path of the build machine ('/work/wt')",
        "output 2 shows a path of the build machine ('site-packages')",
    ]
