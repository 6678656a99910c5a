"""Feeds an analyst follows: subscribe, list, poll now, unsubscribe."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from index.feed_store import EntryCounts, FeedRecord
from server.deps import ServiceDep, WriteAccess
from server.feeds import FeedRefused, PollReport

router = APIRouter(prefix="/v1/feeds", tags=["feeds"])
WRITE_ERRORS: dict[int | str, dict] = {
    401: {"description": "the API key is required"},
    403: {"description": "writes are disabled, or the feed's address is not public"},
}


class FeedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    url: str = Field(
        ...,
        min_length=1,
        max_length=2000,
        pattern=r"^[hH][tT][tT][pP][sS]?://[^\s/?#]+",
        examples=["https://example.org/feed.xml"],
    )
    interval_s: int | None = Field(
        None,
        ge=1,
        le=86_400,
        description="Seconds between polls (default 900; at least the server's minimum).",
    )


class FeedInfo(BaseModel):
    id: str
    url: str
    title: str
    interval_s: int
    added_at: float
    last_poll_at: float | None = Field(description="When it was last polled (Unix seconds); null: never.")
    last_success_at: float | None
    last_error: str = Field(description="Why the last poll failed; empty when it worked.")
    failures: int = Field(description="Polls failed in a row; each doubles the wait, up to a bound.")
    next_poll_at: float
    entries_seen: int
    documents_ingested: int
    entries_failed: int


class PollResult(BaseModel):
    feed: FeedInfo
    not_modified: bool = Field(description="The feed answered 304: nothing new since the last poll.")
    entries: int
    new_entries: int
    ingested: int
    failed: int
    error: str


def feed_info(feed: FeedRecord, counts: EntryCounts) -> FeedInfo:
    return FeedInfo(
        id=feed.id,
        url=feed.url,
        title=feed.title,
        interval_s=feed.interval_s,
        added_at=feed.added_at,
        last_poll_at=feed.last_poll_at or None,
        last_success_at=feed.last_success_at or None,
        last_error=feed.last_error,
        failures=feed.failures,
        next_poll_at=feed.next_poll_at,
        entries_seen=counts.seen,
        documents_ingested=counts.ingested,
        entries_failed=counts.failed,
    )


@router.get("", response_model=list[FeedInfo], summary="The feeds followed, with their last poll and counts")
def list_feeds(service: ServiceDep):
    return [feed_info(feed, counts) for feed, counts in service.feeds.feeds()]


@router.post(
    "",
    response_model=FeedInfo,
    status_code=201,
    summary="Follow an RSS or Atom feed",
    description="The feed is read once to check that it is one; its entries are fetched and ingested by the "
    "first poll (at once in the background, or `POST /v1/feeds/{id}/poll`). Following a feed already followed "
    "answers 200 with it.",
    dependencies=[WriteAccess],
    responses={
        200: {"model": FeedInfo, "description": "already followed"},
        **WRITE_ERRORS,
        413: {"description": "the feed is too large"},
        415: {"description": "the URL is not a feed"},
        422: {"description": "the feed could not be fetched or read"},
    },
)
async def subscribe(body: FeedRequest, service: ServiceDep, response: Response):
    try:
        feed, created = await run_in_threadpool(service.feeds.subscribe, body.url.strip(), body.interval_s)
    except FeedRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None
    if not created:
        response.status_code = 200
    return feed_info(feed, service.feeds.store.counts(feed.id))


@router.post(
    "/{feed_id}/poll",
    response_model=PollResult,
    summary="Poll a feed now and ingest its new entries",
    dependencies=[WriteAccess],
    responses={**WRITE_ERRORS, 404: {"description": "unknown feed id"}},
)
async def poll(feed_id: str, service: ServiceDep):
    try:
        report: PollReport = await run_in_threadpool(service.feeds.poll, feed_id)
    except FeedRefused as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return PollResult(
        feed=feed_info(report.feed, service.feeds.store.counts(report.feed.id)),
        not_modified=report.not_modified,
        entries=report.entries,
        new_entries=report.new,
        ingested=report.ingested,
        failed=report.failed,
        error=report.error,
    )


@router.delete(
    "/{feed_id}",
    status_code=204,
    summary="Stop following a feed (the articles it brought in stay)",
    dependencies=[WriteAccess],
    responses={**WRITE_ERRORS, 404: {"description": "unknown feed id"}},
)
def unsubscribe(feed_id: str, service: ServiceDep):
    if not service.feeds.unsubscribe(feed_id):
        raise HTTPException(404, f"no feed with id {feed_id!r}")
    return Response(status_code=204)
