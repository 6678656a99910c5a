#!/usr/bin/env python3
"""Checks a desk of the reading corpus: every article has its metadata, every item is well formed, and
every answer and evidence sentence is copied character for character from its article(s).

Usage: check.py DESK_DIR [DESK_DIR ...]   (exit 1 and a line per fault when anything is wrong)
"""

import json
import sys
from pathlib import Path

KINDS = {
    "who",
    "what",
    "when",
    "where",
    "how_many",
    "how_much",
    "how_long",
    "which",
    "why",
    "how",
    "quote",
    "list",
    "yes_no",
    "who_is",
    "definition",
    "conflict",
    "multi_sentence",
    "near_miss",
}
META_KEYS = {"title", "outlet", "published", "author", "style"}


def check_desk(desk: Path) -> list[str]:
    faults: list[str] = []
    arts = desk / "articles"
    texts = {}
    for txt in sorted(arts.glob("*.txt")):
        texts[txt.name] = txt.read_text(encoding="utf-8")
        meta = txt.with_suffix(".meta.json")
        if not meta.exists():
            faults.append(f"{txt.name}: no {meta.name}")
            continue
        m = json.loads(meta.read_text(encoding="utf-8"))
        missing = META_KEYS - set(m)
        if missing:
            faults.append(f"{meta.name}: missing {sorted(missing)}")
        words = len(texts[txt.name].split())
        if words < 250:
            faults.append(f"{txt.name}: only {words} words")
    items_file = desk / "items.jsonl"
    if not items_file.exists():
        return faults + [f"{desk}: no items.jsonl"]
    seen = set()
    per_article: dict[str, int] = {}
    for n, line in enumerate(items_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            it = json.loads(line)
        except json.JSONDecodeError as e:
            faults.append(f"items.jsonl:{n}: not JSON ({e})")
            continue
        iid = it.get("id")
        where = f"items.jsonl:{n} ({iid})"
        if not iid or iid in seen:
            faults.append(f"{where}: missing or repeated id")
        seen.add(iid)
        for key in ("article", "question", "answerable", "kind", "evidence"):
            if key not in it:
                faults.append(f"{where}: no {key}")
        if it.get("kind") not in KINDS:
            faults.append(f"{where}: kind {it.get('kind')!r} not one of {sorted(KINDS)}")
        arts_named = it.get("article")
        arts_named = [arts_named] if isinstance(arts_named, str) else (arts_named or [])
        if not arts_named or any(a not in texts for a in arts_named):
            faults.append(f"{where}: article {arts_named} not in {arts}")
            continue
        for a in arts_named:
            per_article[a] = per_article.get(a, 0) + 1
        corpus = "\n".join(texts[a] for a in arts_named)
        evidence = it.get("evidence") or []
        if not isinstance(evidence, list):
            faults.append(f"{where}: evidence must be a list of sentences")
            evidence = []
        for ev in evidence:
            if ev not in corpus:
                faults.append(f"{where}: evidence not verbatim in the article: {ev[:80]!r}")
        if it.get("answerable"):
            if not evidence:
                faults.append(f"{where}: answerable item without evidence")
            if it.get("kind") == "yes_no":
                if it.get("yes_no") not in ("yes", "no", "disagree"):
                    faults.append(f"{where}: yes_no item needs yes_no: yes|no|disagree")
            else:
                answers = [it.get("answer")] + list(it.get("answer_alternatives") or [])
                if not it.get("answer"):
                    faults.append(f"{where}: answerable item without answer")
                for ans in answers:
                    if ans and ans not in corpus:
                        faults.append(f"{where}: answer not verbatim in the article: {ans!r}")
                    elif ans and evidence and not any(ans in ev for ev in evidence):
                        faults.append(f"{where}: answer {ans!r} is in none of its evidence sentences")
        else:
            if it.get("answer"):
                faults.append(f"{where}: a near miss has no answer")
    for a in texts:
        if per_article.get(a, 0) < 15:
            faults.append(f"{a}: only {per_article.get(a, 0)} items")
    return faults


def main() -> int:
    faults = []
    for d in sys.argv[1:]:
        faults += check_desk(Path(d))
    for f in faults:
        print(f)
    if not faults:
        print("ok")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
