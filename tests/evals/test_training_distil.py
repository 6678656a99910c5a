"""Distilling the reader to fewer layers: the student starts from the teacher's first layers and heads, its
loss against the teacher is least where it gives the teacher's outputs (and the verdict only counts for yes/no
questions), and a warm start that asks for fewer layers trains such a student from the committed reader."""

import json
from dataclasses import replace

import pytest
import torch

from evals.training import train as training
from evals.training.config import TrainConfig
from evals.training.corpus import load_corpus
from evals.training.distil import TEACHER_FILE, distil_loss, student_state
from evals.training.examples import IGNORE
from evals.training.export import _warm_start_lines
from evals.training.model import ReaderModel
from evals.training.warm_start import write_resume_folder
from index.embedding import bundled_model_path
from server.answer.reader.model import CARD_NAME
from tests.evals.test_training_warm_start import one_more_epoch_of_the_committed_model


def _outputs(seed: int, rows: int = 4, width: int = 9):
    g = torch.Generator().manual_seed(seed)
    answers, verdict = torch.randn(rows, generator=g), torch.randn(rows, 3, generator=g)
    start, end = torch.randn(rows, width, generator=g), torch.randn(rows, width, generator=g)
    outside = torch.zeros(rows, width)
    outside[:, 6:] = -1e4  # outside the candidate, as training masks them
    return answers, verdict, start + outside, end + outside


def test_the_loss_is_least_where_the_student_gives_the_teachers_outputs():
    config = TrainConfig()
    teacher = _outputs(1)
    verdicts = torch.tensor([0, IGNORE, 2, IGNORE])
    same = distil_loss(teacher, teacher, verdicts, config)
    for seed in range(2, 6):
        other = _outputs(seed)
        assert distil_loss(other, teacher, verdicts, config) > same + 0.01
    # a student that differs only in the verdicts of questions that are not yes/no loses nothing
    answers, verdict, start, end = teacher
    changed = verdict.clone()
    changed[1] += torch.tensor([5.0, -5.0, 0.0])
    assert torch.isclose(distil_loss((answers, changed, start, end), teacher, verdicts, config), same)
    # and the gradient leads towards the teacher: one step on a student's logits lowers the loss
    student = [x.clone().requires_grad_(True) for x in _outputs(7)]
    before = distil_loss(tuple(student), teacher, verdicts, config)
    before.backward()
    with torch.no_grad():
        stepped = tuple(x - 0.1 * x.grad for x in student)
    assert distil_loss(stepped, teacher, verdicts, config) < before


def test_a_student_keeps_the_teachers_first_layers_and_heads():
    teacher = ReaderModel(bundled_model_path(), 2).state_dict()
    student = ReaderModel(bundled_model_path(), 1)
    kept = student_state(teacher, student.state_dict().keys())
    assert not any(".layer.1." in k for k in kept)
    assert torch.equal(
        kept["bert.encoder.layer.0.output.dense.weight"], teacher["bert.encoder.layer.0.output.dense.weight"]
    )
    assert torch.equal(kept["answers.weight"], teacher["answers.weight"])
    student.load_state_dict(kept)  # every key the student has, nothing else
    with pytest.raises(ValueError, match="no weights for"):
        student_state(teacher, [*student.state_dict().keys(), "bert.encoder.layer.5.output.dense.weight"])


@pytest.mark.slow
def test_a_warm_start_with_fewer_layers_distils_the_committed_reader_into_a_student(tmp_path):
    committed, card, _done, config = one_more_epoch_of_the_committed_model(layers=1)
    folder = write_resume_folder(committed, config, tmp_path / "warm-start")
    logged = json.loads((folder / "history.json").read_text())["teacher"]
    assert logged["layers"] == card["layers"] and logged["sha256"] == card["sha256"]
    teacher = torch.load(folder / TEACHER_FILE)
    start = torch.load(folder / "reader.pt")
    assert not any(".layer.1." in k for k in start)
    assert torch.equal(start["answers.weight"], teacher["answers.weight"])

    out = tmp_path / "run"
    history = training.train(config, out, load_corpus(desks=["afpol"]), max_items=4, resume=folder)
    assert history["teacher"] == logged  # kept in the run's own log, so `--resume` goes on distilling
    assert json.loads((out / "history.json").read_text())["teacher"] == logged
    trained = torch.load(out / "reader.pt")
    assert not any(".layer.1." in k for k in trained)
    assert not torch.equal(trained["answers.weight"], start["answers.weight"])
    assert any("taught it" in line for line in _warm_start_lines(history))
    with pytest.raises(ValueError, match="asks for 7"):  # a student cannot have more layers than its model
        write_resume_folder(committed, replace(config, layers=7), tmp_path / "more")


def test_a_warm_start_from_a_distilled_model_keeps_its_teacher_as_a_past_one(tmp_path):
    """The card of a student names the teacher it learned from (and where its file was on the machine that
    trained it); a later warm start that does not distil must not look for that file, and one that does
    distils from the model it starts from."""
    import shutil

    committed, card, _done, config = one_more_epoch_of_the_committed_model()
    student_dir = tmp_path / "student"
    shutil.copytree(committed, student_dir)
    gone = {
        "from": "reader-int8.onnx",
        "sha256": "ab" * 32,
        "epochs": 6,
        "layers": 6,
        "path": "/gone/teacher.pt",
    }
    card["training"]["teacher"] = gone
    (student_dir / CARD_NAME).write_text(json.dumps(card))
    history = json.loads(
        (write_resume_folder(student_dir, config, tmp_path / "again") / "history.json").read_text()
    )
    assert "teacher" not in history
    assert history["past_teachers"] == [{k: v for k, v in gone.items() if k != "path"}]
    distilling = write_resume_folder(student_dir, replace(config, layers=1), tmp_path / "fewer")
    assert json.loads((distilling / "history.json").read_text())["teacher"]["sha256"] == card["sha256"]
