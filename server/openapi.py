"""The OpenAPI document, telling the truth about errors: every 4xx/5xx body is `{"error": {...}}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

# Statuses any operation may answer with, whatever its parameters: the body-size limit, the rate limit
# and an unreachable index are enforced for every route.
COMMON_ERRORS = {
    "413": "the request body is too large",
    "429": "too many requests from this client; see Retry-After",
    "503": "the index is loading or its store is unreachable",
}


class ErrorDetail(BaseModel):
    status: int
    message: str = Field(description="What went wrong, in words a person can act on.")
    details: list[dict[str, Any]] | None = Field(None, description="Field errors of an invalid request.")


class ErrorBody(BaseModel):
    error: ErrorDetail


def install_openapi(app: FastAPI) -> None:
    """Replace FastAPI's default validation-error schema with the error body this API really sends."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorDetail"] = ErrorDetail.model_json_schema()
        components["ErrorBody"] = {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}},
        }
        error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.setdefault("responses", {})
                if "requestBody" in operation:
                    responses.setdefault("400", {"description": "the body could not be parsed"})
                if "requestBody" in operation or operation.get("parameters"):
                    responses.setdefault("422", {"description": "invalid request"})
                for status, description in COMMON_ERRORS.items():
                    responses.setdefault(status, {"description": description})
                for status, response in responses.items():
                    # FastAPI's own 422 schema is not what the error handler sends; declared models stay.
                    if status[0] in "45" and (status == "422" or not response.get("content")):
                        response["content"] = error_content
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
