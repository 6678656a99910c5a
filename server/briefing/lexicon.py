"""Closed-class English the briefing reads roles and answers with: words that tie a person to an
organisation, and the cue each generated question's answer must stand beside. No article's words."""

from __future__ import annotations

import re

ROLE_NOUNS = (
    r"leader|head|chief|commander|spokes(?:man|woman|person)|members?|founder|co-founder|deputy|"
    r"chair(?:man|woman)?|president|secretary|minister|official|representative|envoy|coordinator|director"
)
# Around an organisation's name: "the leader of X", "X's spokesman", "X, led by", "leads X", "joined X".
ORG_ROLE_BEFORE = re.compile(
    rf"(?:\b(?:{ROLE_NOUNS})\s+(?:of|for|at)\s+|\b(?:leads|led|heads|headed|joined|founded|runs|ran|commands)\s+)"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
ORG_ROLE_AFTER = re.compile(
    rf"^(?:\s*\([A-Z]{{2,8}}\))?(?:\s*(?:'s|’s)\s+(?:\w+\s+)?(?:{ROLE_NOUNS})\b|\s*,?\s*(?:led|headed|founded|run|chaired)\s+by\b)",
    re.IGNORECASE,
)
# After a person's name: an apposition or a relative clause ("X, a former commander", "X, who leads").
PERSON_ROLE_AFTER = re.compile(r"^\s*(?:,\s*(?:a|an|the|who|whose|its|his|her)\b|\(|\s+who\b)", re.IGNORECASE)
# Before a person's name: a title ("the front's spokesman X", "commander X").
PERSON_ROLE_BEFORE = re.compile(rf"\b(?:{ROLE_NOUNS})[,]?\s+$", re.IGNORECASE)

# The words an answer to each generated question must stand beside in its source.
LEADS_CUE = re.compile(
    r"\b(?:led|leads|leader|leaders|headed|heads|head of|commanded|commands|commander of|chief of|chaired|"
    r"chairman|chairs)\b",
    re.IGNORECASE,
)
FOUNDED_CUE = re.compile(
    r"\b(?:founded|established|formed|created|set up|launched|announced|unveiled)\b", re.IGNORECASE
)
