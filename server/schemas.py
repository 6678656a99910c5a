"""Request bodies of the HTTP API, with their limits."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.answer.models import ChatTurn, Mode

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_MESSAGES = 20


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only whitespace")
    return value


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        ...,
        min_length=1,
        max_length=MAX_QUESTION_CHARS,
        examples=["What did Atta Mohammad Noor say about those who promote war?"],
    )
    history: list[ChatTurn] = Field(
        default_factory=list, max_length=MAX_HISTORY_MESSAGES, description="Earlier turns, oldest first."
    )
    top_k: int | None = Field(None, ge=1, le=20, description="Passages to retrieve.")
    mode: Mode | None = Field(None, description="extractive (default) or generative (needs an LLM).")

    _check_question = field_validator("question")(_not_blank)


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | None = Field(None, max_length=20_000)


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's chat completion request that matters here; other fields are accepted."""

    model_config = ConfigDict(extra="allow")

    model: str = Field("afghan-briefing", max_length=200)
    messages: list[OpenAIMessage] = Field(..., min_length=1, max_length=MAX_HISTORY_MESSAGES + 1)
    stream: bool = False

    @field_validator("messages")
    @classmethod
    def _last_is_a_question(cls, messages: list[OpenAIMessage]) -> list[OpenAIMessage]:
        last = messages[-1]
        if last.role != "user" or not (last.content or "").strip():
            raise ValueError("the last message must be a non-empty user message")
        if len(last.content or "") > MAX_QUESTION_CHARS:
            raise ValueError(f"the question must be at most {MAX_QUESTION_CHARS} characters")
        return messages


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., min_length=1, max_length=MAX_QUESTION_CHARS)
    answer: str = Field(..., max_length=50_000)
    citations: list[dict] = Field(default_factory=list, max_length=50)
    comment: str = Field("", max_length=2000, description="What was wrong with the answer.")
    rating: Literal["down", "up"] = "down"
    history: list[ChatTurn] = Field(default_factory=list, max_length=MAX_HISTORY_MESSAGES)

    _check_question = field_validator("question")(_not_blank)
