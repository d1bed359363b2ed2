"""An HTML table whose columns share the page's width, for the book's generated tables (the landing page's, the
departures from the authors' code): the same markup in the static book and in a live notebook."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["fixed_table"]


def fixed_table(
    css_class: str, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[str]], *, phone_min_rem: float
) -> str:
    """A table of class ``css_class`` with ``columns`` as (header HTML, width in %) and ``rows`` of cell HTML.

    The columns share the page's width (a fixed layout: the automatic one ran past the right edge); a word wraps
    inside only when it alone is wider than its column; below 700 px the table keeps ``phone_min_rem`` and scrolls
    sideways in its output box rather than breaking every word into letters. The book's theme sets
    ``.bd-content div.output table`` to the automatic layout, so the rule names that path too, to outrank it.
    """
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"every row of {css_class} must have {len(columns)} cells.")
    table = f"table.{css_class},.bd-content div.output table.{css_class}"
    cells = f"table.{css_class} td,table.{css_class} th"
    phone = f"@media (max-width:700px){{{table}{{min-width:{phone_min_rem:g}rem}}}}"
    wrap = f"{cells}{{overflow-wrap:break-word;hyphens:auto}}"
    style = f"<style>{table}{{table-layout:fixed;width:100%}}{phone}{wrap}</style>"
    widths = "".join(f'<col style="width:{w:g}%">' for _, w in columns)
    head = "<tr>" + "".join(f"<th>{h}</th>" for h, _ in columns) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'{style}<table class="table {css_class}"><colgroup>{widths}</colgroup><thead>{head}</thead>'
        f"<tbody>{body}</tbody></table>"
    )
