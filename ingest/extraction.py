"""A news page's main text and what it states about itself, by trafilatura.

trafilatura is only handed HTML that is already here (a fetched page or an uploaded file): it never fetches
anything itself. Dates come from the page's markup only (its meta tags, JSON-LD, `<time>`), never guessed
from the text, so a page that states no date stays without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ingest.models import DocumentMetadata, IngestError

MAX_HTML_DEPTH = 512
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
# Elements that are empty, or that HTML closes implicitly (so that pages leave them open): not counted.
_UNCOUNTED = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tfoot",
        "option",
        "optgroup",
        "colgroup",
        "caption",
        "rp",
        "rt",
    ]
)
# htmldate's options: markup only (no search of the free text for something that looks like a date), and
# the original publication date rather than the last update.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


def html_depth_exceeds(html: str, limit: int = MAX_HTML_DEPTH) -> bool:
    """Whether elements nest deeper than `limit`, by a linear scan of the tags (parsing such a page
    would take time quadratic in its depth)."""
    depth = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _UNCOUNTED:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > limit:
            return True
    return False


@dataclass(frozen=True)
class ExtractedPage:
    """A page's main text (paragraphs separated by blank lines) and its stated metadata."""

    text: str
    metadata: DocumentMetadata


def _one_line(value: object) -> str:
    return " ".join(str(value or "").split())


def extract_article(html: str, source: str, url: str = "") -> ExtractedPage:
    """The article in a page: its body without navigation, share buttons, related links, sign-up boxes or
    comments, and its title, outlet (site name), author, date (YYYY-MM-DD) and canonical URL.
    `url` is where the page was fetched from, if it was; the page's canonical link wins over it."""
    import trafilatura

    if html_depth_exceeds(html):
        raise IngestError(source, f"the HTML nests elements more than {MAX_HTML_DEPTH} levels deep")
    try:
        found = trafilatura.bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            date_extraction_params=_DATE_PARAMS,
            favor_precision=True,
        )
    except (ValueError, RecursionError):
        found = None
    if isinstance(found, dict):  # only with the deprecated as_dict; kept typed either way
        found = trafilatura.settings.Document.from_dict(found)
    text = _paragraphs(getattr(found, "text", "") or "")
    if found is None or not text.strip():
        raise IngestError(source, "the HTML holds no readable article text")
    outlet = _one_line(found.sitename)
    host = re.sub(r"^(www|w[0-9]+)\.", "", urlsplit(_one_line(found.url) or url).netloc)
    if outlet and outlet in (host, _one_line(found.hostname)):
        outlet = ""  # trafilatura's stand-in for a page that names no site: a host name, not an outlet
    metadata = DocumentMetadata(
        title=_one_line(found.title),
        outlet=outlet,
        published=_one_line(found.date)[:10],
        url=_one_line(found.url) or url,
        author=_one_line(found.author),
    )
    return ExtractedPage(text, metadata)


def _paragraphs(text: str) -> str:
    """trafilatura puts one paragraph per line; the rest of ingest separates paragraphs by a blank line."""
    lines = [line.strip() for line in text.replace("\r", "").split("\n")]
    return "\n\n".join(line for line in lines if line)
