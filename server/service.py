"""The public interface of the product: what the HTTP routes, the UI and the evals call."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import asdict

from index.library import IngestOutcome, Library
from index.types import DocumentInfo, SourceFilter, StoredDocument
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.models import DocumentMetadata, IngestError
from server.answer.engine import AnswerEngine
from server.answer.legacy_engine import AnswerEngine as LegacyEngine
from server.answer.models import Answer, ChatTurn, Mode, RetrievedPassage
from server.answer.reader.model import OnnxReader
from server.briefing.models import Briefing
from server.briefing.request import BriefingRequest
from server.feedback import FeedbackStore
from server.metrics import Metrics
from server.settings import Settings

log = logging.getLogger(__name__)
__all__ = ["BriefingService", "IngestError", "SUPPORTED_SUFFIXES", "WriteDenied", "build_service"]
STREAM_WORDS_PER_DELTA = 4


MAX_FILENAME_CHARS = 255


def checked_filename(name: str) -> str:
    """An uploaded file's name, as given, if it is a plain file name; IngestError otherwise. The name is
    only ever a label (nothing is written under it), but a name that tries to be a path is refused."""
    shown = repr(name[:60]) + ("…" if len(name) > 60 else "")
    if not name.strip():
        raise IngestError("(no name)", "the file name is empty")
    if re.search(r"[\x00-\x1f\x7f]", name):
        raise IngestError(shown, "the file name contains control characters (NUL, newline, …)")
    if "/" in name or "\\" in name or name.strip() in (".", ".."):
        raise IngestError(shown, "the file name must be a plain name, without folders or '..'")
    if len(name) > MAX_FILENAME_CHARS:
        raise IngestError(shown, f"the file name is longer than {MAX_FILENAME_CHARS} characters")
    return name.strip()


class WriteDenied(Exception):
    """A write (upload or delete) that this caller may not make."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class BriefingService:
    """Ask questions, stream answers, manage the article library."""

    def __init__(self, settings: Settings, library: Library, engine: AnswerEngine | LegacyEngine):
        from server.feeds import FeedService

        self.settings = settings
        self.library = library
        self.engine = engine
        self.feeds = FeedService(library, settings.fetch, settings.feeds, on_ingest=engine.invalidate)
        self.feedback = FeedbackStore(settings.index.data_dir / "feedback" / "candidates.jsonl")
        self.metrics = Metrics()
        self._answer_slots = threading.BoundedSemaphore(settings.answer.answer_slots())

    def check_write_access(self, provided_key: str | None) -> None:
        """Raise WriteDenied unless uploads and deletes are allowed for this caller."""
        import hmac

        policy = self.settings.server.write_policy()
        if policy == "disabled":
            raise WriteDenied(
                403,
                "uploads and deletes are disabled: the server listens beyond loopback "
                "without BRIEFING_API_KEY",
            )
        if policy == "key":
            expected = self.settings.server.api_key.get_secret_value()  # type: ignore[union-attr]
            if not provided_key or not hmac.compare_digest(provided_key.encode(), expected.encode()):
                raise WriteDenied(401, "uploads and deletes need the API key (Authorization: Bearer KEY)")

    @property
    def generative_available(self) -> bool:
        return self.engine.generator is not None

    # ---- answers ------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: list[ChatTurn] | None = None,
        top_k: int | None = None,
        mode: Mode | None = None,
        debug: bool = False,
        source_filter: SourceFilter | None = None,
    ) -> Answer:
        """The cited answer; with `debug`, its `trace` holds every stage's output. `source_filter` narrows
        the articles it may draw on; when no article matches it, the answer is a refusal that says so."""
        if self.matches_nothing(source_filter):
            assert source_filter is not None
            answer = no_matching_articles(source_filter, mode or self.settings.answer.default_mode)
            self.metrics.observe_answer(answer.mode, answer.refused, answer.dropped_unsupported)
            return answer
        with self._answer_slots:
            answer = self.engine.ask(question, history or [], top_k, mode, debug, source_filter=source_filter)
        self.metrics.observe_answer(answer.mode, answer.refused, answer.dropped_unsupported)
        return answer

    def matches_nothing(self, source_filter: SourceFilter | None) -> bool:
        """True for a filter that narrows and lets no article of the library through."""
        if source_filter is None or source_filter.is_empty:
            return False
        return not self.library.matching_documents(source_filter)

    def retrieve(
        self, query: str, top_k: int | None = None, source_filter: SourceFilter | None = None
    ) -> list[RetrievedPassage]:
        """The passages hybrid retrieval finds for a query, best first, without an answer; only from the
        articles `source_filter` lets through."""
        with self._answer_slots:
            return self.engine.retrieve(query, top_k, source_filter=source_filter)

    def ask_stream(
        self,
        question: str,
        history: list[ChatTurn] | None = None,
        top_k: int | None = None,
        mode: Mode | None = None,
        source_filter: SourceFilter | None = None,
    ) -> Iterator[tuple[str, dict]]:
        """Events: `citations` (the sources), `delta` (answer text, a few words at a time), `done`."""
        answer = self.ask(question, history, top_k, mode, source_filter=source_filter)
        yield (
            "citations",
            {"citations": [c.model_dump() for c in answer.citations], "refused": answer.refused},
        )
        words = answer.answer.split(" ")
        for i in range(0, len(words), STREAM_WORDS_PER_DELTA):
            piece = " ".join(words[i : i + STREAM_WORDS_PER_DELTA])
            yield "delta", {"text": piece if i == 0 else " " + piece}
        yield "done", answer.model_dump()

    # ---- briefings ----------------------------------------------------------------------------
    def brief(self, request: BriefingRequest) -> Briefing:
        """A cited briefing on the request's topic, from the articles its filters let through; the answer
        engine answers the questions it generates (through `ask`, so under the same slots and metrics)."""
        from server.briefing.builder import BriefingBuilder

        def ask(question: str, source_filter: SourceFilter | None) -> Answer:
            return self.ask(question, source_filter=source_filter)

        return BriefingBuilder(self.library, ask, self.settings.briefing).build(request)

    # ---- library ------------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.library.documents()

    def document(self, doc_id: str) -> StoredDocument | None:
        return self.library.document(doc_id)

    def same_story_as(self, doc_id: str) -> list[DocumentInfo]:
        """The other documents carrying the same story as `doc_id` (syndicated copies), for the answer
        engine and the UI."""
        return self.library.same_story_as(doc_id)

    def upload(self, data: bytes, filename: str, metadata: DocumentMetadata | None = None) -> IngestOutcome:
        """Ingest one uploaded article; raises IngestError (and stores nothing) on bad input."""
        name = checked_filename(filename)
        outcome = self.library.ingest_bytes(data, name, metadata)
        self.engine.invalidate()
        log.info("ingested %s as %s (%s)", name, outcome.document.id, outcome.status)
        return outcome

    def ingest_url(self, url: str, metadata: DocumentMetadata | None = None) -> IngestOutcome:
        """Fetch one page and ingest it; raises FetchError or IngestError (and stores nothing) when the
        fetch is refused or fails, or the page holds no article."""
        outcome = self.library.ingest_url(url, self.settings.fetch.limits(), metadata)
        self.engine.invalidate()
        log.info("ingested %s as %s (%s)", outcome.document.source, outcome.document.id, outcome.status)
        return outcome

    def delete(self, doc_id: str) -> bool:
        existed = self.library.delete(doc_id)
        self.engine.invalidate()
        return existed

    def save_feedback(
        self,
        question: str,
        answer: str,
        citations: list[dict],
        comment: str = "",
        rating: str = "down",
        history: list[ChatTurn] | None = None,
    ) -> str:
        """Keep a reader's verdict on an answer as a candidate eval item; returns its id."""
        return self.feedback.save(
            question=question,
            answer=answer,
            citations=citations,
            comment=comment,
            rating=rating,
            history=[t.model_dump() for t in history or []],
        )

    def warm_up(self) -> None:
        """Before the server says it is ready, so that the first question is answered as fast as the next.
        Best effort: a store that is down at start shows in /readyz, not as a failed start."""
        try:
            self.engine.warm_up()
        except Exception:  # noqa: BLE001 - any failure is the readiness check's to report
            log.warning("warming up the answer path failed", exc_info=True)
        from server.briefing import dates

        dates.warm_up()

    def readiness(self) -> dict:
        documents, chunks = self.library.counts()
        return {"ready": self.library.store.heartbeat(), "documents": documents, "chunks": chunks}


def build_service(settings: Settings, embedder=None) -> BriefingService:
    """Build everything heavy once: embedder, Chroma store, keyword index, engine and (if configured) the LLM."""
    from server.wiring import build_library

    policy = settings.server.write_policy()
    if policy == "disabled":
        log.warning(
            "UPLOADS AND DELETES ARE DISABLED: the server binds to %s, beyond loopback, and "
            "BRIEFING_API_KEY is not set. Set a key to allow writes.",
            settings.server.host,
        )
    elif policy == "key":
        log.info("uploads and deletes require the API key")
    # The reader first: a missing or corrupt model stops the start before anything else is loaded.
    reader = OnnxReader(settings.answer.reader_dir) if settings.answer.engine == "reader" else None
    library = build_library(settings, embedder=embedder)
    if (
        settings.server.ingest_seed_on_start
        and library.counts()[0] == 0
        and settings.index.articles_dir.exists()
    ):
        report = library.ingest_paths([settings.index.articles_dir])
        log.info("seed articles: %s", report.summary())
    generator = None
    if settings.llm.url:
        from server.answer.generation import OpenAICompatibleGenerator

        generator = OpenAICompatibleGenerator(settings.llm)
    engine = (
        AnswerEngine(library, settings.answer, reader, generator)
        if reader is not None
        else LegacyEngine(library, settings.answer, generator)
    )
    return BriefingService(settings, library, engine)


def no_matching_articles(source_filter: SourceFilter, mode) -> Answer:
    """The refusal for a filter that lets no article through (the engine is not asked)."""
    from server.answer.models import AnswerSentence

    reason = f"No article in the library matches the filters ({source_filter.describe()})."
    return Answer(
        answer=reason,
        refused=True,
        refusal_reason=reason,
        sentences=[AnswerSentence(text=reason, citations=[], supported=True, kind="refusal")],
        mode=mode,
    )


def info_dict(info: DocumentInfo) -> dict:
    return asdict(info)


def sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
