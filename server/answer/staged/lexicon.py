"""Closed-class English words the answer engine reads: interrogatives and their answer types, auxiliaries
that open a yes/no question, negation, saying verbs, copulas and connectives. Only grammar lives here;
no name, phrase or topic word of any article does. Open-class words (nouns, verbs) are matched by lemma
and by meaning, never through a list."""

from __future__ import annotations

import re

# The answer types of the interrogative words, as spaCy entity labels.
PERSON_LABELS = frozenset(["PERSON", "ORG", "NORP"])
PLACE_LABELS = frozenset(["GPE", "LOC", "FAC"])
DATE_LABELS = frozenset(["DATE", "TIME"])
NUMBER_LABELS = frozenset(["CARDINAL", "QUANTITY", "MONEY", "PERCENT"])
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
COPULAS = frozenset(["be", "become", "remain"])

# Negation and refusal: a sentence that says a thing did not happen, or that someone declined it.
NEGATION = re.compile(
    r"\b(not|never|no longer|neither|nor|denied|denies|deny|refused|refuses|refuse|declined|declines|"
    r"rejected|rejects|without|n['’]t)\b",
    re.IGNORECASE,
)

# Verbs and phrases of reporting: "X said", "according to X", "in a statement".
SAYING = re.compile(
    r"\b(said|says|say|stated|states|stating|remarked|expressed|told|tells|noted|argued|warned|added|"
    r"according to|announced|declared|insisted|explained|asked|wrote|writes|claimed|claims|described|"
    r"characteri[sz]ed|indicated|urged|called for|statement|remarks?|comments?)\b",
    re.IGNORECASE,
)

# Openers that only tie a sentence to the one before it; a quote may start after them.
CONNECTIVES = re.compile(
    r"^(?:On a different note|On the other hand|Similarly|Notably|However|Meanwhile|Moreover|Furthermore|"
    r"In addition|Additionally|Also|Nevertheless|Nonetheless|In contrast|By contrast|Likewise|Still|"
    r"Separately|Elsewhere|Earlier|Later|Instead)[,:]?\s+"
)


# Words that say a sentence defines who someone is ("X, the commander of ...", "X is a former ...").
DEFINING_AFTER_NAME = re.compile(
    r"^\s*(?:,\s*(?:a|an|the|who|whose|his|her|its|now|once|then|formerly|[a-z]+-?[a-z]*\s+of)\b|"
    r"\s*\((?:a|an|the)\b|\s+(?:is|was|has been|had been|became|served as|remains)\s+(?:a|an|the|one|"
    r"now|also|still|formerly)\b)"
)


# Ordinals a question may qualify an event with ("the second meeting"). Relative ones ("the next round",
# "the latest talks") are not here: an article says which round is meant by its number or its date, not
# by the word the question uses, so they cannot be looked for in a passage.
ORDINALS = frozenset(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
)
# Month names (and their usual abbreviations by their first three letters): what makes a date absolute.
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)

MONTH_PREFIXES = frozenset(m[:3] for m in MONTHS)
WEEKDAY_PREFIXES = frozenset(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
# The nouns "in which month / year / on which day" ask for: a date of that grain.
DATE_GRAINS = frozenset(["year", "month", "day"])

# Support verbs whose object carries the meaning ("play a role", "have a part", "take a position", "hold a
# view"): "What role did X play?" asks for a description, not for a name to choose (a closed class).
SUPPORT_VERBS = frozenset(["play", "have", "take", "hold", "make", "give", "do", "get"])

# Adjectives of measure after "how" that ask for a figure ("how large a force", "how far", "how long").
MEASURE_ADJECTIVES = frozenset(
    ["large", "big", "long", "far", "old", "high", "wide", "deep", "heavy", "strong", "tall", "many", "much"]
)
# Nouns whose "of" names what a figure counts ("the number of fighters").
COUNT_NOUNS = frozenset(["number", "amount", "figure", "count", "total", "share", "percentage", "proportion"])
# The units a figure is given in when a question asks "how far", "how long" or "how old" with no noun.
MEASURE_UNITS = {
    "far": frozenset(["kilometre", "kilometer", "km", "mile", "metre", "meter"]),
    "long": frozenset(["minute", "hour", "day", "week", "month", "year"]),
    "old": frozenset(["year"]),
}
