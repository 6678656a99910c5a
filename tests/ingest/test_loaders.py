import io

import pytest

from ingest.loaders import load_bytes
from ingest.metadata import read_sidecar
from ingest.models import IngestError
from ingest.prepare import prepare_bytes
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE


def make_pdf(lines: list[str], title: str = "") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    if title:
        pdf.setTitle(title)
    y = 800
    for line in lines:
        pdf.drawString(40, y, line)
        y -= 16
    pdf.save()
    return buffer.getvalue()


def test_html_keeps_article_text_and_drops_scripts_and_navigation():
    html = b"""<html><head><title>Page title</title>
      <meta property="og:title" content="Kabul talks resume">
      <meta property="og:site_name" content="Example Wire">
      <meta property="article:published_time" content="2025-03-04T10:00:00Z">
      <script>alert('x')</script><style>p{color:red}</style></head>
      <body><nav>Home | World | Sport</nav>
      <article><h1>Kabul talks resume</h1><p>Delegates met in <b>Doha</b> on Monday.</p>
      <p>They agreed to meet again.</p></article><footer>Copyright Example</footer></body></html>"""
    loaded = load_bytes(html, "page.html")
    assert "Delegates met in Doha on Monday." in loaded.text
    assert "alert" not in loaded.text and "color:red" not in loaded.text
    assert "Home | World" not in loaded.text and "Copyright" not in loaded.text
    assert loaded.metadata.title == "Kabul talks resume"
    assert loaded.metadata.outlet == "Example Wire"
    assert loaded.metadata.published == "2025-03-04"


def test_markdown_markup_does_not_reach_the_text():
    md = b"# Heading\n\nSome **bold** text with a [link](http://example.org).\n\n- a bullet point here\n"
    text = load_bytes(md, "note.md").text
    assert "Some bold text with a link." in text
    assert "#" not in text and "**" not in text and "http://example.org" not in text


def test_pdf_text_layer_is_extracted():
    data = make_pdf(["Iran hosted talks in 2022.", "They did not yield progress."], title="PDF report")
    loaded = load_bytes(data, "report.pdf")
    assert "Iran hosted talks in 2022." in loaded.text
    assert loaded.metadata.title == "PDF report"


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "empty.txt", "empty"),
        (b"   \n\n  ", "blank.txt", "empty"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage\x00\x01\x02", "broken.pdf", "PDF"),
        (b"no header at all", "fake.pdf", "not a PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "image.txt", "binary"),
        (b"text", "program.exe", "unsupported file type"),
    ],
)
def test_bad_files_give_clear_errors(data, name, reason):
    with pytest.raises(IngestError) as info:
        prepare_bytes(data, name)
    assert info.value.source == name
    assert reason in info.value.reason


def test_sidecars_hold_only_stated_metadata():
    nation = read_sidecar(NATIONPRESS_ARTICLE)
    assert nation is not None
    assert nation.outlet == "NationPress" and nation.published == "2025-12-11"
    assert nation.title.startswith("Have Afghanistan's anti-Taliban movements")
    assert nation.url == ""
    review = read_sidecar(NOOR_ARTICLE)
    assert review is not None
    assert (review.outlet, review.published, review.url) == ("", "", "")


def test_outlet_is_read_from_a_dateline_when_no_sidecar():
    prepared = prepare_bytes(b"Talks\n\nKabul, March 3 (Example Wire) Delegates met today in Doha.", "x.txt")
    assert prepared.document.metadata.outlet == "Example Wire"
    assert prepared.document.metadata.published == ""


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ("café au lait, “quoted”".encode("windows-1252"), "cp1252.txt"),
        ("\ufeffcafé au lait, “quoted”".encode("utf-16-le"), "utf16.txt"),
        ("café au lait, “quoted”".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf16be.txt"),
        ("\ufeffcafé au lait, “quoted”".encode("utf-8"), "bom.md"),
    ],
)
def test_text_in_other_encodings_is_decoded(data, name):
    assert load_bytes(data, name).text.startswith("café au lait, “quoted”")


def test_a_page_is_read_in_the_charset_it_declares():
    html = (
        '<html><head><meta charset="windows-1252"><title>Talks</title></head><body><article>'
        "<p>The council’s envoy met the elders in Sar-e Chashma on Sunday and said the talks were “useful”.</p>"
        "<p>The elders said they would meet the envoy again before the first snow closes the pass.</p>"
        "</article></body></html>"
    ).encode("windows-1252")
    text = load_bytes(html, "page.html").text
    assert "The council’s envoy" in text and "“useful”" in text
    # An HTTP charset wins over the page's own declaration.
    assert "council’s" in load_bytes(html.replace(b"windows-1252", b"utf-8"), "p.html", charset="cp1252").text
