"""What a question asks, from spaCy's parse: the names it is about, its key terms, the kind of answer it
wants, and its parts. Politeness, greetings and requests ("could you tell me", "I'm trying to
understand") are recognised from the parse as the frame around the question, not as what it asks.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ingest.language import NAME_LABELS, content_lemmas, is_content, is_name_word, name_spans, pipeline

# The answer types of the interrogative words (a closed class of English), as spaCy entity labels.
PERSON_LABELS = frozenset(["PERSON", "ORG", "NORP"])
PLACE_LABELS = frozenset(["GPE", "LOC", "FAC"])
DATE_LABELS = frozenset(["DATE", "TIME"])
NUMBER_LABELS = frozenset(["CARDINAL", "QUANTITY", "MONEY", "PERCENT"])
# Nouns by which a question refers to the library itself ("what do the articles say"): not a topic.
CORPUS_NOUNS = frozenset(["article", "source", "text", "report", "passage", "document", "library"])
_WH_TAGS = ("WP", "WDT", "WRB", "WP$")
_TAG = re.compile(r"<[^>]{0,500}>")


@dataclass
class NameGroup:
    """A name the question is about, and the lower-case words that identify it."""

    text: str
    keys: set[str]
    aliases: set[str] = field(default_factory=set)  # an abbreviation the articles define for it
    label: str = ""  # spaCy's entity label, when it recognised the name


@dataclass
class QuestionProfile:
    """What a question (or one part of it) asks about and what kind of answer satisfies it."""

    text: str
    query: str = ""  # the words of the question itself, without the request around it, for retrieval
    # The same words before an overview is cut down to its names and terms, closed as a question: what the
    # reader reads.
    asked: str = ""
    names: list[NameGroup] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    # person | place | date | number | choice (which/what N) | statement | reason | overview | any
    wants: str = "any"
    answer_labels: frozenset[str] = frozenset()
    focus_noun: str | None = None  # "minister" in "which minister", "kind" in "what kind of ..."
    focus_modifiee: str | None = None  # "negotiation" in "what kind of negotiations"
    plural: bool = False  # asks for several items ("which groups")
    # "fighter" and "fighters" in "how many fighters": what an asked figure must count, as lemma and as written
    counted_noun: frozenset[str] = frozenset()
    # The noun the question asks about ("budget" in "the Taliban's military budget", "population" in
    # "the population of Kabul"): evidence that never mentions it does not answer.
    head_terms: set[str] = field(default_factory=set)
    parts: list[QuestionProfile] = field(default_factory=list)
    pronoun_subject: bool = False  # "who leads them": refers back to another part
    # The words that tie a named subject to what the question is really about ("group" and "lead" in "the
    # group led by Yasin Zia"): the answer may be about that other thing, one step away from the name.
    link_terms: set[str] = field(default_factory=set)
    # One-word names used as adjectives of a common noun ("the anti-Taliban factions", "Which Taliban
    # minister"): they describe what is asked about rather than name it, so they count as key terms.
    modifier_words: set[str] = field(default_factory=set)
    # "Where did he say it?": the question is about an act of saying, though it asks for a place.
    about_saying: bool = False
    # "Tell me about Dostum", "What do the articles say about Iran?": an overview asked of the library (the
    # request around it names the library, the reader or the asker), not a question of one fact about a
    # name ("What happened to X?", "What does X want?").
    asks_the_library: bool = False

    @property
    def asked_terms(self) -> set[str]:
        return self.terms - self.link_terms

    @property
    def name_keys(self) -> set[str]:
        out: set[str] = set()
        for group in self.names:
            out |= group.keys
        return out

    @property
    def is_factoid(self) -> bool:
        return self.wants in ("person", "place", "date", "number", "choice")

    @property
    def is_list(self) -> bool:
        return self.plural and self.wants in ("person", "choice")


def clean_question(text: str) -> str:
    """The question as plain text: markup removed, entities decoded, whitespace collapsed."""
    text = html.unescape(_TAG.sub(" ", text)) if "<" in text or "&" in text else text
    return " ".join(text.split())


def _is_frame_verb(token) -> bool:
    """A verb of the request around the question: "could you tell me", "I'm trying to understand",
    "summarize ...", "what do the articles say". Its subject is the reader, the assistant or the library,
    or it is an imperative."""
    if token.pos_ not in ("VERB", "AUX"):
        return False
    subjects = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
    if subjects:
        s = subjects[0]
        if s.dep_ == "nsubjpass" and s.tag_ in _WH_TAGS and _asks_what_is_known(token):
            return True  # "What is known about X", "What has been reported about X": what the library holds
        return s.lower_ in ("i", "you", "we") or s.lemma_.lower() in CORPUS_NOUNS
    if token.dep_ == "ROOT" and token.tag_ == "VB" and token.i == token.sent.start + _lead(token.sent):
        return True  # an imperative: "Tell me about ...", "Summarize ..."
    # "trying to understand", "want to know"
    return token.dep_ == "xcomp" and _is_frame_verb(token.head)


def _asks_what_is_known(verb) -> bool:
    """ "is known / has been reported about X" (or "of X"): a passive verb of knowing with nothing after
    it but its topic; not "is reported to have happened", "was reported by X", "is known as X", "was written
    on the banner", whose verb, agent, name or place is what is asked."""
    children = list(verb.children)
    return (
        verb.lemma_.lower() in _KNOWING_VERBS
        and any(c.dep_ == "prep" and c.lower_ in ("about", "of") for c in children)
        and not any(c.dep_ in ("xcomp", "ccomp", "oprd", "agent", "acomp") for c in children)
        and not any(c.dep_ == "prep" and c.lower_ in ("as", "by") for c in children)
    )


def _lead(sent) -> int:
    """Tokens before the first real word of a sentence (interjections, "please", punctuation)."""
    i = 0
    for t in sent:
        if t.pos_ in ("INTJ", "PUNCT") or t.lower_ in ("please", "so", "and", "ok", "okay"):
            i += 1
        else:
            break
    return i


def _asking_text(text: str) -> str:
    """A long message with a question mark in it: only its questions (and requests) are asked; the
    context told around them ("I am a student writing a paper on ...") is left out before parsing."""
    from ingest.splitting import sentence_spans

    spans = sentence_spans(text)
    if len(spans) < 2 or not any(text[s:e].rstrip().endswith("?") for s, e in spans):
        return text
    sentences = [text[s:e] for s, e in spans]
    kept = [
        sent
        for sent, doc in zip(sentences, pipeline().pipe(sentences), strict=True)
        if sent.rstrip().endswith("?") or _is_imperative(doc)
    ]
    return " ".join(kept) or text


def _is_imperative(doc) -> bool:
    """ "Tell me about Dostum.", "Please summarize ...": a request with no subject."""
    return any(
        t.dep_ == "ROOT" and t.tag_ == "VB" and not any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)
        for t in doc
    )


def _question_sentences(doc) -> list:
    """The sentences that ask something; greetings and statements of context around them are dropped."""
    sents = [s for s in doc.sents if any(not t.is_punct for t in s)]
    imperative = [s for s in sents if any(_is_frame_verb(t) and t.dep_ == "ROOT" for t in s)]
    marked = [s for s in sents if s.text.rstrip().endswith("?")]
    if marked:
        # A question mark says where the questions are; the context told around them is not asked.
        return [s for s in sents if s in marked or s in imperative]
    # An interrogative word that opens a question, not a relative one ("the commanders who ...").
    asking = [
        s for s in sents if s in imperative or any(t.tag_ in _WH_TAGS and t.head.dep_ != "relcl" for t in s)
    ]
    return asking or sents


def _counted_noun(wh) -> frozenset[str]:
    """ "How many Taliban soldiers ...": the noun that "many" counts, whose figure the question asks for
    (its lemma and the word as written: "woman" and "women")."""
    doc = wh.doc
    nxt = doc[wh.i + 1] if wh.lower_ == "how" and wh.i + 1 < len(doc) else None
    if nxt is None or nxt.lower_ != "many" or nxt.head.pos_ != "NOUN":
        return frozenset()
    return frozenset({nxt.head.lemma_.lower(), nxt.head.lower_})


def _wants(wh, doc) -> tuple[str, frozenset[str], str | None, str | None, bool]:
    """The kind of answer an interrogative word asks for: (wants, labels, focus noun, modified noun,
    plural)."""
    word = wh.lower_
    nxt = doc[wh.i + 1] if wh.i + 1 < len(doc) else None
    if word in ("who", "whom", "whose"):
        verb = wh.head
        plural = verb.tag_ in ("VBP",) and verb.lower_ not in ("do",)
        return "person", PERSON_LABELS, None, None, plural
    if word == "when":
        return "date", DATE_LABELS, None, None, False
    if word == "where":
        return "place", PLACE_LABELS, None, None, False
    if word == "why":
        return "reason", frozenset(), None, None, False
    if word == "how":
        if nxt is not None and nxt.lower_ in ("many", "much"):
            return "number", NUMBER_LABELS, None, None, False
        if nxt is not None and nxt.lower_ in ("long", "old"):
            return "number", DATE_LABELS | NUMBER_LABELS, None, None, False
        return "reason", frozenset(), None, None, False
    # which / what: the noun it determines, or the noun it asks about ("what are the main groups")
    noun = wh.head if wh.dep_ == "det" else None
    if noun is None and wh.dep_ in ("attr", "nsubj") and wh.head.lemma_ == "be":
        # "What are the main groups": a list; "What is the key obstacle": an explanation.
        noun = next(
            (c for c in wh.head.children if c.dep_ in ("nsubj", "attr") and c.i != wh.i and c.tag_ == "NNS"),
            None,
        )
    if noun is None and nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and wh.tag_ == "WDT":
        noun = nxt
    if noun is not None:
        lemma = noun.lemma_.lower()
        modifiee = None
        if lemma in ("kind", "type", "sort", "form"):
            obj = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            target = next((c for c in obj.children if c.dep_ == "pobj"), None) if obj else None
            modifiee = target.lemma_.lower() if target is not None else None
        if lemma in ("year", "date", "month", "day", "time"):
            return "date", DATE_LABELS, lemma, None, False
        if lemma in ("number", "percentage", "share", "amount", "figure"):
            return "number", NUMBER_LABELS, lemma, None, False
        return "choice", frozenset(NAME_LABELS), lemma, modifiee, noun.tag_ in ("NNS", "NNPS")
    return "any", frozenset(), None, None, False


def _modifier_words(doc, tokens) -> set[str]:
    """Lower-case one-word names that modify a common noun ("anti-Taliban" in "the anti-Taliban
    factions"), with the parts of a hyphenated one."""
    out: set[str] = set()
    inside = {t.i for t in tokens}
    for t in tokens:
        if t.dep_ not in ("amod", "compound") or t.head.pos_ != "NOUN" or t.head.i not in inside:
            continue
        if t.pos_ == "PROPN" or t.ent_type_ in NAME_LABELS or t.text[:1].isupper():
            first = t.i
            # "anti-Taliban": the pieces of one hyphenated word, written without spaces between them
            while first > 0 and not doc[first - 1].whitespace_ and doc[first - 1].head.i == t.head.i:
                first -= 1
            word = doc.text[doc[first].idx : t.idx + len(t.text)].lower()
            if not any(c.isspace() for c in word):
                out |= {word, *(p for p in word.split("-") if p)}
    return out


def _names(doc, tokens) -> list[NameGroup]:
    names: list[NameGroup] = []
    inside = {t.i for t in tokens}
    modifiers = _modifier_words(doc, tokens)
    for ent in name_spans(doc):
        span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
        if ent.label not in NAME_LABELS or span is None or not any(t.i in inside for t in span):
            continue
        if doc.text[ent.start : ent.end].lower() in modifiers:
            continue
        text = doc.text[ent.start : ent.end]
        keys = {t.lower_ for t in span if is_name_word(t)} or {text.lower()}
        names.append(NameGroup(text, keys, label=ent.label))
    # Proper nouns the entity recogniser missed ("Dostum" alone, an abbreviation in capitals)
    covered = {t.i for ent in doc.ents for t in ent}
    run: list = []
    for t in [*tokens, None]:
        if (
            t is not None
            and t.i not in covered
            and t.pos_ == "PROPN"
            and is_content(t)
            and t.i in inside
            and t.lower_ not in modifiers
        ):
            run.append(t)
            continue
        # A run in lower case ("ed" of "op-ed", tagged as a proper noun) is not a name: a lower-case
        # question is cased from the library's names and parsed again (`truecase_names`).
        if run and any(c.isupper() for r in run for c in r.text):
            text = doc.text[run[0].idx : run[-1].idx + len(run[-1].text)]
            names.append(NameGroup(text, {r.lower_ for r in run}))
        run = []
    return names


def _focus(tokens, wh) -> list:
    """The tokens of the clause the interrogative word belongs to ("who leads X" in "I'm trying to
    understand ..., could you tell me who leads X?")."""
    if wh is None:
        return tokens
    inside = {t.i for t in tokens}
    head = wh.head
    while (head.pos_ not in ("VERB", "AUX") or head.dep_ in ("aux", "auxpass")) and head.head.i != head.i:
        head = head.head
    clause = _clause_words(head, inside)
    # "When is the next round ... planned?" parsed with "When is" as a clause of its own: that clause
    # names nothing, so the question is the whole sentence.
    while not any(t.pos_ in ("NOUN", "PROPN") for t in clause) and head.head.i != head.i:
        head = head.head
        clause = _clause_words(head, inside)
    return clause or tokens


def _clause_words(head, inside: set[int]) -> list:
    """The words from the first to the last that `head` governs. spaCy's `subtree` leaves out a word
    moved to the front across the clause ("What does ZASLB stand for?" parses "What" as the object of
    "for", a non-projective arc), which would drop the interrogative and leave a yes/no question behind;
    following each word's heads keeps it, and the words between ("does she say" in "What does she say
    none of her proposals require?") belong to the question too."""
    governed = [t.i for t in head.doc if t.i in inside and (t.i == head.i or head.is_ancestor(t))]
    return [t for t in head.doc[min(governed) : max(governed) + 1] if t.i in inside]


def _link_terms(doc, tokens, wh) -> set[str]:
    """ "the group led by Yasin Zia", "Yasin Zia's group", "the man who leads the HKDL": a common noun that
    stands for something the named subject is tied to, with the words that tie them. Read from the word
    order and tags, which the small pipeline gets right more often than the attachment of these phrases."""
    inside = {t.i for t in tokens}
    focus = wh.head.i if wh is not None and wh.dep_ == "det" else None
    out: set[str] = set()

    def noun(i: int) -> bool:
        return 0 <= i < len(doc) and doc[i].pos_ == "NOUN" and i != focus and i in inside

    for ent in name_spans(doc):
        span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
        if span is None or span.start not in inside:
            continue
        first, after = span.start, span.end
        while first > 0 and doc[first - 1].pos_ == "DET":
            first -= 1
        # "Yasin Zia's group"
        if after + 1 < len(doc) and doc[after].lower_ in ("'s", "’s") and noun(after + 1):
            out.add(doc[after + 1].lemma_.lower())
        # "the group led by Yasin Zia"
        if (
            first >= 3
            and doc[first - 1].lower_ == "by"
            and doc[first - 2].tag_ in ("VBN", "VBD")
            and noun(first - 3)
        ):
            out |= {doc[first - 3].lemma_.lower(), doc[first - 2].lemma_.lower()}
        # "the man who leads the HKDL"
        if (
            first >= 3
            and doc[first - 1].pos_ == "VERB"
            and doc[first - 2].lower_ in ("who", "that", "which")
            and noun(first - 3)
        ):
            out |= {doc[first - 3].lemma_.lower(), doc[first - 1].lemma_.lower()}
    return out


def _relation_idioms(tokens) -> set[str]:
    """ "in charge of X", "in command of X", "at the helm of X": the noun only says that someone runs X;
    the answer is the name next to X, whatever word the article uses for running it."""
    out = set()
    for t in tokens:
        if (
            t.pos_ == "NOUN"
            and t.dep_ == "pobj"
            and t.head.lower_ in ("in", "at", "under")
            and any(c.dep_ == "prep" and c.lower_ == "of" for c in t.children)
            and not any(c.dep_ in ("amod", "compound", "poss") for c in t.children)
        ):
            out.add(t.lemma_.lower())
    return out


def _as_question(words: str) -> str:
    """The question's words closed as a question ("who leads X" cut from "could you tell me who leads X?
    Thanks", or typed without its mark): the reader reads every question ended the same way (the
    five-epoch reader gave "who leads X" 0.82 and "who leads X?" 0.94 on a seed sentence)."""
    words = words.rstrip()
    return words if not words or words[-1] in "?.!" else words + "?"


def _wh_phrase(wh) -> set[int]:
    """The interrogative word with the words that belong to it ("how many", "how long", "which")."""
    out = {wh.i}
    if wh.lower_ == "how" and wh.i + 1 < len(wh.doc):
        out.add(wh.i + 1)
    return out


def _profile_tokens(doc, tokens, text: str) -> QuestionProfile:
    """A profile from the tokens of one question (or one part of it)."""
    wh = next((t for t in tokens if t.tag_ in _WH_TAGS), None)
    tokens = _focus(tokens, wh)
    frame = {t.i for t in tokens if _is_frame_verb(t)} | (_wh_phrase(wh) if wh is not None else set())
    names = _names(doc, tokens)
    name_keys = set().union(*(n.keys for n in names)) if names else set()
    content = [
        t
        for t in tokens
        if t.i not in frame
        and t.lemma_.lower() not in CORPUS_NOUNS
        and t.lower_ not in name_keys
        and not (t.ent_type_ in NAME_LABELS and t.lower_ in name_keys)
    ]
    # "What does X want / think / believe": the verb asks for X's position; articles rarely repeat it.
    stance = {
        t.lemma_.lower() for t in tokens if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in _STANCE_VERBS
    }
    terms = set(content_lemmas(content)) - _relation_idioms(tokens) - stance
    query = doc.text[tokens[0].idx : tokens[-1].idx + len(tokens[-1].text)] if tokens else text
    profile = QuestionProfile(text=text, query=query, asked=_as_question(query), names=names, terms=terms)
    if wh is not None:
        wants, labels, noun, modifiee, plural = _wants(wh, doc)
        profile.wants, profile.answer_labels, profile.focus_noun = wants, labels, noun
        profile.focus_modifiee, profile.plural = modifiee, plural
        profile.counted_noun = _counted_noun(wh)
        if noun:
            profile.terms.discard(noun)
            noun_token = wh.head if wh.dep_ == "det" else None
            if noun_token is not None and noun_token.dep_ == "dobj":
                # "What role did Iran play": the noun and its verb are the slot asked about.
                profile.terms.discard(noun_token.head.lemma_.lower())
        if wh.lower_ == "what" and wh.dep_ == "nsubj" and wh.head.pos_ == "VERB":
            profile.terms.discard(wh.head.lemma_.lower())  # "what happened to him": the event asked about
        wh_is_object_of_frame = wh.head.i in frame
        # "What do the articles say about Iran", "How do the articles describe the Council"
        if wh_is_object_of_frame and wants in ("any", "choice", "reason") and not (terms - {noun}):
            profile.wants = "overview"  # "what do the articles say about Iran"
            # not "How was X out?", whose verb is in the frame only as the word after "how"
            profile.asks_the_library = _is_frame_verb(wh.head)
        elif _asks_for_words(wh, frame):
            profile.wants = "statement"
    elif frame and not terms:
        profile.wants = "overview"  # "Tell me about Dostum", "Summarize the articles on Iran"
        profile.asks_the_library = True
    elif frame and _asks_for_words(None, frame, tokens):
        profile.wants = "statement"
    if (
        profile.wants in ("any", "person", "choice")
        and names
        and not profile.terms
        and _is_copula(wh)
        and not _relation_idioms(tokens)
    ):
        profile.wants = "overview"  # "Who was Ahmad Shah Massoud?", "What is the Freedom Front?"
    if profile.wants == "any" and names and not profile.terms:
        profile.wants = "overview"
    profile.head_terms = _head_terms(tokens, frame, wh) & profile.terms
    if profile.wants == "overview" and names:
        # "What do the articles say about Dostum": search for Dostum, not for "articles say".
        profile.query = " ".join([n.text for n in names] + sorted(profile.terms))
    profile.link_terms = _link_terms(doc, tokens, wh) & profile.terms
    profile.modifier_words = _modifier_words(doc, tokens)
    profile.about_saying = any(
        t.pos_ == "VERB" and t.i not in frame and t.lemma_.lower() in _SAYING_VERBS for t in tokens
    )
    for word in profile.modifier_words:
        parts = set(word.split("-"))
        if len(parts) > 1 and parts <= profile.terms:
            profile.terms = (profile.terms - parts) | {word}  # "anti-taliban" is one term, not two
    profile.pronoun_subject = any(
        t.pos_ == "PRON" and t.lower_ in ("them", "they", "it", "their") for t in tokens
    )
    return profile


def _head_terms(tokens, frame: set[int], wh) -> set[str]:
    """The nouns the evidence must hold: the object of a frame verb ("Tell me the budget") or of the verb
    asked about ("Which country supplies weapons to X")."""
    out = set()
    for t in tokens:
        if t.pos_ != "NOUN" or not is_content(t):
            continue
        requested = t.dep_ == "dobj" and t.head.i in frame
        # "Which country supplies weapons to X": what the asked-about act is done to.
        acted_on = (
            t.dep_ == "dobj"
            and t.head.pos_ == "VERB"
            and t.head.dep_ in ("ROOT", "ccomp", "conj")
            and t.head.lemma_.lower() not in _LIGHT_VERBS
        )
        if requested or acted_on:
            out.add(t.lemma_.lower())
    return out


def _is_copula(wh) -> bool:
    return wh is not None and wh.head.lemma_ == "be" and wh.dep_ in ("attr", "nsubj")


def _asks_for_words(wh, frame: set[int], tokens=None) -> bool:
    """ "What did X say / tell / argue": a verb of saying whose subject is not the reader or the library."""
    if wh is not None and wh.lower_ not in ("what", "which"):
        return False  # "Where did he say it?" asks for a place, not for his words
    verb = wh.head if wh is not None else None
    candidates = [verb] if verb is not None else [t for t in tokens or [] if t.pos_ == "VERB"]
    for v in candidates:
        if v is None or v.i in frame:
            continue
        if any(c.dep_ == "ccomp" for c in v.children) and wh is not None and wh.dep_ == "dobj":
            continue
        if v.lemma_.lower() in _SAYING_VERBS:
            return True
    # "What was Noor's message to ...": a noun of saying that the question asks to see.
    if wh is not None and _is_copula(wh):
        nouns = [c for c in wh.head.children if c.dep_ in ("nsubj", "attr") and c.i != wh.i]
        # somebody's message, or a message to / about somebody; not "the statement released ... titled"
        return any(
            n.lemma_.lower() in _SPEECH_NOUNS
            and any(
                c.dep_ == "poss" or (c.dep_ == "prep" and c.lower_ in ("to", "about", "on"))
                for c in n.children
            )
            for n in nouns
        )
    return False


# Verbs of saying (a closed class).
_SAYING_VERBS = {"say", "tell", "state", "remark", "comment", "argue", "claim", "warn", "express"}
# Verbs whose passive with an interrogative subject asks what the sources hold ("What is known about X?"),
# not for one fact (a closed class; "What was decided about X?" asks for the decision).
_KNOWING_VERBS = {"know", "report", "document", "understand", "write"}
# Verbs that ask for somebody's position rather than name it (a closed class).
_STANCE_VERBS = {"want", "think", "believe", "feel"}
# Verbs whose object carries the meaning with them ("take place", "take part", "make sure"): a closed class.
_LIGHT_VERBS = {"take", "make", "have", "give", "do", "get"}
# Nouns that name somebody's words (a closed class, like the verbs of saying above).
_SPEECH_NOUNS = {"message", "statement", "remark", "comment", "word", "quote", "response", "reply", "warning"}


def analyse_question(question: str) -> QuestionProfile:
    """The profile of a question; a question with several parts ("who leads X and what does it want?",
    "Who is X? Where is he based?") has one profile per part in `parts`."""
    return analyse_question_doc(question)[0]


def analyse_question_doc(question: str):
    """The profile of a question and spaCy's parse of the words it asks."""
    text = _asking_text(clean_question(question))
    doc = pipeline()(text)
    return analyse_doc(doc), doc


def analyse_doc(doc) -> QuestionProfile:
    sentences = _question_sentences(doc)
    tokens = [t for s in sentences for t in s]
    focus_text = " ".join(s.text for s in sentences)
    whole = _profile_tokens(doc, tokens, focus_text)
    parts = []
    for sent in sentences:
        for clause in _clauses(sent):
            parts.append(
                _profile_tokens(doc, clause, doc.text[clause[0].idx : clause[-1].idx + len(clause[-1])])
            )
    parts = [p for p in parts if p.query.strip(" ?.!")]
    for before, part in zip(parts, parts[1:], strict=False):
        if part.pronoun_subject and not part.names:
            # "When was X founded and who leads it?": "it" is the previous part's subject; "What are the
            # groups and who leads them?": "them" are the items of the previous part's list.
            part.names = [NameGroup(g.text, set(g.keys), set(g.aliases), g.label) for g in before.names]
            part.plural = part.plural or (before.plural and _plural_pronoun(part.text))
    if len(parts) > 1:
        whole.parts = parts
        whole.terms = set().union(*(p.terms for p in parts))
        whole.head_terms = set().union(*(p.head_terms for p in parts))
        # the first part decides the kind of the whole ("What are the groups and who leads them?")
        whole.wants, whole.answer_labels = parts[0].wants, parts[0].answer_labels
        whole.focus_noun, whole.plural = parts[0].focus_noun, parts[0].plural or whole.plural
    return whole


def _plural_pronoun(text: str) -> bool:
    return bool(re.search(r"\b(them|they|their)\b", text, re.IGNORECASE))


def _clauses(sent) -> list[list]:
    """Split a sentence at a coordinated question ("What are X and who leads them?"): a conjunct verb
    with its own interrogative word starts a new part."""
    cuts = []
    for t in sent:
        if t.dep_ == "conj" and t.pos_ in ("VERB", "AUX") and any(c.tag_ in _WH_TAGS for c in t.subtree):
            left = min(c.i for c in t.subtree)
            cc = [c for c in t.head.children if c.dep_ == "cc" and c.i < left]
            cuts.append(cc[-1].i if cc else left)
    if not cuts:
        return [list(sent)]
    out, start = [], sent.start
    for cut in sorted(cuts):
        out.append([t for t in sent.doc[start:cut]])
        start = cut
    out.append([t for t in sent.doc[start : sent.end]])
    return [[t for t in c if not (t.dep_ == "cc" and t.i == c[0].i)] or c for c in out if c]
