"""Schemathesis against the live server's own OpenAPI schema: every endpoint, hundreds of generated
requests (valid and invalid), no 5xx, and every response matches the schema it documents."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.conftest import free_port
from tests.server.conftest import LiveServer, make_settings

MIN_CASES = 500
# A schema cannot say which bytes make an article: an upload that fits the schema may still be empty,
# binary or of an unsupported type and is then rightly refused (415/422), so "schema-valid requests are
# accepted" cannot hold for uploads. Nor for a URL to fetch or a feed to follow: a well-formed URL may
# name no host, a non-public address or no feed (403/422). Every other check applies to them.
# Nor can it say that `since` comes before `until`: a filter with them the other way round is refused (422).
CONTENT_DEPENDENT = {
    "POST /v1/documents": [positive_data_acceptance],
    "POST /v1/feeds": [positive_data_acceptance],
    **{
        f"POST {path}": [positive_data_acceptance]
        for path in ("/v1/ask", "/v1/ask/stream", "/v1/retrieve", "/v1/chat/completions", "/v1/briefings")
    },
}
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory, embedder):
    """A server of its own: the fuzzer uploads and deletes whatever it likes."""
    from server.app import create_app
    from server.service import build_service

    settings_ = make_settings(tmp_path_factory.mktemp("fuzz-data"))
    service = build_service(settings_, embedder=embedder)
    with LiveServer(create_app(settings_, service=service, mount_ui=False), free_port()) as live:
        yield live.url


@pytest.fixture(scope="module")
def api_schema(fuzzed_server):
    # 413 (body over the size limit) is a rejection too; schemathesis' default list leaves it out.
    config = schemathesis.Config.from_dict(
        {
            "checks": {
                "negative_data_rejection": {
                    "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]
                }
            }
        }
    )
    return schemathesis.openapi.from_url(f"{fuzzed_server}/openapi.json", config=config)


def fuzz(operation, mode: GenerationMode, examples: int) -> None:
    """Generated requests for one operation; the first failing case is raised, shrunk by Hypothesis."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.generate],
    )
    def run(case):
        CASES[case.operation.label] += 1
        case.call_and_validate(timeout=60, excluded_checks=CONTENT_DEPENDENT.get(case.operation.label, []))

    run()


# schemathesis' pytest plugin does not run under pytest 9, so the operations are driven directly.
def test_no_server_error_and_responses_match_the_schema(api_schema):
    failures = {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        for mode, examples in ((GenerationMode.POSITIVE, 60), (GenerationMode.NEGATIVE, 30)):
            try:
                fuzz(operation, mode, examples)
            except Unsatisfiable:
                # Nothing can be invalid about it (no body, only free-text path parameters).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as exc:  # keep going: report every failing operation at once
                failures[f"{operation.label} ({mode.value})"] = f"{type(exc).__name__}: {exc}"[:3000]
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert sum(CASES.values()) >= MIN_CASES, CASES
    operations = {r.ok().label for r in api_schema.get_all_operations()}
    assert set(CASES) == operations, operations - set(CASES)
