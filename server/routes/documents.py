"""The article library: list, read, upload, delete."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Response, UploadFile
from pydantic import BaseModel

from index.types import DocumentInfo
from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.models import DocumentMetadata, IngestError
from server.deps import ServiceDep, WriteAccess

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@dataclass(frozen=True)
class DocumentWithText(DocumentInfo):
    text: str


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
    summary="Upload an article (.txt .md .html .pdf)",
    dependencies=[WriteAccess],
    responses={
        401: {"description": "the API key is required"},
        403: {"description": "writes are disabled"},
        413: {"description": "too large"},
        415: {"description": "unsupported type"},
        422: {"description": "unparseable file"},
    },
)
def upload_document(
    service: ServiceDep,
    file: UploadFile,
    title: str = Form("", max_length=500),
    outlet: str = Form("", max_length=200),
    published: str = Form("", max_length=40),
    url: str = Form("", max_length=2000),
):
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
    return {
        "status": outcome.status,
        "document": asdict(outcome.document),
        "replaced": list(outcome.replaced),
    }


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
