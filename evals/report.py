"""Write the eval report: JSON results, Markdown and HTML with a per-question table, a chart of the
metric means against their thresholds, and the change since the previous run."""

from __future__ import annotations

import json
import math
import time
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from evals.stages import STAGES

if TYPE_CHECKING:  # ragas is heavy: importing the report (for REPORTS_DIR) must not load it
    from evals.runner import EvalResult

REPORTS_DIR = Path(__file__).with_name("reports")


def _fmt(value: float | None) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"


def _chars(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _delta(now: float, before: float | None) -> str:
    if before is None:
        return "new"
    diff = now - before
    return "±0" if abs(diff) < 5e-4 else f"{diff:+.3f}"


def load_previous(out_dir: Path) -> dict | None:
    """The previous run's payload: the full latest.json when this folder has one, else the committed
    summary.json (a fresh clone has only the summary)."""
    for name in ("latest.json", "summary.json"):
        path = out_dir / name
        if not path.exists():
            continue
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
    return None


def failure_table(result: EvalResult) -> str:
    """Plain-text table of the metrics below threshold and the questions that pulled them down."""
    lines = [f"{'metric':<28}{'mean':>8}{'needed':>9}"]
    for metric, needed in result.failures().items():
        lines.append(f"{metric:<28}{result.value(metric):>8.3f}{needed:>9.3f}")
    lines.append("")
    lines.append(f"{'id':<24}{'kind':<15}{'metric':<26}{'value':>7}  question")
    for row in result.rows:
        for metric in row["failed_metrics"]:
            lines.append(
                f"{row['id']:<24}{row['kind']:<15}{metric:<26}{row['metrics'][metric]:>7.3f}  "
                f"{row['question'][:70]}"
            )
    return "\n".join(lines)


def _svg_chart(summary: dict[str, float], thresholds: dict[str, float]) -> str:
    width, bar_h, gap, label_w = 560, 18, 8, 230
    rows = list(summary.items())
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        'aria-label="Metric means against thresholds">'
    ]
    for i, (name, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        scale = width - label_w - 50
        colour = "#15803d" if value >= thresholds.get(name, -1) - 1e-9 else "#b91c1c"
        if name not in thresholds:
            colour = "#64748b"
        parts.append(f'<text x="0" y="{y + 13}" font-size="12">{escape(name)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{max(1, value * scale):.1f}" height="{bar_h}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{label_w + value * scale + 4:.1f}" y="{y + 13}" font-size="12">{value:.3f}</text>'
        )
        if name in thresholds:
            x = label_w + thresholds[name] * scale
            parts.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + bar_h + 2}" stroke="#111" '
                'stroke-width="2" stroke-dasharray="3,2"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def split_summary(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Each metric's mean within each split of the golden set (core, robustness)."""
    out: dict[str, dict[str, float]] = {}
    for split in dict.fromkeys(row.get("split", "core") for row in rows):
        chosen = [row for row in rows if row.get("split", "core") == split]
        names = dict.fromkeys(m for row in chosen for m in row["metrics"])
        means = {}
        for name in names:
            vals = [
                row["metrics"][name] for row in chosen if not math.isnan(row["metrics"].get(name, math.nan))
            ]
            if vals:
                means[name] = round(sum(vals) / len(vals), 4)
        out[split] = means
    return out


def stage_summary(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per split, where the answerable items' answers were lost, over the items whose retrieval and answer
    were both scored (`placed`; a yes/no item has no key fact to look for): the means of retrieval_recall,
    candidate_recall and answer_correct over them, how many were missed at retrieval (no key fact in the
    retrieved chunks), at the candidates (retrieved, but not among the sentences the reader read) and by the
    reader (read, yet the answer is wrong), and how many candidate texts stayed cut in the trace."""
    out: dict[str, dict[str, float]] = {}
    for split in dict.fromkeys(row.get("split", "core") for row in rows):
        placed = [
            row
            for row in rows
            if row.get("split", "core") == split
            and not math.isnan(row["metrics"].get("retrieval_recall", math.nan))
            and not math.isnan(row["metrics"].get("answer_correct", math.nan))
        ]
        if not placed:
            continue
        counts: dict[str, float] = {"placed": len(placed)}
        for name in ("retrieval_recall", "candidate_recall", "answer_correct"):
            vals = [
                row["metrics"][name] for row in placed if not math.isnan(row["metrics"].get(name, math.nan))
            ]
            counts[name] = round(sum(vals) / len(vals), 4) if vals else math.nan
        for stage in STAGES:
            counts[stage] = sum(1 for row in placed if row.get("miss_stage") == stage)
        counts["cut"] = sum(int(row.get("candidates_cut", 0)) for row in placed)
        out[split] = counts
    return out


def _stage_lines(result: EvalResult) -> list[str]:
    stages = stage_summary(result.rows)
    if not stages:
        return []
    lines = [
        "",
        "## Where the misses are",
        "",
        "Per split, over the answerable items with key facts (yes/no items have none): `retrieval_recall` "
        "(a key fact is in the retrieved chunks), `candidate_recall` (in the candidate sentences the reader "
        "read) beside `answer_correct` over the same items, and each wrong answer placed at the first stage "
        "that lost its key fact.",
        "",
        "| split | items placed | retrieval_recall | candidate_recall | answer_correct | missed at retrieval | "
        "missed at the candidates | missed by the reader | candidate texts left cut |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for split, c in stages.items():
        lines.append(
            f"| {split} | {c['placed']:.0f} | {_fmt(c['retrieval_recall'])} | {_fmt(c['candidate_recall'])} | "
            f"{_fmt(c['answer_correct'])} | {c['retrieval']:.0f} | {c['candidates']:.0f} | {c['reader']:.0f} | "
            f"{c['cut']:.0f} |"
        )
    return lines


def write_report(result: EvalResult, out_dir: Path = REPORTS_DIR, mode: str = "in-process") -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = load_previous(out_dir)
    before = (previous or {}).get("summary", {})
    payload = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "mode": mode,
        "passed": result.passed,
        "summary": result.summary,
        "thresholds": result.thresholds,
        "lengths": result.lengths,
        "maximums": result.maximums,
        "split_summary": split_summary(result.rows),
        "split_thresholds": result.split_thresholds,
        "stage_summary": stage_summary(result.rows),
        "previous_summary": before or None,
        "rows": result.rows,
    }
    (out_dir / "latest.json").write_text(json.dumps(payload, indent=1, ensure_ascii=False, allow_nan=True))
    # The summary is what is committed: the per-question rows of several thousand reading questions are
    # megabytes, and every run rewrites them (latest.* is git-ignored).
    summary = {key: value for key, value in payload.items() if key != "rows"}
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False, allow_nan=True))
    # The original splits' metrics; when they were not run, every metric the rows have.
    metric_names = list(result.summary) or sorted({m for row in result.rows for m in row["metrics"]})

    md = [
        f"# Evaluation report ({payload['created']}, {mode})",
        "",
        f"**Gate: {'PASSED' if result.passed else 'FAILED'}** over {len(result.rows)} golden questions.",
        "",
        "## Metrics",
        "",
        "| metric | mean | threshold | change since previous run |",
        "|---|---|---|---|",
    ]
    for name, value in result.summary.items():
        md.append(
            f"| {name} | {value:.3f} | {_fmt(result.thresholds.get(name))} | {_delta(value, before.get(name))} |"
        )
    if not result.summary:
        md += ["", "The original splits (core, robustness) were not run."]
    md += ["", "## Answer length (characters)", "", "| measure | value | at most |", "|---|---|---|"]
    md += [f"| {n} | {v:.0f} | {_chars(result.maximums.get(n))} |" for n, v in result.lengths.items()]
    if result.split_means:
        md += [
            "",
            "## Dev, blind and reading test splits",
            "",
            "dev and blind were written by a helper session that had not read the engine; "
            "the blind split is reported, never tuned to. reading_test is the reading corpus's test split "
            "(evals/reading/splits.json), which the reader never trains on.",
            "",
        ]
        names = sorted({m for means in result.split_means.values() for m in means})
        splits_shown = list(result.split_means)
        md.append("| metric | " + " | ".join(f"{s} | {s} threshold" for s in splits_shown) + " |")
        md.append("|" + "---|" * (1 + 2 * len(splits_shown)))
        for name in names:
            cells = " | ".join(
                f"{_fmt(result.split_means[s].get(name))} | {_fmt(result.split_thresholds.get(s, {}).get(name))}"
                for s in splits_shown
            )
            md.append(f"| {name} | {cells} |")
    md += _stage_lines(result)
    md += ["", "## By split", "", "| split | " + " | ".join(metric_names) + " |"]
    md.append("|" + "---|" * (1 + len(metric_names)))
    splits = split_summary(result.rows)
    for split, means in splits.items():
        md.append(f"| {split} | " + " | ".join(_fmt(means.get(m)) for m in metric_names) + " |")
    (out_dir / "summary.md").write_text("\n".join(md) + "\n")
    md += [
        "",
        "## Per question",
        "",
        "| id | kind | question | answer | citations | " + " | ".join(metric_names) + " | pass |",
        "|" + "---|" * (5 + len(metric_names) + 1),
    ]
    for row in result.rows:
        answer = row["answer"].replace("|", "\\|").replace("\n", " ")
        answer = answer if len(answer) < 220 else answer[:217] + "…"
        cells = " | ".join(_fmt(row["metrics"].get(m)) for m in metric_names)
        md.append(
            f"| {row['id']} | {row['kind']} | {row['question'].replace('|', '/')} | {answer} | "
            f"{row['citations']} | {cells} | {'✓' if row['passed'] else '✗'} |"
        )
    (out_dir / "latest.md").write_text("\n".join(md) + "\n")

    head = "".join(f"<th>{escape(m)}</th>" for m in metric_names)
    body = []
    for row in result.rows:
        cells = "".join(f"<td>{_fmt(row['metrics'].get(m))}</td>" for m in metric_names)
        body.append(
            f"<tr class='{'ok' if row['passed'] else 'bad'}'><td>{escape(row['id'])}</td>"
            f"<td>{escape(row['kind'])}</td><td>{escape(row['question'])}</td>"
            f"<td>{escape(row['answer'])}</td><td>{row['citations']}</td>{cells}"
            f"<td>{'✓' if row['passed'] else '✗'}</td></tr>"
        )
    summary_rows = "".join(
        f"<tr><td>{escape(n)}</td><td>{v:.3f}</td><td>{_fmt(result.thresholds.get(n))}</td>"
        f"<td>{_delta(v, before.get(n))}</td></tr>"
        for n, v in result.summary.items()
    )
    length_rows = "".join(
        f"<tr><td>{escape(n)}</td><td>{v:.0f}</td><td>{_chars(result.maximums.get(n))}</td></tr>"
        for n, v in result.lengths.items()
    )
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}}table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:4px 6px;vertical-align:top}}tr.bad{{background:#fee2e2}}</style></head><body>
<h1>Evaluation report</h1><p>{escape(str(payload["created"]))} · {escape(mode)} · {len(result.rows)} questions ·
<b>gate {"passed" if result.passed else "FAILED"}</b></p>
<h2>Metrics</h2>{_svg_chart(result.summary, result.thresholds)}
<table><tr><th>metric</th><th>mean</th><th>threshold</th><th>change since previous run</th></tr>{summary_rows}</table>
<h2>Answer length (characters)</h2><table><tr><th>measure</th><th>value</th><th>at most</th></tr>{length_rows}</table>
<h2>Per question</h2><table><tr><th>id</th><th>kind</th><th>question</th><th>answer</th><th>citations</th>{head}<th>pass</th></tr>
{"".join(body)}</table></body></html>"""
    (out_dir / "latest.html").write_text(html)
    return payload
