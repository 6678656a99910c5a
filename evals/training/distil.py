"""Distilling the reader to fewer layers: a student of N encoder layers starts from a trained teacher's first N
layers and its three heads, and learns from the labels and from the teacher's own outputs on the same pairs
(soft targets at a temperature, as in Hinton et al.'s knowledge distillation): how likely the sentence
answers, where the span starts and ends, and for yes/no questions the verdict. Fewer layers read faster
(`make bench`); whether the student holds the teacher's quality is measured on dev, as any model is."""

from __future__ import annotations

from pathlib import Path

from evals.training.config import TrainConfig
from evals.training.examples import IGNORE

TEACHER_FILE = "teacher.pt"


def student_state(teacher_state: dict, student_keys) -> dict:
    """The teacher's weights a student of fewer layers keeps: its embeddings, its first layers and its heads
    (every key the student has; a key the teacher lacks is an error, not a fresh start)."""
    missing = sorted(k for k in student_keys if k not in teacher_state)
    if missing:
        raise ValueError(f"the teacher has no weights for {missing[:3]}")
    return {k: teacher_state[k] for k in student_keys}


def load_teacher(info: dict):
    """The teacher a distillation run reads (its log's "teacher": the file and its number of layers), in
    evaluation mode (no dropout) and without gradients."""
    import torch

    from evals.training.model import ReaderModel
    from index.embedding import bundled_model_path

    teacher = ReaderModel(bundled_model_path(), info["layers"])
    teacher.load_state_dict(torch.load(Path(info["path"]), map_location="cpu"))
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


def distil_loss(student: tuple, teacher: tuple, verdicts, config: TrainConfig):
    """The student's loss against the teacher's outputs on the same batch, each as (answers, verdict, start,
    end) logits, the span logits already pushed down outside the candidate: binary cross-entropy to the
    teacher's answer probability, and Kullback-Leibler divergence to its span start and end distributions and,
    for the pairs of yes/no questions alone (the only ones the verdict head is trained on), to its verdict; at
    `config.distil_temperature` and scaled by its square (so the gradients keep their size), each weighted
    as the labels' losses are."""
    import torch
    import torch.nn.functional as F

    t = config.distil_temperature
    s_answers, s_verdict, s_start, s_end = student
    t_answers, t_verdict, t_start, t_end = teacher

    def kl(s, q):
        return F.kl_div(
            F.log_softmax(s / t, -1), F.log_softmax(q / t, -1), log_target=True, reduction="batchmean"
        )

    loss = config.answer_loss * F.binary_cross_entropy_with_logits(
        s_answers / t, torch.sigmoid(t_answers / t)
    )
    loss = loss + config.span_loss * (kl(s_start, t_start) + kl(s_end, t_end)) / 2
    yes_no = verdicts != IGNORE
    if yes_no.any():
        loss = loss + config.verdict_loss * kl(s_verdict[yes_no], t_verdict[yes_no])
    return loss * t * t
