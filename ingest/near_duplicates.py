"""Copies of one story: MinHash over word shingles (datasketch), banded for lookup.

A syndicated wire story appears on several sites with another headline, another standfirst and its own
furniture; its body stays nearly word for word the same. Five-word shingles of the cleaned text see
that: copies share most of their shingles, different stories on the same subject share almost none
(evals/extractors.py's pages and the tests measure both). Each document's signature and band keys are
computed at ingest and stored with it; documents that share a band key are candidates, and a candidate
whose estimated Jaccard similarity reaches STORY_THRESHOLD carries the same story.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

SHINGLE_WORDS = 5
NUM_PERM = 64
BANDS = 16  # of NUM_PERM // BANDS = 4 rows: pairs at Jaccard 0.5 share a band with probability 0.65,
# at 0.7 with 0.99
ROWS = NUM_PERM // BANDS
STORY_THRESHOLD = 0.5
SEED = 21
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class StoryFingerprint:
    """A text's MinHash signature and the keys of its bands."""

    signature: tuple[int, ...]
    bands: tuple[str, ...]

    def to_str(self) -> str:
        return ",".join(f"{v:x}" for v in self.signature)

    @classmethod
    def from_str(cls, value: str) -> StoryFingerprint | None:
        try:
            signature = tuple(int(v, 16) for v in value.split(","))
        except ValueError:
            return None
        return cls(signature, band_keys(signature)) if len(signature) == NUM_PERM else None


def shingles(text: str) -> set[str]:
    """The text's runs of SHINGLE_WORDS words, case-folded; a shorter text is one shingle."""
    words = [w.casefold() for w in _WORD.findall(text)]
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def band_keys(signature: tuple[int, ...]) -> tuple[str, ...]:
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(",".join(map(str, rows)).encode(), digest_size=8).hexdigest()
        keys.append(f"{band}:{digest}")
    return tuple(keys)


def story_fingerprint(text: str) -> StoryFingerprint:
    """The fingerprint of a document's cleaned text."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    signature = tuple(int(v) for v in minhash.hashvalues)
    return StoryFingerprint(signature, band_keys(signature))


def estimated_similarity(a: StoryFingerprint, b: StoryFingerprint) -> float:
    """The estimated Jaccard similarity of two texts' shingles: the share of equal signature rows."""
    return sum(1 for x, y in zip(a.signature, b.signature, strict=True) if x == y) / NUM_PERM


def same_story(a: StoryFingerprint, b: StoryFingerprint) -> bool:
    return estimated_similarity(a, b) >= STORY_THRESHOLD


def story_links(fingerprints: dict[str, StoryFingerprint]) -> dict[str, list[str]]:
    """For each document, the others that carry the same story (sorted ids), from shared band keys."""
    buckets: dict[str, list[str]] = {}
    for doc_id, fingerprint in fingerprints.items():
        for key in fingerprint.bands:
            buckets.setdefault(key, []).append(doc_id)
    links: dict[str, set[str]] = {doc_id: set() for doc_id in fingerprints}
    checked: set[tuple[str, str]] = set()
    for members in buckets.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (a, b) if a < b else (b, a)
                if pair in checked:
                    continue
                checked.add(pair)
                if same_story(fingerprints[a], fingerprints[b]):
                    links[a].add(b)
                    links[b].add(a)
    return {doc_id: sorted(others) for doc_id, others in links.items()}
