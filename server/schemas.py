"""Request bodies of the HTTP API, with their limits."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from server.answer.models import ChatTurn, Mode
from server.filters import FilterFields

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_MESSAGES = 20
# Blank questions are refused, and the schema says so. One definition of "blank" serves the schema and
# the checks: JSON Schema patterns follow ECMAScript, whose whitespace differs from Python's str.isspace
# (e.g. U+001C).
NON_BLANK_CHAR = r"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
NOT_BLANK: JsonDict = {"pattern": NON_BLANK_CHAR}


def _json_integer(value: object) -> object:
    """JSON Schema integers: 3 and 3.0, but neither true nor "3" (the models are strict otherwise)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


TopK = Annotated[int, Field(ge=1, le=20), BeforeValidator(_json_integer)]


def has_text(value: str) -> bool:
    return re.search(NON_BLANK_CHAR, value) is not None


def _not_blank(value: str) -> str:
    if not has_text(value):
        raise ValueError("must not be empty or only whitespace")
    return value


# A question (or a retrieval query): 1 to MAX_QUESTION_CHARS characters, not all whitespace.
QuestionText = Annotated[
    str,
    Field(min_length=1, max_length=MAX_QUESTION_CHARS, json_schema_extra=NOT_BLANK),
    AfterValidator(_not_blank),
]


class AskRequest(FilterFields):
    model_config = ConfigDict(extra="forbid", strict=True)

    question: QuestionText = Field(
        ..., examples=["What did Atta Mohammad Noor say about those who promote war?"]
    )
    history: list[ChatTurn] = Field(
        default_factory=list, max_length=MAX_HISTORY_MESSAGES, description="Earlier turns, oldest first."
    )
    top_k: TopK | None = Field(None, description="Passages to retrieve.")
    mode: Mode | None = Field(None, description="extractive (default) or generative (needs an LLM).")
    debug: bool = Field(
        False,
        description="Return the trace: the parse, the names resolved, the candidates with their scores per "
        "feature, the decision and why.",
    )


class RetrieveRequest(FilterFields):
    model_config = ConfigDict(extra="forbid", strict=True)

    query: QuestionText = Field(..., examples=["Atta Mohammad Noor on those who call for war"])
    top_k: TopK | None = Field(None, description="Passages to return.")


class OpenAIMessage(BaseModel):
    # A user message is a question, so it obeys the question's length limit (stated in the schema too).
    model_config = ConfigDict(
        extra="allow",
        strict=True,
        json_schema_extra={
            "if": {"properties": {"role": {"const": "user"}}, "required": ["role"]},
            "then": {"properties": {"content": {"maxLength": MAX_QUESTION_CHARS}}},
        },
    )

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | None = Field(None, max_length=20_000)

    @model_validator(mode="after")
    def _user_content_is_a_question(self) -> OpenAIMessage:
        if self.role == "user" and len(self.content or "") > MAX_QUESTION_CHARS:
            raise ValueError(f"a user message (a question) must be at most {MAX_QUESTION_CHARS} characters")
        return self

    def is_question(self) -> bool:
        return self.role == "user" and has_text(self.content or "")


class ChatCompletionRequest(FilterFields):
    """The subset of OpenAI's chat completion request that matters here; other fields are accepted.
    The question is the latest non-blank user message; the turns before it are the conversation.
    `since`, `until` and `outlets` (extensions, as on /v1/ask) narrow the articles it draws on."""

    model_config = ConfigDict(extra="allow", strict=True)

    model: str = Field("afghan-briefing", max_length=200)
    messages: list[OpenAIMessage] = Field(
        ...,
        min_length=1,
        max_length=MAX_HISTORY_MESSAGES + 1,
        json_schema_extra={
            "contains": {
                "type": "object",
                "required": ["role", "content"],
                "properties": {"role": {"const": "user"}, "content": {"type": "string", **NOT_BLANK}},
            }
        },
    )
    stream: bool = False

    @field_validator("messages")
    @classmethod
    def _has_a_question(cls, messages: list[OpenAIMessage]) -> list[OpenAIMessage]:
        if not any(m.is_question() for m in messages):
            raise ValueError("the conversation needs a non-empty user message (the question)")
        return messages

    def question_and_history(self) -> tuple[str, list[ChatTurn]]:
        last = max(i for i, m in enumerate(self.messages) if m.is_question())
        turns = [
            ChatTurn(role=m.role, content=m.content or "")
            for m in self.messages[:last]
            if m.role in ("user", "assistant") and m.content
        ]
        return self.messages[last].content or "", turns


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS, json_schema_extra=NOT_BLANK)
    answer: str = Field(..., max_length=50_000)
    citations: list[dict] = Field(default_factory=list, max_length=50)
    comment: str = Field("", max_length=2000, description="What was wrong with the answer.")
    rating: Literal["down", "up"] = "down"
    history: list[ChatTurn] = Field(default_factory=list, max_length=MAX_HISTORY_MESSAGES)

    _check_question = field_validator("question")(_not_blank)
