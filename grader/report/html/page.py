"""The document around a report: one self-contained HTML5 file, CSS inline, no script.

It opens from a file with no network: nothing is fetched (no font, no image, no framework).
Right and wrong read in black and white too: every mark is a symbol as well as a colour.
"""

from __future__ import annotations

from grader.report.html.markup import tag, text

PASS, FAIL, PARTIAL = "\u2713", "\u2717", "\u25d0"  # check mark, ballot x, half circle
MARKS = {"pass": PASS, "fail": FAIL, "partial": PARTIAL}

CSS = """
:root { --pass: #1a7f37; --fail: #c62828; --partial: #b26a00; --ink: #1f2328; --muted: #59636e;
  --line: #d0d7de; --paper: #ffffff; --wash: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  background: var(--paper); margin: 0 auto; padding: 1.2rem 1.5rem 3rem; max-width: 1240px; }
h1 { font-size: 1.5rem; margin: 0 0 .2rem; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .3rem; }
.muted, .note { color: var(--muted); } .note { font-size: .9rem; }
.score { font-size: 1.25rem; font-weight: 600; }
.pass { color: var(--pass); } .fail { color: var(--fail); } .partial { color: var(--partial); }
.mark { font-weight: 700; }
figure { margin: .5rem 0 1rem; } svg { max-width: 100%; height: auto; }
svg text { font-family: system-ui, sans-serif; fill: var(--ink); }
svg .edge { stroke: #8c959f; stroke-width: 1.3; }
svg .edge.pass { stroke: var(--pass); stroke-width: 2; }
svg .edge.fail { stroke: var(--fail); stroke-width: 2.6; stroke-dasharray: 7 4; }
svg .unit { fill: var(--wash); stroke: var(--ink); stroke-width: 1.5; }
svg .unit.pass { stroke: var(--pass); stroke-width: 3; }
svg .unit.fail { stroke: var(--fail); stroke-width: 3; stroke-dasharray: 6 3; }
svg .bias { fill: #fff8c5; stroke: #9a6700; }
svg .tag.pass { fill: var(--pass); } svg .tag.fail { fill: var(--fail); }
svg .block { fill: var(--wash); stroke: var(--ink); }
svg .cell { stroke: #ffffff; stroke-width: .5; }
svg .cell.pass { fill: #b7e1c1; } svg .cell.fail { fill: url(#wrong); }
svg .small { font-size: 11px; } svg .label { font-size: 13px; font-style: italic; }
svg .axis { stroke: var(--ink); } svg .grid { stroke: var(--line); }
svg .expected { stroke: var(--pass); stroke-width: 2.5; fill: none; }
svg .submitted { stroke: var(--fail); stroke-width: 2; fill: none; stroke-dasharray: 6 4; }
table { border-collapse: collapse; margin: .4rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .55rem; text-align: left;
  vertical-align: top; }
th { background: var(--wash); } td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.quantity { color: var(--ink); border: 1px solid var(--line); border-left-width: 6px;
  border-radius: 4px; padding: .7rem 1rem; margin: .8rem 0; }
section.quantity.pass { border-left-color: var(--pass); }
section.quantity.fail { border-left-color: var(--fail); }
section.quantity.partial { border-left-color: var(--partial); }
code, pre, .product { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace;
  font-size: .86rem; }
pre { background: var(--wash); padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
.product { display: block; background: var(--wash); padding: .3rem .5rem; margin: .2rem 0;
  overflow-wrap: anywhere; }
.cases span { display: inline-block; min-width: 2.4rem; margin: 0 .2rem .2rem 0;
  padding: 0 .3rem; border: 1px solid var(--line); border-radius: 3px; text-align: center; }
details { margin: .3rem 0; } summary { cursor: pointer; color: var(--muted); }
.row { display: flex; flex-wrap: wrap; gap: 0 2.5rem; align-items: flex-start; }
.bar { display: inline-block; height: .8rem; background: var(--ink); vertical-align: middle; }
@media print { body { max-width: none; } }
"""


def document(title: str, body: str) -> str:
    """A whole page: the doctype, a head with the CSS, then `body` (markup)."""
    head = (
        '<meta charset="utf-8" />'
        '<meta name="viewport" content="width=device-width, initial-scale=1" />'
        # No request leaves the page, whatever a submission managed to put into it.
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\" />"
        f"{tag('title', text(title))}<style>{CSS}</style>"
    )
    return f'<!DOCTYPE html>\n<html lang="en"><head>{head}</head><body>{body}</body></html>\n'


def mark(status: str) -> str:
    """The symbol and word of a status, coloured: reads the same in black and white."""
    word = {"pass": "right", "fail": "wrong", "partial": "partly right"}.get(status, status)
    return tag("span", f"{MARKS.get(status, '?')} {text(word)}", class_=f"mark {status}")
