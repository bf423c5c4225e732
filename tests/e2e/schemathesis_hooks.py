"""Schemathesis hooks for tests/e2e/test_schema_conformance.py (loaded by SCHEMATHESIS_HOOKS).

The API's integers are JSON integer literals: the schema says so (`x-integer-literal-only` and
the description), but JSON Schema itself counts 25.0 as an integer, so a generator following it
writes some whole numbers as floats that the server refuses by design (tests/app cover that).
This hook writes them as integers, so every other schema-valid request must be accepted.
Likewise /recommend's `min_minutes <= max_minutes` is a rule between two fields that JSON
Schema cannot state (its description does): bodies that cross the bounds are not generated;
the same for the journal's `since <= until` query. An Idempotency-Key names one request, so
each generated one is made unique: a key the fuzzer reuses with another body is a documented
422 (tests/app and tests/store cover the keys' rules).
"""

from __future__ import annotations

import uuid
from typing import Any

import schemathesis


def as_integer_literals(value: Any) -> Any:
    """The value with every whole float (25.0) written as an integer (25), at any depth."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {name: as_integer_literals(item) for name, item in value.items()}
    if isinstance(value, list):
        return [as_integer_literals(item) for item in value]
    return value


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    """Generated bodies use integer literals for whole numbers."""
    return as_integer_literals(body)


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    """Leave out bodies whose min_minutes exceeds max_minutes (a documented 400)."""
    if not isinstance(body, dict):
        return True
    low, high = body.get("min_minutes"), body.get("max_minutes")
    numbers = (int, float)
    return not (isinstance(low, numbers) and isinstance(high, numbers) and low > high)


@schemathesis.hook
def filter_query(context: Any, query: Any) -> bool:
    """Leave out queries whose since is after until (a documented 400)."""
    if not isinstance(query, dict):
        return True
    since, until = query.get("since"), query.get("until")
    return not (isinstance(since, str) and isinstance(until, str) and since > until)


@schemathesis.hook
def map_headers(context: Any, headers: Any) -> Any:
    """Every generated Idempotency-Key is a new one."""
    if isinstance(headers, dict) and "Idempotency-Key" in headers:
        return {**headers, "Idempotency-Key": uuid.uuid4().hex}
    return headers
