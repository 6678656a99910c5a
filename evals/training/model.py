"""The reader as a torch module: the bundled MiniLM with three small heads.

- answers: one logit from [CLS], the candidate sentence answers the question;
- verdict: three logits from [CLS], the candidate says yes / no / neither (yes/no questions);
- span: a start and an end logit per token; the answer lies inside the candidate sentence, and [CLS]
  stands for "no span here" (SQuAD 2.0's no-answer position).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

NEG = -1e4


class ReaderModel(nn.Module):
    def __init__(self, base_dir: Path, layers: int = 6):
        super().__init__()
        from transformers import AutoModel

        self.bert = AutoModel.from_pretrained(str(base_dir), attn_implementation="eager")
        if layers < len(self.bert.encoder.layer):
            self.bert.encoder.layer = self.bert.encoder.layer[:layers]
            self.bert.config.num_hidden_layers = layers
        hidden = self.bert.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        self.answers = nn.Linear(hidden, 1)
        self.verdict = nn.Linear(hidden, 3)
        self.span = nn.Linear(hidden, 2)

    def forward(self, ids, types, mask=None):
        if mask is None:
            mask = torch.ones_like(ids)
        states = self.bert(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
        cls = self.dropout(states[:, 0])
        span = self.span(states)
        return self.answers(cls).squeeze(-1), self.verdict(cls), span[..., 0], span[..., 1]


class ServingReader(nn.Module):
    """What is exported: one unpadded pair in, the heads' logits out; start and end logits outside the
    candidate sentence (and [CLS]) are pushed down, so decoding needs no mask."""

    def __init__(self, model: ReaderModel):
        super().__init__()
        self.model = model

    def forward(self, ids, types, span_mask):
        answers, verdict, start, end = self.model(ids, types)
        start = start + (1 - span_mask) * NEG
        end = end + (1 - span_mask) * NEG
        return answers, verdict, start, end
