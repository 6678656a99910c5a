"""HTML for the Briefing tab: the briefing with each [n] a link to its source card (opened and highlighted
inside its article, as in the chat), and the files to download. Everything from an article or a reader is
escaped."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from html import escape
from pathlib import Path

from server.briefing.dates import describe_date
from server.briefing.models import Briefing, ReportedValue
from ui.render import source_card

BRIEFING_CSS = """
.briefing-brief h3 { margin: 1em 0 .3em; }
.briefing-brief .briefing-framing { opacity: .8; font-style: italic; }
.briefing-brief ul { margin: .2em 0 .6em 1.2em; }
.briefing-brief .briefing-asof { font-size: .85em; opacity: .75; }
.briefing-brief .briefing-scope { font-size: .92em; opacity: .9; }
.briefing-uncovered { border-left: 4px solid #b45309; background: #fffbeb; color: #78350f; padding: .5em .75em;
  border-radius: 4px; }
.dark .briefing-uncovered { background: #3a2a10; color: #fde68a; }
"""


def brief_anchor(run: int, n: int) -> str:
    return f"brief-{run}-{n}"


def _cites(numbers: list[int], run: int) -> str:
    return "".join(f' <a class="briefing-cite" href="#{brief_anchor(run, n)}">[{n}]</a>' for n in numbers)


def _as_of(outlet: str, as_of: str) -> str:
    who = escape(outlet) if outlet else "outlet not stated"
    return f'<span class="briefing-asof">({who}, as of {escape(as_of) if as_of else "no date"})</span>'


def _value(label: str, v: ReportedValue, run: int) -> str:
    return (
        f"<li><b>{escape(label)}</b> {_as_of(v.outlet, v.as_of)}: <b>{escape(v.value)}</b>. "
        f"“{escape(v.text)}”{_cites(v.citations, run)}</li>"
    )


def briefing_html(briefing: Briefing, run: int, article_text: Callable[[str], str | None]) -> str:
    """The briefing as the preview shows it; source cards carry ids that its [n] links open."""
    scope = briefing.scope
    parts = [f'<div class="briefing-brief" data-run="{run}"><h2>{escape(briefing.title)}</h2>']
    parts.append(
        f'<p class="briefing-scope">{scope.articles_used} articles quoted of {scope.articles_matching_filters} '
        f"matching the filters ({escape(scope.filters)}); made {escape(scope.generated_at)} UTC.</p>"
    )
    if not briefing.covered:
        said = " ".join(s.text for s in briefing.summary)
        parts.append(f'<div class="briefing-uncovered" role="status">{escape(said)}</div></div>')
        return "".join(parts)
    parts.append("".join(f'<p class="briefing-framing">{escape(s.text)}</p>' for s in briefing.summary))
    for section in briefing.sections:
        parts.append(f"<h3>{escape(section.heading)}</h3><ul>")
        for s in section.sentences:
            if s.kind == "framing":
                parts.append(f'</ul><p class="briefing-framing">{escape(s.text)}</p><ul>')
            else:
                as_of = f' <span class="briefing-asof">(as of {escape(s.as_of) or "no date"})</span>'
                parts.append(f"<li>{escape(s.text)}{_cites(s.citations, run)}{as_of}</li>")
        parts.append("</ul>")
    if briefing.timeline:
        parts.append("<h3>Timeline</h3><ul>")
        for e in briefing.timeline:
            when = describe_date(datetime.date.fromisoformat(e.date), e.precision)
            parts.append(
                f"<li><b>{escape(when)}</b> (“{escape(e.date_text)}”, as of {escape(e.as_of)}): "
                f"{escape(e.text)}{_cites(e.citations, run)}</li>"
            )
        parts.append("</ul>")
    if briefing.people:
        parts.append("<h3>People and organisations</h3>")
        for actor in briefing.people:
            parts.append(f"<p><b>{escape(actor.name)}</b> ({actor.kind})</p><ul>")
            parts += [
                f"<li>{_as_of(s.outlet, s.as_of)} {escape(s.text)}{_cites(s.citations, run)}</li>"
                for s in actor.statements
            ]
            parts.append("</ul>")
    if briefing.disagreements:
        parts.append("<h3>Disagreements</h3>")
        for d in briefing.disagreements:
            parts.append(f"<p>Sources of {escape(d.as_of)} differ on “{escape(d.about)}”:</p><ul>")
            parts += [_value("Reported", side, run) for side in d.sides]
            parts.append("</ul>")
    if briefing.changes:
        parts.append("<h3>Figures reported over time</h3>")
        for change in briefing.changes:
            parts.append(f"<p>“{escape(change.about)}”, newest report first:</p><ul>")
            parts.append(_value("Latest report", change.latest, run))
            parts += [_value("Earlier report", v, run) for v in change.earlier]
            parts.append("</ul>")
    if briefing.gaps:
        parts.append("<h3>What the sources do not say</h3><ul>")
        parts += [f"<li><b>{escape(g.question)}</b> {escape(g.reason)}</li>" for g in briefing.gaps]
        parts.append("</ul>")
    parts.append('<h3>Sources</h3><div class="briefing-sources">')
    parts += [source_card(c, brief_anchor(run, c.n), article_text) for c in briefing.citations]
    parts.append("</div></div>")
    return "".join(parts)


def safe_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)[:120]


def write_downloads(briefing: Briefing, folder: Path) -> dict[str, Path]:
    """The briefing as Markdown, Word and PDF files in `folder`, for the download buttons."""
    from server.briefing.exports import export_briefing

    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for fmt in ("markdown", "docx", "pdf"):
        exported = export_briefing(briefing, fmt)
        path = folder / safe_stem(exported.filename)
        path.write_bytes(exported.content)
        files[fmt] = path
    return files
