"""How well news extractors separate an article from its page: body kept, furniture left out.

Runs each extractor over the fictional pages in tests/fixtures/pages (each NAME.html has a NAME.expected.json
listing its body paragraphs and the furniture strings the page carries: share buttons, related headlines,
sign-up boxes, cookie banners, comments ...). `python -m evals.extractors` prints the table the README
quotes. readability-lxml is a dev dependency, measured here only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.decoding import decode_text
from ingest.models import DocumentMetadata

PAGES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pages"


def _norm(text: str) -> str:
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold()


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def bs4_and_furniture_list(html: str) -> str:
    """The cleaner before trafilatura: BeautifulSoup's blocks, then the hand-written furniture list."""
    from ingest.cleaning import clean_text
    from ingest.loaders import html_to_text

    loaded = html_to_text(html, "page.html")
    return clean_text(loaded.text, loaded.metadata)


def trafilatura_text(html: str) -> str:
    from ingest.extraction import extract_article

    return extract_article(html, "page.html").text


def trafilatura_and_furniture_list(html: str) -> str:
    from ingest.cleaning import clean_text
    from ingest.extraction import extract_article

    page = extract_article(html, "page.html")
    return clean_text(page.text, page.metadata)


def readability_text(html: str) -> str:
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(html).summary(html_partial=True)
    tree = lxml_html.fromstring(summary)
    blocks = [" ".join(el.text_content().split()) for el in tree.iter("p", "li", "h1", "h2", "h3", "div")]
    return "\n\n".join(b for b in dict.fromkeys(blocks) if b)


def justext_text(html: str) -> str:
    import justext

    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in paragraphs if not p.is_boilerplate)


EXTRACTORS: dict[str, Callable[[str], str]] = {
    "BeautifulSoup + furniture list (before)": bs4_and_furniture_list,
    "trafilatura 2.3.1": trafilatura_text,
    "trafilatura + furniture list": trafilatura_and_furniture_list,
    "readability-lxml 0.9": readability_text,
    "jusText 3.0.2": justext_text,
}


@dataclass(frozen=True)
class PageScore:
    page: str
    body_paragraphs: int
    body_kept: int  # body paragraphs found whole in the output
    furniture: int
    furniture_leaked: int  # furniture strings found in the output
    extra_words: int  # words of the output that are neither body nor title


def score(output: str, expected: dict, page: str) -> PageScore:
    out = _norm(output)
    kept = 0
    for paragraph in expected["body"]:
        p = _norm(paragraph)
        if p in out:
            kept += 1
            out = out.replace(p, " ")
    leaked = sum(1 for f in expected["furniture"] if _norm(f) in _norm(output))
    out = out.replace(_norm(expected["title"]), " ")
    return PageScore(page, len(expected["body"]), kept, len(expected["furniture"]), leaked, _words(out))


def load_pages(folder: Path = PAGES) -> list[tuple[str, str, dict]]:
    pages = []
    for path in sorted(folder.glob("*.html")):
        html = decode_text(path.read_bytes(), path.name, markup=True)
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        pages.append((path.stem, html, expected))
    return pages


def compare(folder: Path = PAGES) -> dict[str, list[PageScore]]:
    results: dict[str, list[PageScore]] = {}
    for name, extractor in EXTRACTORS.items():
        rows = []
        for page, html, expected in load_pages(folder):
            try:
                output = extractor(html)
            except Exception:  # an extractor that fails on a page keeps nothing of it
                output = ""
            rows.append(score(output, expected, page))
        results[name] = rows
    return results


def metadata_matches(folder: Path = PAGES) -> dict[str, tuple[int, int]]:
    """trafilatura's metadata against each page's expected fields: (right, stated) per field."""
    from ingest.extraction import extract_article

    fields = ("title", "outlet", "author", "published", "url")
    tally = {f: [0, 0] for f in fields}
    for page, html, expected in load_pages(folder):
        meta: DocumentMetadata = extract_article(html, page).metadata
        for f in fields:
            if expected.get(f):
                tally[f][1] += 1
                tally[f][0] += int(getattr(meta, f) == expected[f])
    return {f: (right, stated) for f, (right, stated) in tally.items()}


def table(results: dict[str, list[PageScore]]) -> str:
    lines = [
        "| extractor | body paragraphs kept | furniture strings leaked | words that are neither body nor title |",
        "|---|---|---|---|",
    ]
    for name, rows in results.items():
        kept, body = sum(r.body_kept for r in rows), sum(r.body_paragraphs for r in rows)
        leaked, furniture = sum(r.furniture_leaked for r in rows), sum(r.furniture for r in rows)
        lines.append(
            f"| {name} | {kept}/{body} ({kept / body:.0%}) | {leaked}/{furniture} ({leaked / furniture:.0%}) "
            f"| {sum(r.extra_words for r in rows)} |"
        )
    return "\n".join(lines)


def main() -> None:
    results = compare()
    print(table(results))
    print()
    for name, rows in results.items():
        print(name)
        for r in rows:
            print(
                f"  {r.page:<28} body {r.body_kept}/{r.body_paragraphs}  "
                f"furniture {r.furniture_leaked}/{r.furniture}  extra words {r.extra_words}"
            )
    print()
    for f, (right, stated) in metadata_matches().items():
        print(f"trafilatura metadata {f}: {right}/{stated}")


if __name__ == "__main__":
    main()
