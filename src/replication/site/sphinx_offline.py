"""Offline Plotly for the book: figures rendered as HTML, plotly.js served once per page from the plotly package.

Two pieces, both needed because Plotly 7 emits only the ``application/vnd.plotly.v1+json`` mime type, which
MyST-NB does not know:

* :class:`PlotlyMimeRenderer`, a MyST-NB mime-render plugin (entry point ``myst_nb.mime_renderers``), turns that
  JSON into a ``<div class="plotly-graph-div">`` plus a ``Plotly.newPlot`` call, without embedding plotly.js.
* The Sphinx extension (``setup``) copies ``plotly.min.js`` from the installed plotly package into
  ``_static/plotly/`` and adds it, before require.js, only to pages whose body has a Plotly div.

On pages with saved ipywidgets it also makes the vendored widget manager work offline (see
:func:`_widget_support`), and it removes sphinx-thebe's scripts from every page: thebe runs code on Binder,
loaded from unpkg, which an offline book cannot reach (and Jupyter Book 1 emits its inline script twice, a
console error).

It also adds the book's stylesheet (:data:`BOOK_CSS`, written to ``_static/replication.css``): code cells wrap long
lines instead of cutting them at the right edge of their box, text outputs scroll sideways, and Plotly figures fit
the page at any width.

And every page's footer names the book's version and the commit it was built from (:func:`build_stamp`), so a
reader can cite and return to the book they read.

Nothing is fetched from a CDN.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from importlib import resources
from pathlib import Path

PLOTLY_STATIC = "plotly/plotly.min.js"
# Sphinx orders scripts by priority; require.js (ipywidgets) uses the default 500. plotly.js must run before it,
# or its UMD wrapper registers an AMD module instead of setting window.Plotly.
PLOTLY_PRIORITY = 200
PLOTLY_MARKER = "plotly-graph-div"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
BOOK_CSS_STATIC = "replication.css"
BOOK_CSS = """/* replication.site.sphinx_offline: the book's own rules */
/* Code cells: long lines wrap inside their box (the check in .ci/check_book.py fails on a cut-off line) */
div.cell_input div.highlight pre {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}
/* Text outputs wrap too (the book prints sentences, and tables well under the column's ~95 characters); anything
   that still cannot wrap scrolls sideways, with a scrollbar that is always drawn (Chromium and Safari draw a
   styled one even where they would overlay and hide the system's) */
div.cell_output pre {
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  overflow-x: auto;
}
div.cell_output pre::-webkit-scrollbar {
  height: 8px;
}
div.cell_output pre::-webkit-scrollbar-thumb {
  background: #9aa0a6;
  border-radius: 4px;
}
/* Plotly figures: never wider than the page; the white card is dimmed a little in the dark theme */
div.cell_output .plotly-graph-div {
  max-width: 100%;
}
html[data-theme="dark"] div.cell_output .plotly-graph-div {
  filter: brightness(0.92);
  border-radius: 4px;
}
/* Dark theme: the theme puts a light grey card behind every HTML output; ours (captions, the landing table, the
   run-yourself box) are written in the theme's own colours, so they go without it */
html[data-theme="dark"] .bd-content div.cell_output .text_html {
  background: transparent !important;
  color: inherit !important;
  padding: 0 !important;
}
/* Inline math wider than the column scrolls instead of being cut off (the theme hides the overflow) */
.bd-content span.math {
  overflow-x: auto;
  overflow-y: hidden;
}
/* Phones: smaller code and output text, so fewer lines wrap (outputs are mostly sentences: they keep wrapping) */
@media (max-width: 600px) {
  div.cell_input div.highlight pre,
  div.cell_output pre {
    font-size: 0.78em;
  }
}
"""
HTML_BUILDERS = ("html", "dirhtml", "singlehtml", "readthedocs", "readthedocsdirhtml")


class PlotlyMimeRenderer:
    """MyST-NB plugin: render Plotly's JSON mime type as an HTML figure (ranked above ``text/html``)."""

    mime_priority_overrides = [(builder, PLOTLY_MIME, 25) for builder in HTML_BUILDERS]

    @staticmethod
    def handle_mime(renderer, data, inline):
        if inline or data.mime_type != PLOTLY_MIME:
            return None
        import plotly.io as pio
        from docutils import nodes

        from replication.viz.plotting import PLOTLY_CONFIG

        html = pio.to_html(data.content, include_plotlyjs=False, full_html=False, config=PLOTLY_CONFIG, validate=False)
        return [nodes.raw("", html, format="html", classes=["output", "text_html"])]


def plotly_js_path() -> Path:
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: the installed plotly package has no bundled plotly.min.js.")
    return path


WIDGETS_SCRIPT = "jupyter-widgets/embed-amd.js"
# Runs before require.js loads (a global `require` object is require.js's documented pre-load config). The widget
# bundle computes its webpack public path (where its fonts live) from its AMD module URI, which without this
# mapping resolves next to the page instead of to _static/jupyter-widgets/.
REQUIRE_CONFIG = 'var require = {{paths: {{"@jupyter-widgets/html-manager/dist": "{path}"}}}};'
# html-manager 1.0.x typesets widget labels with the MathJax 2 API (MathJax.Hub.Queue); the book loads MathJax 3.
MATHJAX2_SHIM = """document.addEventListener("DOMContentLoaded", function () {
  var mj = window.MathJax;
  if (!mj || mj.Hub) { return; }
  mj.Hub = {Queue: function (job) {
    var el = job[job.length - 1];
    var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
    return ready.then(function () { return mj.typesetPromise ? mj.typesetPromise([el]) : null; });
  }};
});"""


def _is_thebe(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    body = getattr(script, "attributes", {}).get("body", "")
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _widget_support(app, context) -> None:
    scripts = context.get("script_files", [])
    if not any((getattr(s, "filename", None) or "").endswith(WIDGETS_SCRIPT) for s in scripts):
        return
    path = context["pathto"]("_static/jupyter-widgets", 1)
    app.add_js_file(None, body=REQUIRE_CONFIG.format(path=path), priority=PLOTLY_PRIORITY + 100)
    app.add_js_file(None, body=MATHJAX2_SHIM, priority=PLOTLY_PRIORITY + 100)


def _page_scripts(app, pagename, templatename, context, doctree):
    if "script_files" in context:
        context["script_files"][:] = [s for s in context["script_files"] if not _is_thebe(s)]
    if "css_files" in context:
        context["css_files"][:] = [c for c in context["css_files"] if "sphinx-thebe" not in str(c)]
    if PLOTLY_MARKER in context.get("body", ""):
        app.add_js_file(PLOTLY_STATIC, priority=PLOTLY_PRIORITY)
    _widget_support(app, context)


def _copy_plotly(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    dest = Path(app.outdir) / "_static" / PLOTLY_STATIC
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plotly_js_path(), dest)
    (Path(app.outdir) / "_static" / BOOK_CSS_STATIC).write_text(BOOK_CSS, encoding="utf-8")


def build_stamp(project: Path | None = None) -> str:
    """ "l2-dynamics 0.2.0, commit 1a2b3c4" (with "+ uncommitted changes" when the work tree differs from it), or
    "…, commit unknown" outside a git checkout."""
    from replication import __version__

    where = project or Path(__file__).resolve().parents[3]

    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "--short=12", "HEAD")
    if commit is None:
        return f"l2-dynamics {__version__}, commit unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return f"l2-dynamics {__version__}, commit {commit}" + (" + uncommitted changes" if dirty else "")


def _footer(app, config) -> None:
    options = dict(config.html_theme_options or {})
    stamp = html.escape(build_stamp())
    options["extra_footer"] = f'<p class="replication-build">Built from {stamp}.</p>'
    config.html_theme_options = options


def setup(app):
    plotly_js_path()  # fail at start-up, not after the whole build, if plotly.js is missing
    app.connect("config-inited", _footer)
    # MathJax on every page: chapter titles with math appear in every page's navigation, also on pages whose body
    # has no math (where Sphinx would otherwise leave MathJax out and the title would show raw TeX)
    app.set_html_assets_policy("always")
    app.add_css_file(BOOK_CSS_STATIC, priority=900)  # after the theme's, so these rules win
    app.connect("html-page-context", _page_scripts, priority=900)  # after MyST-NB adds its widget scripts
    app.connect("build-finished", _copy_plotly)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
