"""The CI gate: the real pipeline over the golden set, scored by ragas, must reach every threshold.

On failure it prints the table of what fell short. The report lands in evals/reports/.
"""

import json

from evals.cli import run_eval
from evals.report import REPORTS_DIR, failure_table
from tests.server.conftest import make_settings


def test_golden_set_meets_the_thresholds(tmp_path, embedder):
    from server.service import build_service

    settings = make_settings(tmp_path / "data")
    service = build_service(settings, embedder=embedder)
    result = run_eval(settings, service=service)
    assert result.passed, "the eval gate failed:\n" + failure_table(result)
    saved = json.loads((REPORTS_DIR / "latest.json").read_text())
    assert saved["summary"] == result.summary and len(saved["rows"]) == len(result.rows)
    html = (REPORTS_DIR / "latest.html").read_text()
    assert "<svg" in html and "change since previous run" in html
    assert "| id | kind | question | answer | citations |" in (REPORTS_DIR / "latest.md").read_text()


def test_eval_against_a_running_server_matches_in_process(api, tmp_path):
    # The golden splits over HTTP; the reading corpus's test split (about 2,000 questions) runs in process only.
    splits = ["core", "robustness", "dev", "blind"]
    result = run_eval(
        make_settings(tmp_path / "unused"), url=api, out_dir=tmp_path / "reports", splits=splits
    )
    assert result.passed, failure_table(result)
    assert (tmp_path / "reports" / "latest.md").exists()


def test_gate_reports_what_fell_short(tmp_path, embedder):
    from evals.clients import InProcessClient
    from evals.golden import load_golden
    from evals.runner import run_items, score
    from server.service import build_service

    service = build_service(make_settings(tmp_path / "data"), embedder=embedder)
    items = [i for i in load_golden() if i.id in ("noor-war", "un-budget")]
    impossible = {"key_fact_recall": 1.01}
    result = score(run_items(items, InProcessClient(service)), thresholds=impossible)
    assert not result.passed
    table = failure_table(result)
    assert "key_fact_recall" in table and "noor-war" in table
