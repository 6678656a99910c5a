"""An OpenAI-compatible chat endpoint, so standard clients can use the assistant.

The answer text carries [n] markers; the sources ride in an extra `citations` field that standard
clients ignore. Pick generative mode with a model name ending in "-generative".
"""

from __future__ import annotations

import json
import time
import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse

from server.answer.models import Answer
from server.deps import ServiceDep
from server.schemas import ChatCompletionRequest

router = APIRouter(prefix="/v1", tags=["openai-compatible"])
MODEL = "afghan-briefing"


def _extras(answer: Answer) -> dict:
    return {
        "citations": [c.model_dump() for c in answer.citations],
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
    }


@router.get("/models", summary="The models this server answers as")
def models() -> dict:
    return {
        "object": "list",
        "data": [
            {"id": m, "object": "model", "created": 0, "owned_by": "afghan-briefing"}
            for m in (MODEL, f"{MODEL}-generative")
        ],
    }


@router.post(
    "/chat/completions",
    summary="OpenAI-compatible chat completion (stream or not)",
    responses={
        200: {
            "description": "a chat.completion object, or chat.completion.chunk events when stream is true",
            "content": {"application/json": {}, "text/event-stream": {}},
        }
    },
)
def chat_completions(body: ChatCompletionRequest, service: ServiceDep):
    question, history = body.question_and_history()
    mode = "generative" if body.model.endswith("-generative") else "extractive"
    answer = service.ask(question, history, None, mode, source_filter=body.source_filter())  # type: ignore[arg-type]
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    if not body.stream:
        return JSONResponse(
            {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": body.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer.answer},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": len(question.split()),
                    "completion_tokens": len(answer.answer.split()),
                    "total_tokens": len(question.split()) + len(answer.answer.split()),
                },
                **_extras(answer),
            }
        )

    def chunk(delta: dict, finish: str | None, extra: dict | None = None) -> str:
        payload = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps({**payload, **(extra or {})}, ensure_ascii=False)}\n\n"

    def events():
        yield chunk({"role": "assistant", "content": ""}, None)
        words = answer.answer.split(" ")
        for i in range(0, len(words), 4):
            piece = " ".join(words[i : i + 4])
            yield chunk({"content": piece if i == 0 else " " + piece}, None)
        yield chunk({}, "stop", _extras(answer))
        yield "data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")
