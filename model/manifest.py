"""The manifest's shape (pydantic): checked before any of its fields is used."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.errors import ArtifactError
from model.schema import DURATION_MAX, DURATION_MIN, MOODS_AFTER

MAX_MANIFEST_BYTES = 1024 * 1024
MAX_LISTED_PROBLEMS = 5
SHA256_PATTERN = r"^[0-9a-f]{64}$"
# The version names a folder of the versioned layout, so it must be one safe path component.
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class _Open(BaseModel):
    """A manifest part: the fields the loader relies on are checked, others are kept."""

    model_config = ConfigDict(extra="allow")


class ArtifactFile(_Open):
    """Which file holds the pipeline and its checksum."""

    sha256: str = Field(pattern=SHA256_PATTERN)


class DurationFeature(_Open):
    """The duration feature: the range the training data covered."""

    trained_range: tuple[int, int]

    @model_validator(mode="after")
    def _ordered_within_contract(self) -> "DurationFeature":
        """The trained range lies within the contract and is not empty."""
        low, high = self.trained_range
        if not DURATION_MIN <= low <= high <= DURATION_MAX:
            raise ValueError(f"must be [low, high] within {DURATION_MIN}-{DURATION_MAX}")
        return self


class Features(_Open):
    """The feature schema the model was trained with."""

    duration_minutes: DurationFeature
    mood_before: dict[str, Any]


class Manifest(_Open):
    """The fields of model.json that loading and serving use."""

    version: str = Field(pattern=VERSION_PATTERN)
    created_at: str
    libraries: dict[str, str]
    artifact: ArtifactFile
    classes: list[str]
    features: Features
    metrics: dict[str, Any]

    @model_validator(mode="after")
    def _known_classes(self) -> "Manifest":
        """The classes are exactly the moods the API answers with."""
        if sorted(self.classes) != sorted(MOODS_AFTER):
            raise ValueError(f"classes must be {', '.join(MOODS_AFTER)} (in any order)")
        if "scikit-learn" not in self.libraries:
            raise ValueError("libraries must name the scikit-learn version")
        return self


def _describe(error: ValidationError) -> str:
    """The first few problems of a validation error, one clause each."""
    problems = [f"{'.'.join(map(str, item['loc'])) or 'manifest'}: {item['msg']}"
                for item in error.errors()]
    shown = "; ".join(problems[:MAX_LISTED_PROBLEMS])
    more = len(problems) - MAX_LISTED_PROBLEMS
    return shown + (f"; and {more} more" if more > 0 else "")


def parse_manifest(data: bytes, where: str) -> dict[str, Any]:
    """The manifest as a dict, once its JSON and its shape are valid; ArtifactError otherwise."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ArtifactError(f"{where} is not a valid manifest: larger than"
                            f" {MAX_MANIFEST_BYTES} bytes")
    try:
        document = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{where} is not a valid manifest: {exc}") from None
    if not isinstance(document, dict):
        raise ArtifactError(f"{where} is not a valid manifest: a JSON object is expected,"
                            f" not {type(document).__name__}")
    try:
        Manifest.model_validate(document)
    except ValidationError as exc:
        raise ArtifactError(f"{where} is not a valid manifest: {_describe(exc)}") from None
    return document
