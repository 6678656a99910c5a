"""The library as an MCP server: tools (ask, search, get_document, list_documents and, for a caller holding
the API key, add_document and add_document_from_url), a cited briefing on a topic (brief), and one resource per document, all through `BriefingService`.

The same server definition serves stdio (`briefing mcp`) and Streamable HTTP (`/mcp`, see
`server/mcp_http.py`). Failures a caller can act on (an unknown id, a file that does not parse, an
unreachable index) come back as tool errors with a clear message; bad arguments are refused by the SDK
against the input schema before a tool runs.
"""

# No `from __future__ import annotations` here: the SDK reads the tools' signatures, whose limits (the
# upload size) are built when the server is, so they must be evaluated where they are written.

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, Resource, TextContent, ToolAnnotations
from pydantic import AfterValidator, BaseModel, Field, Strict, ValidationError

from index.types import DocumentInfo, SourceFilter, StoredDocument, StoreUnavailableError
from ingest.fetching import FetchError
from ingest.models import DocumentMetadata, IngestError
from server.answer.models import Answer, ChatTurn, Citation, DirectAnswer, RetrievedPassage
from server.briefing.models import Briefing
from server.briefing.request import MAX_TOPIC_CHARS, BriefingRequest
from server.cli_serving import format_answer
from server.deps import api_key_from_headers
from server.filters import MAX_OUTLET_CHARS, MAX_OUTLETS, FilterFields
from server.schemas import MAX_HISTORY_MESSAGES, NOT_BLANK, QuestionText, TopK, has_text
from server.service import BriefingService, WriteDenied

DOCUMENT_URI = "briefing://documents/{doc_id}"
INSTRUCTIONS = (
    "A library of news and analysis articles on Afghanistan's anti-Taliban movements. `ask` answers from "
    "the articles only: every sentence ends with [n] markers that refer to `citations`, whose `quote` is "
    "exactly the characters `start`..`end` of the document `doc_id` (check them with `get_document`). When "
    "the articles do not answer, `refused` is true: say so instead of answering from elsewhere. `search` "
    "returns the passages without an answer; `brief` writes a cited briefing on a topic; `list_documents` and "
    "`get_document` read the library."
)

# Tool arguments, with the limits the REST API applies. `top_k` is strict, as the REST API's models are
# ("3" and true are refused; 3.0 is taken as 3, as JSON Schema's integers allow).
TopKArg = Annotated[
    Annotated[TopK, Strict()] | None, Field(description="Passages to retrieve (1-20); default 6.")
]
Question = Annotated[QuestionText, Field(description="The question, in plain words (1-2000 characters).")]
Query = Annotated[QuestionText, Field(description="What to look for (1-2000 characters).")]
History = Annotated[
    list[ChatTurn] | None,
    Field(max_length=MAX_HISTORY_MESSAGES, description="Earlier turns, oldest first, for follow-ups."),
]
DocId = Annotated[
    str, Field(min_length=1, max_length=200, description="A document id, as list_documents gives it.")
]

# The filters, as the REST API takes them (since/until YYYY-MM-DD, outlets case-insensitive).
Since = Annotated[
    str | None,
    Field(max_length=40, description="Only articles published on or after this day (YYYY-MM-DD)."),
]
Until = Annotated[
    str | None,
    Field(max_length=40, description="Only articles published on or before this day (YYYY-MM-DD)."),
]
Outlets = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=MAX_OUTLET_CHARS)]] | None,
    Field(max_length=MAX_OUTLETS, description="Only articles from these outlets (case-insensitive)."),
]


def _topic_has_text(topic: str) -> str:
    if not has_text(topic):
        raise ValueError("topic must not be empty or only whitespace")
    return topic


def tool_filter(since: str | None, until: str | None, outlets: list[str] | None) -> SourceFilter | None:
    """The filter a tool's arguments describe; a bad date or since after until is a tool error."""
    try:
        fields = FilterFields.model_validate({"since": since, "until": until, "outlets": outlets or []})
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise ToolError(f"invalid filter: {problems}") from exc
    return fields.source_filter()


Topic = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TOPIC_CHARS,
        json_schema_extra=NOT_BLANK,
        description="What the briefing is about, in a few words (1-300 characters).",
    ),
    AfterValidator(_topic_has_text),
]

# add_document's details of an article, with the REST upload's limits.
Title = Annotated[str, Field(max_length=500, description="The headline; taken from the text when empty.")]
Outlet = Annotated[str, Field(max_length=200, description="Who published it.")]
Published = Annotated[str, Field(max_length=40, description="Publication date, YYYY-MM-DD.")]
SourceUrl = Annotated[
    str, Field(max_length=2000, description="Where it is published; stored and cited, never fetched.")
]
PageUrl = Annotated[str, Field(max_length=2000, description="The page's http(s) URL; it is fetched.")]
FileName = Annotated[
    str | None,
    Field(
        max_length=255,
        description="A .txt or .md name to store it under; adding again under the same name replaces that "
        "document. Default: a name made from the text's hash.",
    ),
]


class AskResult(BaseModel):
    """A cited answer: the structured content of `ask`."""

    answer: str = Field(description="The answer; each sentence ends with [n] markers naming its citations.")
    refused: bool = Field(description="True when the articles do not answer the question.")
    refusal_reason: str | None = Field(None, description="Why the question was not answered.")
    direct_answer: DirectAnswer | None = Field(
        None, description="The answer in a few words (a name, date, figure or quote), when there is one."
    )
    citations: list[Citation] = Field(
        description="The sources of the [n] markers: get_document(doc_id).text[start:end] == quote."
    )

    @classmethod
    def of(cls, answer: Answer) -> "AskResult":
        return cls(
            answer=answer.answer,
            refused=answer.refused,
            refusal_reason=answer.refusal_reason,
            direct_answer=answer.direct_answer,
            citations=answer.citations,
        )


class SearchResult(BaseModel):
    passages: list[RetrievedPassage] = Field(description="Best first; start/end are offsets in the document.")


class DocumentList(BaseModel):
    documents: list[DocumentInfo]


@dataclass(frozen=True)
class DocumentWithText(DocumentInfo):
    """A document's details and its cleaned text, which every citation's offsets point into."""

    text: str


class AddResult(BaseModel):
    status: str = Field(description="added, unchanged (the same text was there already) or replaced.")
    document: DocumentInfo
    replaced: list[str] = Field(description="Ids of the documents this one replaced.")


@contextmanager
def tool_errors() -> Iterator[None]:
    """Turn the service's expected failures into tool errors with a message the caller can act on."""
    try:
        yield
    except StoreUnavailableError as exc:
        raise ToolError(f"the index is unavailable: {exc}; try again shortly") from exc
    except IngestError as exc:
        raise ToolError(f"{exc.source}: {exc.reason}") from exc
    except FetchError as exc:
        raise ToolError(f"{exc.url}: {exc.reason}") from exc
    except WriteDenied as exc:
        raise ToolError(str(exc)) from exc


def upload_name(text: str, filename: str | None) -> str:
    """The name an added text is stored under. Without one given, a name from the text's hash: adding the
    same text again leaves it unchanged, and different texts never replace each other."""
    if filename:
        return filename if filename.lower().endswith((".txt", ".md")) else filename + ".txt"
    return f"mcp-{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"


class BriefingMCPServer(MCPServer[Any]):
    """MCPServer that also lists each document as a resource (the template alone would leave
    resources/list empty)."""

    def __init__(self, service: BriefingService, **kwargs: Any):
        super().__init__(**kwargs)
        self.service = service

    async def list_resources(self) -> list[Resource]:
        listed = await super().list_resources()
        return listed + [
            Resource(
                uri=DOCUMENT_URI.format(doc_id=d.id),
                name=d.id,
                title=d.title or d.source,
                description=", ".join(p for p in (d.outlet, d.published) if p) or None,
                mime_type="text/plain",
            )
            for d in self.service.documents()
        ]


def build_mcp_server(service: BriefingService, *, writes: bool = False) -> MCPServer[Any]:
    """The MCP server over `service`. `writes` adds the write tools; build it only for a caller allowed to
    write (over HTTP: one that sent the API key; over stdio: a process started with BRIEFING_API_KEY)."""
    server = BriefingMCPServer(
        service, name="afghan-briefing", version="0.1.0", instructions=INSTRUCTIONS, log_level="WARNING"
    )
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(title="Ask the library", annotations=read_only)
    def ask(
        question: Question,
        history: History = None,
        top_k: TopKArg = None,
        since: Since = None,
        until: Until = None,
        outlets: Outlets = None,
    ) -> Annotated[CallToolResult, AskResult]:
        """Answer a question from the library's articles only, with citations to the exact characters of
        each source. The text result is the answer with [n] markers followed by its sources; the
        structured result has `refused`, `direct_answer` and `citations` (doc_id, title, outlet,
        published, quote, start, end). When `refused` is true the articles do not answer the question.
        `since`, `until` and `outlets` narrow the articles it draws on."""
        source_filter = tool_filter(since, until, outlets)
        with tool_errors():
            answer = service.ask(question, history, top_k, source_filter=source_filter)
        result = AskResult.of(answer)
        return CallToolResult(
            content=[TextContent(type="text", text=format_answer(answer))],
            structured_content=result.model_dump(mode="json"),
        )

    @server.tool(title="Search the articles", annotations=read_only)
    def search(
        query: Query,
        top_k: TopKArg = None,
        since: Since = None,
        until: Until = None,
        outlets: Outlets = None,
    ) -> SearchResult:
        """The passages hybrid (vector and keyword) retrieval finds for a query, best first, without an
        answer: each with doc_id, chunk_id, text, score, its start/end offsets in the document, and the
        document's title, outlet and publication date. `since`, `until` and `outlets` narrow the articles."""
        source_filter = tool_filter(since, until, outlets)
        with tool_errors():
            return SearchResult(passages=service.retrieve(query, top_k, source_filter=source_filter))

    @server.tool(title="List the articles", annotations=read_only)
    def list_documents() -> DocumentList:
        """Every article in the library: id, source file name, title, outlet, publication date, URL and
        its size in chunks, sentences and characters."""
        with tool_errors():
            return DocumentList(documents=service.documents())

    @server.tool(title="Read an article", annotations=read_only)
    def get_document(doc_id: DocId) -> DocumentWithText:
        """One article's details and its full cleaned text: a citation's quote is text[start:end]."""
        with tool_errors():
            stored = service.document(doc_id)
        if stored is None:
            raise ToolError(f"no document with id {doc_id!r}; list_documents gives the ids")
        return with_text(stored)

    @server.tool(title="Write a briefing", annotations=read_only)
    def brief(topic: Topic, since: Since = None, until: Until = None, outlets: Outlets = None) -> Briefing:
        """A cited briefing on a topic from the library's articles only: `sections` (a heading and source
        sentences, each with [n] citations), a dated `timeline` (oldest first; each event `as_of` its
        source's date), `people` (roles as each source states them), `disagreements` (sources of one date
        that differ), `changes` (figures that differ between dates, newest first), `gaps` (what the
        articles do not say) and `citations` (quote == get_document text[start:end]). `covered` is false
        when the library holds nothing on the topic under the filters: say so instead of writing one."""
        source_filter = tool_filter(since, until, outlets)
        request = BriefingRequest(
            topic=topic,
            since=source_filter.since if source_filter else None,
            until=source_filter.until if source_filter else None,
            outlets=list(source_filter.outlets) if source_filter else [],
        )
        with tool_errors():
            return service.brief(request)

    @server.resource(
        DOCUMENT_URI,
        name="document",
        title="An article's cleaned text",
        description="The text citations point into: quote == text[start:end].",
        mime_type="text/plain",
    )
    def document_text(doc_id: str) -> str:
        try:
            stored = service.document(doc_id)
        except StoreUnavailableError as exc:
            raise ResourceError(f"the index is unavailable: {exc}; try again shortly") from exc
        if stored is None:
            raise ResourceNotFoundError(f"no document with id {doc_id!r}")
        return stored.text

    if writes:
        register_add_document(server, service)
    return server


def with_text(stored: StoredDocument) -> DocumentWithText:
    return DocumentWithText(**asdict(stored.info), text=stored.text)


def register_add_document(server: MCPServer[Any], service: BriefingService) -> None:
    """`add_document` and `add_document_from_url`: only on a server built for a caller that may write."""
    Text = Annotated[
        str,
        Field(
            min_length=1,
            max_length=service.settings.server.max_upload_bytes,
            json_schema_extra=NOT_BLANK,
            description="The article's plain text (or Markdown); it is searchable as soon as this returns.",
        ),
    ]
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True)

    @server.tool(title="Add an article", annotations=writes)
    def add_document(
        ctx: Context,
        text: Text,
        title: Title = "",
        outlet: Outlet = "",
        published: Published = "",
        source_url: SourceUrl = "",
        filename: FileName = None,
    ) -> AddResult:
        """Add an article (its text, with optional title, outlet, date and source URL) to the library.
        Needs the API key. Returns whether it was added, unchanged or replaced, and its document."""
        if not has_text(text):
            raise ToolError("text: must not be empty or only whitespace")
        if ctx.headers is not None:  # over HTTP every call carries the key; over stdio the process holds it
            with tool_errors():
                service.check_write_access(api_key_from_headers(ctx.headers))
        metadata = DocumentMetadata(
            title=title.strip(), outlet=outlet.strip(), published=published.strip(), url=source_url.strip()
        )
        with tool_errors():
            outcome = service.upload(text.encode(), upload_name(text, filename), metadata)
        return AddResult(status=outcome.status, document=outcome.document, replaced=list(outcome.replaced))

    @server.tool(title="Add an article from its page", annotations=writes)
    def add_document_from_url(
        ctx: Context, url: PageUrl, title: Title = "", outlet: Outlet = "", published: Published = ""
    ) -> AddResult:
        """Fetch a news page (HTML, text or PDF) and add its article to the library, as POST
        /v1/documents/from-url does: the main text without the page's menus and adverts, its title, outlet
        and date from the page unless given here. Needs the API key. A page that cannot be fetched, or holds
        no article, is an error and adds nothing. The same story already held from another outlet is
        listed in the document's `same_story_as`."""
        if not url.strip():
            raise ToolError("url: must not be empty")
        if ctx.headers is not None:
            with tool_errors():
                service.check_write_access(api_key_from_headers(ctx.headers))
        metadata = DocumentMetadata(title=title.strip(), outlet=outlet.strip(), published=published.strip())
        with tool_errors():
            outcome = service.ingest_url(url.strip(), metadata)
        return AddResult(status=outcome.status, document=outcome.document, replaced=list(outcome.replaced))
