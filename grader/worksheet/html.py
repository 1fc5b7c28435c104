"""A worksheet as one self-contained HTML page: no script, no external style, no network."""

from __future__ import annotations

from html import escape

from grader.worksheet.content import Worksheet

_STYLE = """
body { font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.45; }
table { border-collapse: collapse; }
td, th { border: 1px solid #999; padding: 0.2em 0.8em; text-align: left; }
td.value { font-family: monospace; text-align: right; }
pre { background: #f4f4f4; padding: 0.8em; overflow-x: auto; }
@media print { pre { white-space: pre-wrap; } }
"""


def render(sheet: Worksheet) -> str:
    rows = "\n".join(
        f'<tr><td>{escape(symbol)}</td><td class="value">{escape(value)}</td></tr>'
        for symbol, value in sheet.numbers
    )
    network = "\n".join(f"<li>{escape(line)}</li>" for line in sheet.network)
    steps = "\n".join(
        f"<li>{escape(step)}{' <strong>(hand in)</strong>' if handed_in else ''}</li>"
        for step, handed_in in sheet.steps
    )
    title = escape(f"{sheet.exercise}: {sheet.title}")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} ({escape(sheet.student)})</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>{title}</h1>
<p>Worksheet of <strong>{escape(sheet.student)}</strong>. {escape(sheet.whose())}</p>
<h2>The network</h2>
<ul>
{network}
</ul>
<p>Notation: w_kj^l is the weight from unit j of layer l-1 to unit k of layer l, b_k^l the bias
of unit k of layer l, z_k^l its weighted input and h_k^l = act(z_k^l) its output.</p>
<h2>Your numbers</h2>
<table>
<tr><th>symbol</th><th>value</th></tr>
{rows}
</table>
<h2>What to compute</h2>
<p>Round every value you write down to {sheet.decimals} decimals, and use the rounded value in
the next step.</p>
<ol>
{steps}
</ol>
<h2>Your answers file</h2>
<p>Save this as <code>answers.toml</code>, replace every <code>"?"</code> by your number, and
check it with <code>{escape(sheet.command)}</code>.</p>
<pre>{escape(sheet.template)}</pre>
</body>
</html>
"""
