"""The closed-class English the parse and the quotes read: the entity labels that are names, the auxiliaries
that open a yes/no question, the measure adjectives and support verbs that tell the kind of a question, and
the connectives a quote may start after. Only grammar lives here; no name, phrase or topic word of any
article does. Everything else is the reader's to learn."""

from __future__ import annotations

import re

# The answer types of the interrogative words, as spaCy entity labels.
NAME_ENTITY_LABELS = frozenset(
    ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "LANGUAGE"]
)

# Auxiliaries and copulas that open a yes/no question ("Is X a member ...", "Did X attend ...").
YES_NO_OPENERS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "am",
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "should",
        "shall",
        "may",
        "might",
        "must",
    ]
)
# Negation and refusal: a sentence that says a thing did not happen, or that someone declined it.
# Verbs and phrases of reporting: "X said", "according to X", "in a statement".
# Openers that only tie a sentence to the one before it; a quote may start after them.
CONNECTIVES = re.compile(
    r"^(?:On a different note|On the other hand|Similarly|Notably|However|Meanwhile|Moreover|Furthermore|"
    r"In addition|Additionally|Also|Nevertheless|Nonetheless|In contrast|By contrast|Likewise|Still|"
    r"Separately|Elsewhere|Earlier|Later|Instead)[,:]?\s+"
)


# Words that say a sentence defines who someone is ("X, the commander of ...", "X is a former ...").
# Ordinals a question may qualify an event with ("the second meeting"). Relative ones ("the next round",
# "the latest talks") are not here: an article says which round is meant by its number or its date, not
# by the word the question uses, so they cannot be looked for in a passage.
# Month names (and their usual abbreviations by their first three letters): what makes a date absolute.
# The nouns "in which month / year / on which day" ask for: a date of that grain.
# Support verbs whose object carries the meaning ("play a role", "have a part", "take a position", "hold a
# view"): "What role did X play?" asks for a description, not for a name to choose (a closed class).
SUPPORT_VERBS = frozenset(["play", "have", "take", "hold", "make", "give", "do", "get"])

# Adjectives of measure after "how" that ask for a figure ("how large a force", "how far", "how long").
MEASURE_ADJECTIVES = frozenset(
    ["large", "big", "long", "far", "old", "high", "wide", "deep", "heavy", "strong", "tall", "many", "much"]
)
# Nouns whose "of" names what a figure counts ("the number of fighters").
# The units a figure is given in when a question asks "how far", "how long" or "how old" with no noun.
