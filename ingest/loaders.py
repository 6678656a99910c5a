"""Turn a file of a supported type into raw text plus whatever metadata the file itself carries."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.decoding import decode_text
from ingest.extraction import MAX_HTML_DEPTH, extract_article, html_depth_exceeds
from ingest.models import DocumentMetadata, IngestError

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")

_BLOCK_TAGS = [
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "td",
    "th",
    "dt",
    "dd",
    "figcaption",
    "div",
    "section",
    "article",
    "main",
    "body",
]
_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "template",
    "iframe",
    "svg",
    "button",
]


@dataclass(frozen=True)
class LoadedText:
    """`extracted`: a news extractor already told the article from the page around it, so the text
    needs no furniture stripping of its own."""

    text: str
    metadata: DocumentMetadata
    extracted: bool = False


def load_plain(data: bytes, source: str, charset: str | None = None, url: str = "") -> LoadedText:
    return LoadedText(decode_text(data, source, charset), DocumentMetadata(url=url))


def _meta_content(soup, *selectors: tuple[str, str]) -> str:
    for attr, value in selectors:
        tag = soup.find("meta", attrs={attr: value})
        if tag and tag.get("content"):
            return " ".join(str(tag["content"]).split())
    return ""


def html_to_text(html: str, source: str) -> LoadedText:
    """Every block of text in HTML, with BeautifulSoup (lxml): for markup whose every block is content
    (rendered Markdown). A news page goes through `extract_article` instead, which tells the article
    from the page around it."""
    from bs4 import BeautifulSoup

    if html_depth_exceeds(html):
        raise IngestError(source, f"the HTML nests elements more than {MAX_HTML_DEPTH} levels deep")
    try:
        soup = BeautifulSoup(html, "lxml")
        metadata = DocumentMetadata(
            title=_meta_content(soup, ("property", "og:title"), ("name", "twitter:title"))
            or (" ".join(soup.title.get_text().split()) if soup.title else ""),
            outlet=_meta_content(soup, ("property", "og:site_name")),
            published=_meta_content(
                soup, ("property", "article:published_time"), ("name", "date"), ("name", "pubdate")
            )[:10],
            url=_meta_content(soup, ("property", "og:url")),
        )
        for tag in soup.find_all(_DROP_TAGS):
            tag.decompose()
        root = soup.find("article") or soup.find("main") or soup.body or soup
        lines: list[str] = []
        for element in root.find_all(_BLOCK_TAGS):
            if element.find(_BLOCK_TAGS):
                # A container: take only the text that sits directly in it, not in its blocks.
                own = "".join(s for s in element.find_all(string=True, recursive=False))
                line = " ".join(own.split())
            else:
                line = " ".join(element.get_text().split())
            if line:
                lines.append(line)
        if not lines:
            lines = [" ".join(root.get_text(" ").split())]
    except RecursionError:
        raise IngestError(source, "the HTML is nested too deeply to parse") from None
    text = "\n\n".join(line for line in lines if line)
    if not text.strip():
        raise IngestError(source, "the HTML holds no readable text")
    return LoadedText(text, metadata)


def load_html(data: bytes, source: str, charset: str | None = None, url: str = "") -> LoadedText:
    """A news page: its article and metadata by trafilatura (ingest/extraction.py)."""
    page = extract_article(decode_text(data, source, charset, markup=True), source, url)
    return LoadedText(page.text, page.metadata, extracted=True)


def load_markdown(data: bytes, source: str, charset: str | None = None, url: str = "") -> LoadedText:
    """Render Markdown with markdown-it, then read it as HTML so that markup never reaches the text."""
    from markdown_it import MarkdownIt

    text = decode_text(data, source, charset)
    loaded = html_to_text(f"<html><body>{MarkdownIt('commonmark').render(text)}</body></html>", source)
    return LoadedText(loaded.text, DocumentMetadata(url=url))


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})")


def load_pdf(data: bytes, source: str, charset: str | None = None, url: str = "") -> LoadedText:
    """Extract the text layer of a PDF with pypdf."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PdfStreamError

    if not data.strip():
        raise IngestError(source, "the file is empty")
    if not data.lstrip().startswith(b"%PDF"):
        raise IngestError(source, "not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        info: dict = dict(reader.metadata or {})
        title = str(info.get("/Title") or "").strip()
        created = _PDF_DATE.match(str(info.get("/CreationDate") or ""))
    except (
        PdfReadError,
        PdfStreamError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        AssertionError,
        OSError,
        RecursionError,
        IndexError,
        ZeroDivisionError,
    ) as exc:
        raise IngestError(source, f"the PDF could not be parsed ({type(exc).__name__}: {exc})") from None
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise IngestError(source, "the PDF has no extractable text (is it a scanned image?)")
    published = "-".join(created.groups()) if created else ""
    return LoadedText(text, DocumentMetadata(title=title, published=published, url=url))


Loader = Callable[[bytes, str, str | None, str], LoadedText]
LOADERS: dict[str, Loader] = {
    ".txt": load_plain,
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
}


def load_bytes(
    data: bytes, filename: str, charset: str | None = None, url: str = "", suffix: str | None = None
) -> LoadedText:
    """Load the content of a file named `filename`; its suffix (or `suffix`, for a fetched page, from
    its content type) picks the parser. `charset` is what an HTTP response declared; `url` where the
    content was fetched from."""
    suffix = (suffix or Path(filename).suffix).lower()
    loader = LOADERS.get(suffix)
    if loader is None:
        raise IngestError(
            filename,
            f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    return loader(data, filename, charset, url)
