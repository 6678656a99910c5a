"""Reported speech and headings, read from a sentence's surface: quotation marks and reporting verbs."""

from __future__ import annotations

import re

_QUOTE_CHARS = "\"“”'‘’"
# Verbs of reporting (a closed class of English): "X said", "according to X", "in a statement".
_SPEECH = re.compile(
    r"\b(said|says|stated|stating|remarked|expressed|told|noted|argued|warned|cited|"
    r"according to|announced|declared|characteri[sz]ed|indicated|comments?|remarks?|statement)\b",
    re.I,
)
# A quotation, as opposed to a quoted name: at least this many words inside the quote marks.
_QUOTATION = re.compile(r"[“\"]([^”\"]*)(?:[”\"]|$)")
MIN_QUOTATION_WORDS = 6


def quotations(text: str) -> list[tuple[int, int]]:
    """(start, end) of each quotation in a text, quote marks included; a quotation left open runs to
    the end of the text."""
    out = []
    for m in _QUOTATION.finditer(text):
        words = m.group(1).split()
        capitalised = sum(1 for w in words if w[:1].isupper())
        # A quoted name ("High Council of National Resistance") is mostly capitalised words.
        if len(words) >= MIN_QUOTATION_WORDS and capitalised / len(words) < 0.5:
            out.append((m.start(), m.end()))
    return out


def reports_speech(text: str) -> bool:
    """A verb of saying, or a quotation long enough to be somebody's words rather than a name."""
    return bool(_SPEECH.search(text)) or bool(quotations(text))


def quote_is_open(text: str) -> bool:
    """True when a sentence opens a quotation it does not close (the quote runs on)."""
    return text.count("“") > text.count("”") or (text.count('"') % 2 == 1)


# Fewer words than this (words with a letter) state nothing: a list's number ("2."), a credit ("AP.").
MIN_STATEMENT_WORDS = 2


def is_heading_like(text: str) -> bool:
    """A heading, a caption or a fragment: text that does not state anything a reader could cite."""
    stripped = text.rstrip()
    if sum(1 for w in stripped.split() if any(c.isalpha() for c in w)) < MIN_STATEMENT_WORDS:
        return True
    ends_like_sentence = stripped[-1] in ".!" + _QUOTE_CHARS + ")" or stripped.endswith(".”")
    if stripped.endswith("?") and not any(q in stripped for q in '“"'):
        return True
    return not ends_like_sentence and len(stripped.split()) < 14
