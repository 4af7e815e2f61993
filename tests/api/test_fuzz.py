"""The API fuzzed against its own schema: whatever arrives, the answer is never a 500.

Schemathesis generates requests from ``/api/v1/openapi.json`` (valid ones and, through the
negative phase, malformed ones), Hypothesis drives them, and each goes through the whole
Django stack in-process against the test database.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

from tanhua.api.models import ApiToken
from tanhua.wsgi import application


@pytest.fixture
def keep_connection():
    # The WSGI app is called directly, so Django closes "old" database connections after each
    # request, which would close the test's own transaction; Django's test client avoids it the
    # same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_api_never_fails_with_a_server_error(db, keep_connection, make_user, make_clue, make_cadre, vocab):
    make_clue("CX01", cadre=make_cadre("CX01B", name="李庆庆"))
    _token, key = ApiToken.issue(make_user("fuzz", "CX", ["petition"]))
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures, seen = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{op.method.upper()} {op.path}" for op in operations} >= {"POST /api/v1/clues", "GET /api/v1/clues"}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def run(case):
                response = case.call(headers=headers)
                seen.append((case.method, response.status_code))
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}")
                    return
                body = response.json()
                if response.status_code >= 400:
                    assert body["message"]
                    assert all(e["field"] and e["message"] for e in body.get("errors", []))

            run()
    assert not failures, "\n".join(failures[:10])
    # The fuzzer got through to the views: answers and field errors, not only refusals.
    statuses = {status for _method, status in seen}
    assert 200 in statuses and 422 in statuses, statuses
