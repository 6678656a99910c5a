"""A briefing as PDF (reportlab's Platypus: flowing paragraphs on A4), with a Unicode TrueType font
embedded: Debian's DejaVu Sans where installed, else the Bitstream Vera Sans that ships inside reportlab."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from server.briefing.exports.outline import Block

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """(regular, bold) font names, registered with reportlab once per process."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    bundled = Path(reportlab.__file__).parent / "fonts"
    for regular, bold in (
        (DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf"),
        (bundled / "Vera.ttf", bundled / "VeraBd.ttf"),
    ):
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("BriefingSans", str(regular)))
            pdfmetrics.registerFont(TTFont("BriefingSans-Bold", str(bold)))
            return "BriefingSans", "BriefingSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _text(text: str) -> str:
    return escape("".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32))


def write_pdf(blocks: list[Block], title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    regular, bold = _fonts()
    base = getSampleStyleSheet()
    styles = {
        "title": ParagraphStyle("BTitle", parent=base["Title"], fontName=bold),
        "heading": ParagraphStyle("BHeading", parent=base["Heading2"], fontName=bold),
        "subheading": ParagraphStyle("BSub", parent=base["Heading3"], fontName=bold),
        "paragraph": ParagraphStyle("BBody", parent=base["BodyText"], fontName=regular),
        "bullet": ParagraphStyle(
            "BBullet", parent=base["BodyText"], fontName=regular, leftIndent=14, bulletIndent=4
        ),
        "note": ParagraphStyle("BNote", parent=base["BodyText"], fontName=regular, fontSize=8.5, leading=11),
    }
    story = []
    for block in blocks:
        text = _text(block.text)
        if block.kind == "bullet":
            story.append(Paragraph(text, styles["bullet"], bulletText="•"))
        elif block.kind == "note":
            story.append(Paragraph(f"[{block.number}] {text}", styles["note"]))
        else:
            story.append(Paragraph(text, styles[block.kind]))
        if block.kind == "title":
            story.append(Spacer(1, 0.3 * cm))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, title=title, author="afghan-briefing", leftMargin=2 * cm, rightMargin=2 * cm
    )
    document.build(story)
    return out.getvalue()
