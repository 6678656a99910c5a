"""Every number the reader's training reads, in one described place (`briefing train` may override some)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from server.answer.reader.encoding import TokenBudget


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 13
    # Passes over the training pairs.
    epochs: int = 2
    batch_size: int = 16
    learning_rate: float = 5e-5
    weight_decay: float = 0.01
    # Share of the steps over which the learning rate rises from 0 (then it falls linearly to 0).
    warmup_share: float = 0.1
    # Encoder layers kept from the bundled six (fewer is faster to serve; chosen by measurement).
    layers: int = 6
    # Per question: the sentences most like it by the bundled encoder that do not answer it (hard
    # negatives), random sentences of its article, and random sentences of another article of its desk.
    hard_negatives: int = 4
    random_negatives: int = 1
    other_article_negatives: int = 1
    # Share of pairs read without their previous or next sentence (a candidate at the edge of what
    # retrieval returned has none at serving time).
    drop_neighbour_share: float = 0.1
    # Weights of the three heads' losses.
    answer_loss: float = 1.0
    span_loss: float = 0.5
    verdict_loss: float = 0.5
    # Distillation to fewer layers (`--warm-start DIR --layers N`, N below the layers of DIR's model, which
    # becomes the teacher): this share of the student's loss is the teacher's soft targets, the rest the
    # labels'; the teacher's outputs are softened at this temperature (evals/training/distil.py).
    distil_weight: float = 0.5
    distil_temperature: float = 2.0
    # Share of the training articles used (the learning curve trains on 0.25, 0.5 and 1.0).
    article_share: float = 1.0
    # A warm-started epoch (`--warm-start`) reads every training question of the desks its model has not
    # trained on and this share of the others' (a new seeded sample each epoch, `--replay`), so that an
    # epoch's time grows with the new desks, not with the whole corpus; 1.0 reads them all.
    replay_share: float = 1.0
    # Dev questions are scored after each epoch on the sentences of their articles most like them by the
    # bundled encoder (as serving reads the best few of what retrieval found): 12 hold an answering
    # sentence for 0.97 of dev's answerable questions.
    dev_candidates: int = 12
    budget: TokenBudget = field(default_factory=TokenBudget)
    # Steps between mid-epoch checkpoints (`--resume` goes on from the last one; a whole epoch is one to
    # two hours here and a session can end inside it): 600 steps of 16 pairs are some five to ten minutes.
    checkpoint_steps: int = 600
    # Threads for torch (these 2 cores).
    threads: int = 2
    # Matrix products in bfloat16 (torch autocast; the weights, the optimiser and the losses stay float32),
    # for training and the dev scoring after each epoch; export is float32 as before. This CPU has AVX-512
    # BF16. One epoch on a quarter of the training articles (16,607 pairs), same seed, 2026-12-03: 734 s
    # against 1,398 s in float32, and the same dev figures (top-1 0.647 / 0.649, AUC 0.610 / 0.607, span
    # right 0.293 / 0.296, yes/no 0.567 / 0.567; loss 0.870 / 0.871).
    bf16: bool = True

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """The configuration a run's log (history.json) recorded, so a resumed run goes on with it; a key the
        log lacks keeps its default."""
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("budget"), dict):
            known["budget"] = TokenBudget(**known["budget"])
        return cls(**known)
