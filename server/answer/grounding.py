"""Check a written sentence against the passages it cites."""

from __future__ import annotations

import re

from server.answer.matching import name_found, term_found, text_keys, text_names

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
    source_keys = text_keys(source)
    claim_keys = text_keys(claim)
    if not claim_keys:
        return False
    if sum(1 for k in claim_keys if term_found(k, source_keys)) / len(claim_keys) < MIN_TERM_SUPPORT:
        return False
    if any(n not in source for n in re.findall(r"\d+", claim)):
        return False
    return all(name_found(text_keys(name), source_keys) for name in text_names(claim) if text_keys(name))
