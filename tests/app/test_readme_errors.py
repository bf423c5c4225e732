"""The README's error tables list exactly the statuses and codes the server can answer."""

from __future__ import annotations

import re
from typing import get_args

from app import gunicorn_errors, schemas
from app.errors import CODES, SPECIFIC_CODES
from tests.conftest import ROOT

ROW = re.compile(r"^\| (\d{3}) \| `([A-Z_]+)` \|", re.MULTILINE)


def readme_rows() -> set[tuple[int, str]]:
    """(status, code) of every row of the README's error tables."""
    return {(int(status), code) for status, code in ROW.findall((ROOT / "README.md").read_text())}


def test_every_code_the_app_answers_is_in_the_readme() -> None:
    app_rows = {(status, code) for status, code in CODES.items()} | SPECIFIC_CODES
    assert app_rows <= readme_rows()
    assert {code for _, code in app_rows} == set(get_args(schemas.ErrorResponse.model_fields[
        "code"].annotation))


def test_every_readme_row_is_a_code_the_server_answers() -> None:
    server_rows = ({(status, code) for status, code in CODES.items()}
                   | SPECIFIC_CODES
                   | {(status, code) for status, code in gunicorn_errors.CODES.items()})
    assert readme_rows() <= server_rows


def test_gunicorn_refusals_the_server_can_meet_are_in_the_readme() -> None:
    proxy_only = {403}  # ForbiddenProxyRequest: only with Gunicorn's proxy protocol, off here
    documented = {status for status, _ in readme_rows()}
    assert set(gunicorn_errors.CODES) - proxy_only <= documented
