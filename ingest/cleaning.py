"""Strip page furniture from article text so that only the body is indexed.

News pages repeat themselves: a listen button, the title twice, "Key Takeaways" bullets, a "Synopsis" and an
FAQ that restate the body, and a "Point of View" box that editorialises. Left in, those copies crowd the
body out of retrieval results, and an opinion box would be cited as if it reported a fact.

An HTML page is cleaned by its news extractor (ingest/extraction.py), which reads the page's markup; on the
measured pages (evals/extractors.py) this list removed nothing more from trafilatura's output. It stays for
text that has no markup left to read: a page saved as plain text (the seed article 003 carries a listen
button, a Synopsis, Key Takeaways and an FAQ as bare lines), Markdown and PDF.
"""

from __future__ import annotations

import re

from ingest.models import DocumentMetadata

# Lines that are controls or labels of the page, not content.
_BOILERPLATE_LINE = re.compile(
    r"^(click to (start )?listen(ing)?|listen to (this )?(article|story)|advertisement|"
    r"share( this( article| story)?)?|print|subscribe( now)?|read more|sign up.*newsletter.*|"
    r"skip to (main )?content|follow us on .*|copyright .*|all rights reserved\.?)$",
    re.IGNORECASE,
)
# Headings of sections that restate, advertise or editorialise rather than report; the heading and the
# block of lines after it are dropped.
_BOILERPLATE_SECTIONS = {
    "key takeaways",
    "synopsis",
    "summary",
    "tl;dr",
    "at a glance",
    "point of view",
    "our view",
    "our take",
    "editorial comment",
    "key points",
    "highlights",
    "frequently asked questions",
    "faq",
    "faqs",
    "related articles",
    "related stories",
    "also read",
    "read also",
    "you may also like",
    "recommended",
    "more stories",
    "tags",
    "trending",
}
_DATE_ONLY = re.compile(
    r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{4}-\d{2}-\d{2}|"
    r"(\d{1,2} )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(, \d{4})?|"
    r"\d{1,2} (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4})$",
    re.IGNORECASE,
)


def _normalise(line: str) -> str:
    return re.sub(r"[\W_]+", "", line.casefold())


def normalise_whitespace(text: str) -> str:
    """Unify line ends and spaces, keep paragraph breaks, trim line edges."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\t", " ")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _drop_sections(lines: list[str]) -> list[str]:
    kept: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].strip().rstrip(":").casefold() in _BOILERPLATE_SECTIONS:
            i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        kept.append(lines[i])
        i += 1
    return kept


def clean_text(raw: str, metadata: DocumentMetadata, strip_furniture: bool = True) -> str:
    """Return the article body: repeated passages removed and, with `strip_furniture`, boilerplate lines
    and restating sections too."""
    lines = normalise_whitespace(raw).split("\n")
    if strip_furniture:
        lines = _drop_sections(lines)
    outlet_keys = {_normalise(metadata.outlet)} - {""}
    seen: set[str] = set()
    kept: list[str] = []
    for line in lines:
        key = _normalise(line)
        if not line:
            kept.append(line)
            continue
        if strip_furniture and (
            _BOILERPLATE_LINE.match(line) or _DATE_ONLY.match(line) or key in outlet_keys
        ):
            continue
        if len(key) > 12 and key in seen:
            # A passage the page already showed (a repeated title, a restated paragraph).
            continue
        seen.add(key)
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
