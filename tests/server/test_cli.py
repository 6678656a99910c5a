"""The `briefing` console script, run as a user would."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_DIR

BRIEFING = str(Path(sys.executable).parent / "briefing")


def run(args, data_dir):
    env = {**os.environ, "BRIEFING_DATA_DIR": str(data_dir), "BRIEFING_ARTICLES_DIR": str(SEED_DIR)}
    return subprocess.run([BRIEFING, *args], capture_output=True, text=True, env=env, timeout=300)


def test_ingest_search_and_delete_from_the_command_line(tmp_path):
    data = tmp_path / "data"
    first = run(["ingest"], data)
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout
    again = run(["ingest", str(SEED_DIR)], data)
    assert "2 unchanged" in again.stdout
    found = run(["search", "What role did Iran play?", "-k", "3"], data)
    assert found.returncode == 0
    assert "NationPress, 2025-12-11" in found.stdout
    assert "Tehran" in found.stdout
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 nonsense")
    failed = run(["ingest", str(bad)], data)
    assert failed.returncode == 1
    assert "broken.pdf" in failed.stderr and "PDF" in failed.stderr
    gone = run(["ingest", "--delete", "003_5457fee9bd57a84c.txt"], data)
    assert gone.returncode == 0 and "deleted" in gone.stdout
    assert "Tehran" not in run(["search", "Tehran Iran", "-k", "5"], data).stdout


def test_brief_writes_markdown_word_and_pdf_files_and_refuses_bad_arguments(tmp_path):
    import docx
    import pypdf

    data = tmp_path / "data"
    assert run(["ingest"], data).returncode == 0
    topic = "Iran's role in the anti-Taliban talks"
    for name in ("b.md", "b.docx", "b.pdf"):
        made = run(["brief", topic, "--outlet", "NationPress", "-o", str(tmp_path / name)], data)
        assert made.returncode == 0, made.stderr
        assert f"wrote {tmp_path / name}" in made.stdout
    markdown = (tmp_path / "b.md").read_text()
    assert markdown.startswith(f"# Briefing: {topic} (from NationPress)") and "## Sources" in markdown
    assert "NationPress. 2025-12-11." in markdown
    headings = [
        p.text
        for p in docx.Document(str(tmp_path / "b.docx")).paragraphs
        if p.style.name.startswith("Heading")
    ]
    assert "Sources" in headings
    pdf_text = " ".join(page.extract_text() for page in pypdf.PdfReader(str(tmp_path / "b.pdf")).pages)
    assert "Sources" in pdf_text and "NationPress" in pdf_text
    printed = run(["brief", topic, "--since", "2025-12-01"], data)
    assert printed.returncode == 0 and printed.stdout.startswith("# Briefing:")
    for args, message in (
        (
            ["brief", topic, "--since", "2025-12-31", "--until", "2025-01-01", "-o", str(tmp_path / "x.md")],
            "is after until",
        ),
        (["brief", "   ", "-o", str(tmp_path / "x.md")], "topic"),
        (["brief", topic, "--since", "someday", "-o", str(tmp_path / "x.md")], "is not a date"),
        (["brief", topic, "-o", str(tmp_path / "x.rtf")], ".md, .docx, .pdf or .json"),
    ):
        refused = run(args, data)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob(".x.*")), "nothing written"


def test_ask_prints_the_passages_to_check_under_an_unsure_refusal_and_none_under_a_plain_one():
    from server.answer.models import PASSAGES_TO_CHECK, Answer, RetrievedPassage
    from server.cli_serving import format_answer

    retrieved = [
        RetrievedPassage(
            doc_id="d",
            chunk_id=f"c{i}",
            text=f"Passage\n{i}.",
            score=1.0,
            start=10 * i,
            end=10 * i + 9,
            title=f"T{i}",
        )
        for i in range(PASSAGES_TO_CHECK + 1)
    ]
    unsure = Answer(answer="Not surely enough.", refused=True, unsure=True, retrieved=retrieved)
    printed = format_answer(unsure)
    assert "passages to check" in printed and "“Passage 0.”" in printed and "(chars 10-19)" in printed
    assert f"T{PASSAGES_TO_CHECK}" not in printed and "outlet not stated" in printed
    plain = format_answer(unsure.model_copy(update={"unsure": False}))
    assert "(refused: the sources do not answer this)" in plain and "Passage" not in plain
