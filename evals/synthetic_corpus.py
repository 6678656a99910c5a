"""Deterministic scaled corpora for the benchmark: the seed articles plus articles recombined from their
sentences with other names and places, so that retrieval has many near-miss distractors."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from ingest.prepare import prepare_file
from ingest.splitting import word_count

PEOPLE = [
    "Atta Mohammad Noor",
    "Ata Mohammad Noor",
    "Ahmad Massoud",
    "Yasin Zia",
    "Hanif Atmar",
    "Abdul Rashid Dostum",
    "Mohammad Mohaqiq",
    "Sarwar Danish",
    "Abdullah Qarluq",
    "Yunus Qanuni",
    "Neda Mohammad Nadim",
    "Amir Khan Muttaqi",
    "Masoom Stanekzai",
    "Khair Mohammad Khairkhwa",
]
PLACES = ["Tehran", "Iran", "Vienna", "Herat", "Turkey", "Kabul", "Doha"]
FAKE_PEOPLE = [
    "Karim Jan Wardak",
    "Nasir Ahmad Popal",
    "Faridullah Sherzad",
    "Gul Rahman Kakar",
    "Abdul Wahid Rahimi",
    "Samiullah Noori",
    "Habibullah Zazai",
    "Rahmatullah Safi",
    "Qudratullah Jalali",
    "Jamshid Baheer",
    "Mirwais Azizi",
    "Zalmai Faizi",
    "Bashir Hotak",
    "Wais Barakzai",
    "Shafiq Ludin",
    "Nazir Kabiri",
]
FAKE_PLACES = [
    "Ankara",
    "Geneva",
    "Oslo",
    "Tashkent",
    "Dushanbe",
    "Islamabad",
    "Astana",
    "Baku",
    "Muscat",
    "Mazar-i-Sharif",
    "Kandahar",
    "Qatar",
    "Uzbekistan",
    "Tajikistan",
]


def seed_sentences(seed_dir: Path) -> list[str]:
    sentences = []
    for path in sorted(seed_dir.glob("*.txt")):
        sentences += [s.text for s in prepare_file(path).sentences if word_count(s.text) >= 8]
    return sentences


def synthetic_article(rng: random.Random, pool: list[str], index: int) -> str:
    people = dict(
        zip(PEOPLE, rng.sample(FAKE_PEOPLE, len(PEOPLE) - 2) + rng.sample(FAKE_PEOPLE, 2), strict=True)
    )
    places = dict(zip(PLACES, rng.sample(FAKE_PLACES, len(PLACES)), strict=True))
    body = []
    for sentence in rng.sample(pool, rng.randint(12, min(24, len(pool)))):
        for real, fake in sorted({**people, **places}.items(), key=lambda kv: -len(kv[0])):
            sentence = sentence.replace(real, fake)
        body.append(sentence)
    paragraphs = [" ".join(body[i : i + 4]) for i in range(0, len(body), 4)]
    title = f"Briefing {index}: opposition politics in {rng.choice(FAKE_PLACES)}"
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


def generate_corpus(seed_dir: Path, out_dir: Path, n_articles: int, seed: int = 7) -> list[Path]:
    """The seed articles (with sidecars) plus n_articles - (seed count) synthetic ones, reproducibly."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for path in sorted(seed_dir.iterdir()):
        if path.is_file():
            shutil.copy(path, out_dir / path.name)
            if path.suffix == ".txt":
                files.append(out_dir / path.name)
    rng = random.Random(seed)
    pool = seed_sentences(seed_dir)
    for i in range(max(0, n_articles - len(files))):
        target = out_dir / f"synthetic_{i:05d}.txt"
        target.write_text(synthetic_article(rng, pool, i), encoding="utf-8")
        files.append(target)
    return files
