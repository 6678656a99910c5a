"""The article library: list, read, upload, delete."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import APIRouter, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from index.types import DocumentInfo
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.models import DocumentMetadata, IngestError
from server.deps import ServiceDep, WriteAccess

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@dataclass(frozen=True)
class DocumentWithText(DocumentInfo):
    text: str


class UrlIngestRequest(BaseModel):
    """A page to fetch and ingest; the metadata fields, when given, win over what the page states."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: str = Field(
        ...,
        min_length=1,
        max_length=2000,
        pattern=r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+",
        examples=["https://example.org/2026/11/article.html"],
    )
    title: str = Field("", max_length=500)
    outlet: str = Field("", max_length=200)
    published: str = Field("", max_length=40)


class UploadResult(BaseModel):
    status: str
    document: DocumentInfo
    replaced: list[str]


@router.get("", response_model=list[DocumentInfo], summary="List the indexed articles")
def list_documents(service: ServiceDep):
    return [asdict(d) for d in service.documents()]


@router.get(
    "/{doc_id}",
    response_model=DocumentWithText,
    summary="One article with its cleaned text",
    responses={404: {"description": "unknown document id"}},
)
def get_document(doc_id: str, service: ServiceDep):
    stored = service.document(doc_id)
    if stored is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return {**asdict(stored.info), "text": stored.text}


@router.post(
    "",
    response_model=UploadResult,
    status_code=201,
    summary="Upload an article (.txt .md .html .pdf), or have a page fetched by URL",
    description="Multipart with a `file`, or JSON `{url, title?, outlet?, published?}`: the page is fetched "
    "(public addresses only, bounded in size, time and redirects) and its article extracted.",
    dependencies=[WriteAccess],
    responses={
        401: {"description": "the API key is required"},
        403: {"description": "writes are disabled, or the URL's address is not public"},
        413: {"description": "too large"},
        415: {"description": "unsupported type"},
        422: {"description": "unparseable file, or a page that could not be fetched or holds no article"},
    },
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": UrlIngestRequest.model_json_schema()}},
        }
    },
)
async def upload_document(
    request: Request,
    service: ServiceDep,
    file: UploadFile | None = File(None),  # noqa: B008 - FastAPI's parameter declaration
    title: str = Form("", max_length=500),
    outlet: str = Form("", max_length=200),
    published: str = Form("", max_length=40),
    url: str = Form("", max_length=2000),
):
    if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
        return await _ingest_url(request, service)
    if file is None:
        raise RequestValidationError(
            [{"loc": ("body", "file"), "msg": "Field required (or send JSON with a url)", "type": "missing"}]
        )
    return await run_in_threadpool(_upload, service, file, title, outlet, published, url)


async def _ingest_url(request: Request, service):
    from ingest.fetching import FetchError

    try:
        body = UrlIngestRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
    metadata = DocumentMetadata(
        title=body.title.strip(), outlet=body.outlet.strip(), published=body.published.strip()
    )
    try:
        outcome = await run_in_threadpool(service.ingest_url, body.url.strip(), metadata)
    except FetchError as exc:
        raise HTTPException(exc.status, f"{exc.url}: {exc.reason}") from None
    except IngestError as exc:
        raise HTTPException(422, f"{exc.source}: {exc.reason}") from None
    return _result(outcome)


def _result(outcome) -> dict:
    return {
        "status": outcome.status,
        "document": asdict(outcome.document),
        "replaced": list(outcome.replaced),
    }


def _upload(service, file: UploadFile, title: str, outlet: str, published: str, url: str) -> dict:
    name = file.filename or ""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise HTTPException(
            415, f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    limit = service.settings.server.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(413, f"the file is larger than {limit:,} bytes")
    metadata = DocumentMetadata(
        title=title.strip(), outlet=outlet.strip(), published=published.strip(), url=url.strip()
    )
    try:
        outcome = service.upload(data, name, metadata)
    except IngestError as exc:
        raise HTTPException(422, f"{exc.source}: {exc.reason}") from None
    return _result(outcome)


@router.delete(
    "/{doc_id}",
    status_code=204,
    summary="Delete an article and everything indexed from it",
    dependencies=[WriteAccess],
    responses={
        401: {"description": "the API key is required"},
        403: {"description": "writes are disabled"},
        404: {"description": "unknown document id"},
    },
)
def delete_document(doc_id: str, service: ServiceDep):
    if not service.delete(doc_id):
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return Response(status_code=204)
