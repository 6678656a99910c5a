"""HTML for the chat: answers with linked [n] markers, the sources panel, highlighted passages.

Every piece of text that comes from a document or a user is escaped here; nothing from an article can
become markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from server.answer.models import Answer, Citation

CONTEXT_CHARS = 600


def _title_outlet_date(title: str, outlet: str, published: str) -> str:
    outlet = escape(outlet) if outlet else "<i>outlet not stated</i>"
    # Each claim is as of its source's date: a figure from 2021 and one from 2025 must not read as equals.
    date = f"as of {escape(published)}" if published else "<i>date not stated</i>"
    return f"<b>{escape(title or 'Untitled')}</b> · {outlet} · {date}"


def _source_line(c: Citation) -> str:
    line = _title_outlet_date(c.title, c.outlet, c.published)
    if c.also_carried_by:
        line += (
            f' · <span class="briefing-copies">also carried by {escape(", ".join(c.also_carried_by))}</span>'
        )
    return line


def anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def answer_message(answer: Answer, turn: int) -> str:
    """The assistant's chat message: escaped text, each [n] a link to its entry in the sources panel."""
    if answer.refused:
        # an unsure refusal must not read as "the articles are silent": the reader could not rule them out
        head = "Not sure from the sources." if answer.unsure else "Not in the sources."
        return f'<div class="briefing-refusal" role="status"><b>{head}</b> {escape(answer.answer)}</div>'

    def linked(plain: str) -> str:
        return re.sub(
            r"\[(\d+)\]",
            lambda m: f'<a class="briefing-cite" href="#{anchor(turn, int(m.group(1)))}">[{m.group(1)}]</a>',
            escape(plain),
        )

    # The direct answer (a name, date, figure or quotation) in bold above the text that supports it.
    lead = next((s.text for s in answer.sentences if s.kind == "direct"), None)
    if lead and lead in answer.answer:
        before, _, after = answer.answer.partition(lead)
        text = (
            (f"{linked(before.strip())} " if before.strip() else "")
            + f'<p class="briefing-direct"><strong>{linked(lead)}</strong></p>'
            + linked(after.strip())
        )
    else:
        text = linked(answer.answer)
    notes = []
    if answer.conflicts:
        notes.append(
            '<div class="briefing-note">⚖ The sources disagree; both accounts are shown side by side '
            "in the sources panel.</div>"
        )
    if answer.fallback_reason:
        notes.append(
            f'<div class="briefing-note">Answered extractively: {escape(answer.fallback_reason)}</div>'
        )
    if answer.instruction_override_detected:
        notes.append('<div class="briefing-note">Instructions inside the question were ignored.</div>')
    return f'<div class="briefing-answer">{text}</div>' + "".join(notes)


def highlighted_context(text: str, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
    """The passage marked inside the article text around it."""
    lo = max(0, start - context)
    hi = min(len(text), end + context)
    before = ("…" if lo > 0 else "") + escape(text[lo:start])
    after = escape(text[end:hi]) + ("…" if hi < len(text) else "")
    return (
        f'<div class="briefing-context">{before}<mark class="briefing-quote">{escape(text[start:end])}</mark>'
        f"{after}</div>"
    )


EMPTY_SOURCES = '<div class="briefing-sources-empty">Sources of the latest answer appear here.</div>'
# How many answers' sources the panel keeps, so that an earlier answer's [n] still opens its source.
KEPT_TURNS = 10


def sources_history(latest: str, turn: int, earlier: str | None) -> str:
    """The newest answer's sources first, then those of earlier answers (up to KEPT_TURNS in all)."""
    sections = re.findall(r'<section class="briefing-turn".*?</section>', earlier or "", flags=re.S)
    head = (
        f'<section class="briefing-turn" data-turn="{turn}">'
        f'<h4 class="briefing-turn-head">Answer {turn} '
        f'<a class="briefing-back" href="#briefing-chat" data-turn="{turn}">↑ back to the answer</a></h4>'
        f"{latest}</section>"
    )
    return "".join([head, *sections[: KEPT_TURNS - 1]])


def _passages_to_check(answer: Answer) -> str:
    """An unsure refusal's passages, marked as not cited: what to read before concluding the articles are
    silent."""
    parts = [
        '<div class="briefing-sources briefing-to-check">',
        "<div><b>Passages to check</b> (not cited: none answers the question surely enough)</div>",
    ]
    for r in answer.passages_to_check():
        parts.append(
            f'<div class="briefing-source"><div>{_title_outlet_date(r.title, r.outlet, r.published)}</div>'
            f"<blockquote>{escape(' '.join(r.text.split()))}</blockquote></div>"
        )
    parts.append("</div>")
    return "".join(parts)


def sources_panel(answer: Answer | None, turn: int, article_text: Callable[[str], str | None]) -> str:
    """One answer's sources: title, outlet, date and quote; open one to see it in its article."""
    if answer is None:
        return EMPTY_SOURCES
    if answer.refused and answer.passages_to_check():
        return _passages_to_check(answer)
    if answer.refused:
        return '<div class="briefing-sources-empty">No source answers this question, so none is cited.</div>'
    parts = ['<div class="briefing-sources">']
    if answer.conflicts:
        parts.append('<div class="briefing-conflict" role="group" aria-label="Sources that disagree">')
        for side in answer.conflicts[0].sides:
            outlet = escape(side.outlet) if side.outlet else "<i>outlet not stated</i>"
            date = escape(side.published) if side.published else "<i>date not stated</i>"
            cites = " ".join(f"[{n}]" for n in side.citations)
            parts.append(
                f'<div class="briefing-side"><div class="briefing-side-head">{outlet} · {date}</div>'
                f"<div>{escape(side.title)}</div><div>names: <b>{escape(side.claim)}</b> {cites}</div></div>"
            )
        parts.append("</div>")
    parts += [source_card(c, anchor(turn, c.n), article_text) for c in answer.citations]
    parts.append("</div>")
    return "".join(parts)


def source_card(c: Citation, anchor_id: str, article_text: Callable[[str], str | None]) -> str:
    """One citation's card: its source line and quote; opened, the quote highlighted in its article."""
    text = article_text(c.doc_id)
    body = (
        highlighted_context(text, c.start, c.end)
        if text is not None and text[c.start : c.end] == c.quote
        else f'<div class="briefing-context"><mark class="briefing-quote">{escape(c.quote)}</mark></div>'
    )
    url = f' · <span class="briefing-url">{escape(c.url)}</span>' if c.url else ""
    return (
        f'<details class="briefing-source" id="{anchor_id}" data-n="{c.n}">'
        f'<summary><span class="briefing-n">[{c.n}]</span> {_source_line(c)}{url}'
        f'<div class="briefing-snippet">“{escape(" ".join(c.quote.split()))}”</div></summary>'
        f"{body}</details>"
    )


CSS = """
.briefing-refusal { border-left: 4px solid #b45309; background: #fffbeb; color: #78350f; padding: .5em .75em;
  border-radius: 4px; }
.dark .briefing-refusal { background: #3a2a10; color: #fde68a; }
.briefing-note { font-size: .9em; opacity: .85; margin-top: .4em; }
a.briefing-cite { color: var(--color-accent); text-decoration: underline; text-underline-offset: 2px;
  font-weight: 600; cursor: pointer; }
a.briefing-cite:focus-visible { outline: 2px solid var(--color-accent); outline-offset: 1px; }
.briefing-source.briefing-current { outline: 2px solid var(--color-accent); }
.briefing-turn + .briefing-turn { margin-top: 1em; opacity: .85; }
.briefing-turn-head { margin: .2em 0 .4em; font-size: .95em; }
.briefing-direct { margin: 0 0 .4em; }
.briefing-back { font-weight: normal; font-size: .85em; margin-left: .5em; }
/* On a phone the library is a list of what a reader needs (title, outlet, date), not a wide table. */
#briefing-library-list { display: none; }
.briefing-library-item { border-bottom: 1px solid var(--border-color-primary); padding: .45em 0; }
.briefing-library-meta { font-size: .9em; opacity: .8; }
@media (max-width: 600px) {
  #briefing-library { display: none !important; }
  #briefing-library-list { display: block; }
}
.briefing-sources { display: flex; flex-direction: column; gap: .5em; }
.briefing-source { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: .4em .6em; }
.briefing-source:target { outline: 2px solid var(--color-accent); }
.briefing-source summary { cursor: pointer; }
.briefing-snippet { font-size: .92em; margin-top: .25em; opacity: .9; }
.briefing-context { white-space: pre-wrap; font-size: .92em; line-height: 1.45; margin-top: .5em;
  max-height: 22em; overflow-y: auto; }
mark.briefing-quote { background: #fde68a; color: inherit; padding: 0 .1em; }
.briefing-conflict { display: grid; grid-template-columns: repeat(auto-fit, minmax(14em, 1fr)); gap: .5em; }
.briefing-side { border: 1px dashed #b45309; border-radius: 6px; padding: .4em .6em; }
.briefing-side-head { font-weight: 600; }
.briefing-sources-empty { opacity: .7; font-style: italic; }
"""


def article_view(title: str, outlet: str, published: str, url: str, text: str) -> str:
    """An article in full, as text, with what is known about it: title, outlet, date, address."""
    shown_outlet = escape(outlet) if outlet else "<i>outlet not stated</i>"
    date = escape(published) if published else "<i>date not stated</i>"
    link = f' · <span class="briefing-url">{escape(url)}</span>' if url else ""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
    return (
        f'<article class="briefing-article"><h3>{escape(title or "Untitled")}</h3>'
        f'<p class="briefing-meta">{shown_outlet} · {date}{link}</p>{paragraphs}</article>'
    )


# One click on [n]: open its source card (and any section around it) and bring the highlighted quote into
# view. A keyboard's Enter on the focused link is a click too.
CITATION_JS = """
() => {
  if (window.briefingCitations) return;
  window.briefingCitations = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a.briefing-cite") : null;
    if (!link) return;
    const card = document.getElementById((link.getAttribute("href") || "").slice(1));
    if (!card) return;
    event.preventDefault();
    for (let open = card; open; open = open.parentElement) {
      if (open.tagName === "DETAILS") open.open = true;
    }
    const mark = card.querySelector("mark.briefing-quote");
    (mark || card).scrollIntoView({ block: "center" });
    card.classList.add("briefing-current");
    setTimeout(() => card.classList.remove("briefing-current"), 2500);
  }, true);
  // "back to the answer": the answer whose sources these are (answers are numbered in order).
  document.addEventListener("click", (event) => {
    const back = event.target.closest ? event.target.closest("a.briefing-back") : null;
    if (!back) return;
    event.preventDefault();
    const answers = document.querySelectorAll("#briefing-chat .briefing-answer, #briefing-chat .briefing-refusal");
    const answer = answers[Number(back.dataset.turn) - 1] || document.getElementById("briefing-chat");
    if (answer) answer.scrollIntoView({ block: "center" });
  }, true);
}
"""


def library_list(documents) -> str:
    """The library as a list for narrow screens: each article's title, outlet and date."""
    items = []
    for d in documents:
        outlet = escape(d.outlet) if d.outlet else "<i>outlet not stated</i>"
        date = escape(d.published) if d.published else "<i>date not stated</i>"
        items.append(
            f'<div class="briefing-library-item"><div><b>{escape(d.title or "Untitled")}</b></div>'
            f'<div class="briefing-library-meta">{outlet} · {date}</div></div>'
        )
    return "".join(items) or "<p>The library is empty.</p>"
