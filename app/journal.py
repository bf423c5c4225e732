"""The journal blueprint: record, read, page, export, delete sessions, and their summary."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import itertools
import logging
from typing import Any, Iterable, Iterator

import orjson
from flask import Blueprint, Flask, Response, current_app, request, stream_with_context

from app.api import _int_query
from app.config import Config
from app.errors import ApiError, error_response
from app.metrics import export_live_accuracy
from app.responses import json_response, raw_json_response
from app.schemas import NewSession, NewSessions
from app.state import agent_state
from app.store_state import install_store, journal, live_accuracy, predicted_mood
from app.validation import json_body, validated
from model.schema import MOODS_AFTER, MOODS_BEFORE, SESSION_COLUMNS
from store.errors import IdempotencyKeyInUse, IdempotencyKeyReused, StoreUnavailable
from store.journal import RECORD_COLUMNS, Journal, SessionFilter

log = logging.getLogger(__name__)
journal_api = Blueprint("journal", __name__)
RETRY_AFTER_SECONDS = "5"
EXPORT_COLUMNS = (*SESSION_COLUMNS, *(name for name in RECORD_COLUMNS
                                      if name not in SESSION_COLUMNS))
MAX_KEY_LENGTH = 255


def install_journal(app: Flask, config: Config) -> None:
    """Open the journal (lazily: nothing connects yet), answer its faults, say if writes work."""
    store = Journal(config.database_url)
    install_store(app, store)
    export_live_accuracy(app, live_accuracy)
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    if config.api_keys:
        log.info("journal at %s; writes accepted with %d API key(s)", store.url,
                 len(config.api_keys))
    else:
        log.warning("journal at %s; writes are refused: no API key configured (set API_KEYS"
                    " to a comma-separated list of keys)", store.url)


def _store_unavailable(error: StoreUnavailable) -> Response:
    """503 STORE_UNAVAILABLE, with a hint to retry."""
    return error_response(503, f"the sessions store is unavailable: {error}; retry later",
                          [{"field": "store", "problem": str(error)}], "STORE_UNAVAILABLE",
                          {"Retry-After": RETRY_AFTER_SECONDS})


def _config() -> Config:
    """The application's configuration."""
    return current_app.config["FOCUS_AGENT"]


def authorised_client() -> str:
    """The caller's client id (a digest of its key) when it sent a valid API key, else 401."""
    keys = _config().api_keys
    if not keys:
        raise ApiError(403, "writes are disabled: the server has no API key configured"
                            " (set API_KEYS)", code="WRITES_DISABLED")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    matched = False
    for key in keys:  # every key is compared, so the time taken does not tell which matched
        matched |= hmac.compare_digest(token.encode(), key.encode())
    if scheme.lower() != "bearer" or not token or not matched:
        raise ApiError(401, "a valid API key is required: send Authorization: Bearer <key>",
                       [{"field": "Authorization", "problem": "missing or not a known key"}],
                       code="UNAUTHORIZED",
                       headers={"WWW-Authenticate": 'Bearer realm="focus-agent"'})
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _idempotency_key() -> str | None:
    """The Idempotency-Key header (an sf-string, quotes optional), or None; 400 if malformed."""
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " < char <= "~" for char in key):
        problem = f"must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"
        raise ApiError(400, f"invalid Idempotency-Key: {problem}",
                       [{"field": "Idempotency-Key", "problem": problem}])
    return key


def _row(session: NewSession, today: str) -> dict[str, Any]:
    """A session to store, with the served model's prediction and version at this moment."""
    model = agent_state().model
    return {"date": dt.date.fromisoformat(session.date or today),
            "duration_minutes": session.duration_minutes, "mood_before": session.mood_before,
            "mood_after": session.mood_after,
            "predicted_mood": predicted_mood(model, session.mood_before,
                                             session.duration_minutes) if model else None,
            "model_version": model.version if model else None}


def _sessions_to_record(body: dict[str, Any]) -> tuple[bool, list[NewSession]]:
    """Whether the body is a batch, and its validated sessions (413 over the batch limit)."""
    if "sessions" not in body:
        return False, [validated(NewSession, body)]
    limit = _config().max_batch
    if isinstance(body["sessions"], list) and len(body["sessions"]) > limit:
        raise ApiError(413, f"batch of {len(body['sessions'])} sessions is over the limit of"
                            f" {limit}; split it into smaller batches",
                       [{"field": "sessions", "problem": f"at most {limit} items"}])
    return True, validated(NewSessions, body).sessions


def _answer(batch: bool) -> Any:
    """How the stored records become the 201 answer: (status, JSON text, Location)."""
    def answer(records: list[dict[str, Any]]) -> tuple[int, str, str]:
        payload = {"sessions": records} if batch else records[0]
        return 201, orjson.dumps(payload).decode(), f"/sessions/{records[0]['id']}"
    return answer


@journal_api.post("/sessions")
def record_sessions() -> Response:
    """Record one session, or a batch ({"sessions": [...]}, all or nothing); needs an API key."""
    client = authorised_client()
    body = json_body()
    batch, sessions = _sessions_to_record(body)
    key = _idempotency_key()
    store = journal()
    if key is not None:
        fingerprint = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
        try:
            replay = store.claim(client, key, fingerprint)
        except IdempotencyKeyInUse as error:
            raise ApiError(409, str(error), code="IDEMPOTENCY_KEY_IN_USE",
                           headers={"Retry-After": "1"}) from None
        except IdempotencyKeyReused as error:
            raise ApiError(422, str(error), [{"field": "Idempotency-Key", "problem": str(error)}],
                           code="IDEMPOTENCY_KEY_REUSED") from None
        if replay is not None:
            status, text, location = replay
            return raw_json_response(text.encode(), status, {"Location": location,
                                                             "Idempotent-Replayed": "true"})
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    answer = _answer(batch)
    try:
        records = store.record([_row(session, today) for session in sessions], client, key,
                               answer)
    except BaseException:
        if key is not None:
            store.release(client, key)
        raise
    status, text, location = answer(records)
    return raw_json_response(text.encode(), status, {"Location": location})


def _choice_query(name: str, allowed: tuple[str, ...]) -> str | None:
    """An optional query parameter that must be one of allowed, or 400 naming it."""
    value = request.args.get(name)
    if value is not None and value not in allowed:
        problem = f"must be one of {', '.join(allowed)}, got {value!r}"
        raise ApiError(400, f"invalid query: {name} {problem}",
                       [{"field": name, "problem": problem}])
    return value


def _date_query(name: str) -> dt.date | None:
    """An optional YYYY-MM-DD query parameter, or 400 naming it."""
    value = request.args.get(name)
    if value is None:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    problem = f"must be a date written YYYY-MM-DD, got {value!r}"
    raise ApiError(400, f"invalid query: {name} {problem}", [{"field": name, "problem": problem}])


def session_filter() -> SessionFilter:
    """The filters of /sessions and /sessions.csv: mood_before, mood_after, since, until."""
    where = SessionFilter(_choice_query("mood_before", MOODS_BEFORE),
                          _choice_query("mood_after", MOODS_AFTER),
                          _date_query("since"), _date_query("until"))
    if where.since and where.until and where.since > where.until:
        raise ApiError(400, "invalid query: since is after until",
                       [{"field": "since", "problem": "must not be after until"}])
    return where


@journal_api.get("/sessions")
def list_sessions() -> Response:
    """Stored sessions in recording order, filtered and paged; X-Total-Count has the total."""
    config = _config()
    limit = _int_query("limit", config.sessions_default_limit, 1, config.sessions_max_limit)
    offset = _int_query("offset", 0, 0)
    total, rows = journal().page(session_filter(), offset, limit)
    return json_response(rows, headers={"X-Total-Count": str(total)})


def _csv_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The export as CSV text, the header first, then chunks of rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    records = iter(records)
    while chunk := list(itertools.islice(records, 1000)):
        writer.writerows([record[name] for name in EXPORT_COLUMNS] for record in chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


@journal_api.get("/sessions.csv")
def export_sessions() -> Response:
    """Stream the (filtered) sessions as CSV that `focus-agent validate-data` accepts."""
    rows = journal().export(session_filter())
    first = next(rows, None)  # a store fault surfaces here, as a 503, not mid-stream
    stream = itertools.chain([] if first is None else [first], rows)
    return Response(stream_with_context(_csv_lines(stream)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="sessions.csv"'})


def _found(session_id: int) -> dict[str, Any]:
    """The stored session, or 404 naming it."""
    record = journal().get(session_id)
    if record is None:
        raise ApiError(404, f"no session with id {session_id}", code="NOT_FOUND")
    return record


@journal_api.get("/sessions/<int:session_id>")
def get_session(session_id: int) -> Response:
    """One stored session."""
    return json_response(_found(session_id))


@journal_api.delete("/sessions/<int:session_id>")
def delete_session(session_id: int) -> Response:
    """Delete a session recorded by mistake (needs an API key); 204, or 404."""
    authorised_client()
    if not journal().delete(session_id):
        raise ApiError(404, f"no session with id {session_id}", code="NOT_FOUND")
    return Response(status=204)


@journal_api.get("/stats")
def stats() -> Response:
    """Summary of the stored sessions, computed by the database (the original keys first)."""
    summary = journal().summary()
    transitions = summary["transitions"]
    return json_response({
        "total_sessions": summary["count"],
        "avg_duration": round(summary["mean"], 2) if summary["mean"] is not None else None,
        "longest_session": summary["longest"],
        "shortest_session": summary["shortest"],
        "by_mood_before": {before: sum(transitions.get((before, after), 0)
                                       for after in MOODS_AFTER) for before in MOODS_BEFORE},
        "transitions": {before: {after: transitions.get((before, after), 0)
                                 for after in MOODS_AFTER} for before in MOODS_BEFORE},
        "by_duration": summary["by_duration"],
    })
