"""The body of POST /v1/briefings (and what the CLI, the MCP tool and the UI build)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from server.filters import FilterFields
from server.schemas import NOT_BLANK, has_text

MAX_TOPIC_CHARS = 300
BriefingFormat = Literal["json", "markdown", "docx", "pdf"]


class BriefingRequest(FilterFields):
    model_config = ConfigDict(extra="forbid", strict=True)

    topic: str = Field(
        ...,
        min_length=1,
        max_length=MAX_TOPIC_CHARS,
        json_schema_extra=NOT_BLANK,
        description="What the briefing is about, in a few words.",
        examples=["the anti-Taliban coalition and Iran's role"],
    )
    format: BriefingFormat = Field(
        "json", description="json (default), or a file: markdown (.md), docx (Word) or pdf."
    )

    @field_validator("topic")
    @classmethod
    def _topic_has_text(cls, topic: str) -> str:
        if not has_text(topic):
            raise ValueError("topic must not be empty or only whitespace")
        return topic.strip()
