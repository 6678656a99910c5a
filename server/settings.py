"""All configuration, read from the environment (prefix BRIEFING_) once at the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from ingest.fetching import FetchLimits


def _section(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="forbid", env_file=None)


class IndexSettings(BaseSettings):
    model_config = _section("BRIEFING_")

    data_dir: Path = Field(
        Path("data"), description="Where the embedded Chroma store and runtime files live."
    )
    articles_dir: Path = Field(
        Path("data/articles"),
        description="Seed articles, ingested by `briefing ingest` with no paths "
        "and by the server when the index is empty.",
    )
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (`chroma run`); unset means the embedded store."
    )
    sync_seconds: float = Field(
        2.0,
        ge=0,
        le=300,
        description="With a Chroma server: how often this server checks it for articles other servers added or "
        "deleted, and brings its keyword index in line (0: never).",
    )
    collection_prefix: str = Field(
        "briefing", description="Prefix of the Chroma collection names.", pattern=r"^[a-zA-Z0-9._-]{3,40}$"
    )
    max_chunk_words: int = Field(140, ge=30, le=1000, description="Target chunk length in words.")
    embedding_backend: Literal["onnx-int8", "torch"] = Field(
        "onnx-int8",
        description="How the bundled all-MiniLM-L6-v2 runs: ONNX Runtime with int8 weights (exported once from "
        "the bundled model into DATA_DIR/models; about twice as fast) or torch via llama-index. An index must "
        "be queried with the backend that built it.",
    )


class AnswerSettings(BaseSettings):
    model_config = _section("BRIEFING_ANSWER_")

    top_k: int = Field(
        6,
        ge=1,
        le=20,
        description="Passages the legacy engine retrieves per question, and the default of the retrieve and "
        "search endpoints, the MCP search tool and the llama-index retriever with either engine (the reader "
        "engine answers from `reader_passages`).",
    )
    max_sentences: int = Field(4, ge=1, le=10, description="Most evidence sentences in an extractive answer.")
    engine: Literal["legacy", "reader"] = Field(
        "legacy",
        description="Which answer engine answers: `legacy` (the rule-based engine the golden set's original "
        "splits were written beside; the default until the reader engine reaches every split's thresholds) "
        "or `reader` (typed stages around the reader trained here, server/answer/engine.py).",
    )
    reader_passages: int = Field(
        10,
        ge=1,
        le=20,
        description="Passages the reader engine retrieves per question (a request's top_k overrides it; "
        "`top_k` is the legacy engine's): its candidate sentences are shortlisted from theirs. Ten hold a key "
        "fact for 0.904 of the reading corpus's dev questions, six for 0.867.",
    )
    reader_candidates: int = Field(
        12,
        ge=1,
        le=40,
        description="Candidate sentences the reader reads per question: the retrieved passages' sentences "
        "shortlisted by their likeness to the question (server/answer/staged/read.py). Twelve of ten "
        "passages hold a key fact for 0.843 of the reading corpus's dev questions, against 0.788 by the "
        "cosine alone.",
    )
    follow_up_sentences: int = Field(
        6,
        ge=1,
        le=20,
        description="Sentences of the last answer the reader reads to find the person it answered with, when a "
        "follow-up says he, his, she or her and that answer names several people.",
    )
    reader_dir: Path | None = Field(
        None,
        description="Folder of the reader's model and card (reader.json); unset: the committed model in "
        "server/answer/reader/model.",
    )
    default_mode: str = Field(
        "extractive",
        pattern="^(extractive|generative)$",
        description="Answer mode when a request does not name one.",
    )
    concurrency: int = Field(
        0,
        ge=0,
        le=256,
        description="Answers computed at once; further questions wait their turn, so that answering "
        "cannot starve uploads and deletes of the CPU. 0: twice the number of CPUs.",
    )

    def passages(self) -> int:
        """Passages the chosen engine retrieves per question when a request names no top_k."""
        return self.reader_passages if self.engine == "reader" else self.top_k

    def answer_slots(self) -> int:
        import os

        return self.concurrency or 2 * (os.cpu_count() or 1)


class BriefingSettings(BaseSettings):
    """The numbers a briefing is made with (server/briefing/), in one place."""

    model_config = _section("BRIEFING_BRIEF_")

    passages: int = Field(
        40,
        ge=5,
        le=200,
        description="Passages retrieved for the topic (hybrid retrieval, inside the filters).",
    )
    min_similarity: float = Field(
        0.42,
        ge=-1,
        le=1,
        description="A retrieved sentence is on the topic when its cosine similarity with the topic (bundled "
        "encoder) is at least this ...",
    )
    min_similarity_with_word: float = Field(
        0.25,
        ge=-1,
        le=1,
        description="... or when it shares one of the topic's words (stemmed, stop words left out) and its "
        "similarity is at least this.",
    )
    min_sentence_words: int = Field(
        5, ge=1, le=50, description="Shorter sentences (headings, datelines, timestamps) are left out."
    )
    min_on_topic_sentences: int = Field(
        2, ge=1, le=50, description="Fewer sentences on the topic than this: the library does not cover it."
    )
    max_sections: int = Field(5, ge=1, le=20, description="Most sections (groups by what they name).")
    min_section_sentences: int = Field(
        2, ge=1, le=20, description="A name heads a section only when at least this many sentences name it."
    )
    sentences_per_section: int = Field(4, ge=1, le=20, description="Most source sentences per section.")
    max_timeline: int = Field(15, ge=0, le=100, description="Most dated events in the timeline.")
    max_people: int = Field(8, ge=0, le=50, description="Most people and organisations listed.")
    statements_per_actor: int = Field(
        3,
        ge=1,
        le=10,
        description="Most statements of one person's or organisation's role (one per article).",
    )
    max_questions: int = Field(
        8,
        ge=0,
        le=40,
        description="Most questions put to the answer engine about names (who leads, who is, when founded), "
        "generated from the names the topic's sentences hold.",
    )
    max_figure_questions: int = Field(
        2,
        ge=0,
        le=10,
        description='Most "how many" questions put to the answer engine, in the words of the topic\'s '
        "sentences that give a figure (what most articles count first).",
    )
    same_date_days: int = Field(
        0,
        ge=0,
        le=30,
        description="Sources published at most this many days apart count as one date: differing figures "
        "between them are a disagreement; further apart, the newer is the latest report and the older are "
        "earlier reports.",
    )


class LLMSettings(BaseSettings):
    model_config = _section("BRIEFING_LLM_")

    url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."
    )
    model: str = Field("local", description="Model name sent to the LLM server.")
    api_key: str = Field("not-needed", description="API key for the LLM server, if it wants one.", repr=False)
    timeout_s: float = Field(30.0, gt=0, le=600, description="Bound on one generation request, in seconds.")
    max_tokens: int = Field(256, ge=16, le=4096, description="Most tokens the LLM may write per answer.")


class JudgeSettings(BaseSettings):
    model_config = _section("BRIEFING_JUDGE_")

    url: str | None = Field(None, description="OpenAI-compatible judge for ragas's LLM-judged metrics.")
    model: str = Field("judge", description="Judge model name.")
    api_key: str = Field("not-needed", description="API key for the judge server.", repr=False)


class ServerSettings(BaseSettings):
    model_config = _section("BRIEFING_")

    host: str = Field("127.0.0.1", description="Interface the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="HTTP port.")
    max_body_bytes: int = Field(1_000_000, description="Largest JSON request body.")
    max_upload_bytes: int = Field(20_000_000, description="Largest uploaded article.")
    ingest_seed_on_start: bool = Field(True, description="Ingest the seed articles when the index is empty.")
    api_key: SecretStr | None = Field(
        None, description="When set, uploads and deletes require it (Authorization: Bearer KEY or X-API-Key)."
    )
    rate_limit_per_minute: int = Field(
        0,
        ge=0,
        description="Requests per minute per client address to /v1/ask, chat, documents, feeds and feedback "
        "writes; 0 turns the limit off.",
    )
    rate_limit_burst: int = Field(
        20, ge=1, description="Requests a client may make at once before the rate applies."
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="Origins allowed to call the API from a browser; empty: CORS off."
    )
    log_format: Literal["json", "text"] = Field(
        "json", description="Server logs: one JSON object per line (with request_id), or plain text."
    )
    shutdown_grace_s: int = Field(
        20, ge=1, description="On SIGTERM, how long in-flight requests may take to finish."
    )

    def is_loopback(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1") or self.host.startswith("127.")

    def write_policy(self) -> str:
        """ "open" (loopback, no key), "key" (a key is required) or "disabled" (exposed without a key)."""
        if self.api_key is not None and self.api_key.get_secret_value():
            return "key"
        return "open" if self.is_loopback() else "disabled"


class FetchSettings(BaseSettings):
    model_config = _section("BRIEFING_FETCH_")

    allow_private: bool = Field(
        False,
        description="Fetch pages and feeds from loopback, private, link-local and metadata addresses too. "
        "Off: such addresses are refused after DNS resolution and on every redirect (set it only for tests on "
        "loopback or a trusted network).",
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="Non-public networks that may be fetched from all the same (CIDRs, e.g. a news mirror "
        'on the local network: ["10.1.2.0/24"]); every other non-public address stays refused.',
    )
    timeout_s: float = Field(
        15.0,
        gt=0,
        le=300,
        description="Bound on one fetch, redirects and the whole body included, in seconds.",
    )
    max_bytes: int = Field(
        20_000_000, ge=1_000, description="Largest page or feed fetched; a larger one is refused (413)."
    )
    max_redirects: int = Field(5, ge=0, le=20, description="Most redirects followed by one fetch.")

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for net in value:
            ipaddress.ip_network(net, strict=False)  # a ValueError names the bad one
        return value

    user_agent: str = Field(
        "afghan-briefing/0.1 (news reader)", max_length=200, description="User-Agent sent with every fetch."
    )

    def limits(self) -> FetchLimits:
        from ingest.fetching import FetchLimits

        return FetchLimits(
            timeout_s=self.timeout_s,
            max_bytes=self.max_bytes,
            max_redirects=self.max_redirects,
            allow_private=self.allow_private,
            allowed_networks=tuple(self.allowed_networks),
            user_agent=self.user_agent,
        )


class FeedSettings(BaseSettings):
    model_config = _section("BRIEFING_FEEDS_")

    default_interval_s: int = Field(
        900,
        ge=10,
        le=86_400,
        description="How often a feed is polled when its subscription names no interval.",
    )
    min_interval_s: int = Field(
        60, ge=1, le=86_400, description="Shortest polling interval a subscription may ask for."
    )
    max_backoff_s: int = Field(
        21_600,
        ge=60,
        description="After failures a feed is polled less often, doubling the interval per failure up to this.",
    )
    max_entries_per_poll: int = Field(
        30, ge=1, le=500, description="Most new entries fetched from one feed in one poll; the rest wait."
    )
    poll_in_background: bool = Field(
        True, description="Poll the subscribed feeds on their intervals while the server runs."
    )
    tick_s: float = Field(
        15.0, gt=0, le=600, description="How often the background poller looks for feeds that are due."
    )


class Settings(BaseModel):
    """The whole configuration, in sections."""

    model_config = {"extra": "forbid"}

    index: IndexSettings = Field(default_factory=IndexSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    judge: JudgeSettings = Field(default_factory=JudgeSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    feeds: FeedSettings = Field(default_factory=FeedSettings)
