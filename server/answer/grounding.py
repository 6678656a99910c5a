"""Check a written sentence against the passages it cites."""

from __future__ import annotations

import re

from server.answer.evidence import entity_present
from server.answer.text_analysis import content_stems, entities

_CITATION = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
MIN_TERM_SUPPORT = 0.75


def split_citations(sentence: str) -> tuple[str, list[int]]:
    """The sentence without its [n] markers, and the numbers it cites, in order."""
    numbers: list[int] = []
    for match in _CITATION.finditer(sentence):
        numbers.extend(int(n) for n in match.group(1).split(","))
    return _CITATION.sub("", sentence).strip(), list(dict.fromkeys(numbers))


def is_supported(claim: str, cited_texts: list[str]) -> bool:
    """Supported when the cited passages hold the claim's names, numbers and nearly all its key words."""
    if not cited_texts or not claim.strip():
        return False
    source = " ".join(cited_texts)
    source_stems = content_stems(source)
    claim_stems = content_stems(claim)
    if not claim_stems:
        return False
    if len(claim_stems & source_stems) / len(claim_stems) < MIN_TERM_SUPPORT:
        return False
    if any(n not in source for n in re.findall(r"\d+", claim)):
        return False
    return all(
        entity_present(content_stems(name), source_stems) for name in entities(claim) if content_stems(name)
    )
