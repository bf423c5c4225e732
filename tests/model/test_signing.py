"""Signed artifacts: a forged model+manifest pair is refused before anything is unpickled."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from model.artifact import MANIFEST_FILE, MODEL_FILE, load_artifact
from model.errors import ArtifactError
from model.signing import (SIGNATURE_FILE, SigningConfigError, VerifyPolicy, key_id,
                           private_key_pem, public_key_text)
from model.workflow import run_training

QUIET = {"progress": lambda line: None}


class _Explosive:
    """Unpickling this writes a marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple:
        return (Path.write_text, (self.marker, "pwned"))


def _forge(folder: Path, marker: Path) -> None:
    """Replace the model by a malicious pickle and write its sha256 into the manifest."""
    payload = pickle.dumps(_Explosive(marker))
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    manifest["artifact"]["sha256"] = hashlib.sha256(payload).hexdigest()
    (folder / MODEL_FILE).write_bytes(payload)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    """A signing key for this module's tests."""
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def signed_dir(tmp_path_factory: pytest.TempPathFactory, dataset_path: Path,
               key: Ed25519PrivateKey) -> Path:
    """A model trained and published with MODEL_SIGNING_KEY set (read-only use)."""
    directory = tmp_path_factory.mktemp("signed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MODEL_SIGNING_KEY", private_key_pem(key))
        run_training(dataset_path, directory, **QUIET)
    return directory


@pytest.fixture()
def signed(signed_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the signed artifact."""
    target = tmp_path / "signed"
    shutil.copytree(signed_dir, target, symlinks=True)
    return target


@pytest.fixture()
def verifying(monkeypatch: pytest.MonkeyPatch, key: Ed25519PrivateKey) -> None:
    """The server's environment: only the public key, REQUIRE_SIGNED_MODEL left to default."""
    for name in ("MODEL_SIGNING_KEY", "MODEL_SIGNING_KEY_FILE", "REQUIRE_SIGNED_MODEL",
                 "MODEL_VERIFY_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MODEL_VERIFY_KEY", public_key_text(key.public_key()))


def test_a_signed_artifact_names_its_key_and_loads(signed: Path, verifying: None,
                                                   key: Ed25519PrivateKey) -> None:
    document = json.loads((signed / "current" / SIGNATURE_FILE).read_text())
    assert document["algorithm"] == "ed25519"
    assert document["key_id"] == key_id(key.public_key())
    assert load_artifact(signed).compiled


def test_a_forged_pair_is_refused_before_unpickling(signed: Path, verifying: None,
                                                    tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    _forge(signed / "current", marker)
    with pytest.raises(ArtifactError, match="signature does not match"):
        load_artifact(signed)
    assert not marker.exists()


def test_a_forged_unsigned_pair_is_refused_when_signatures_are_required(
        signed: Path, verifying: None, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    _forge(signed / "current", marker)
    (signed / "current" / SIGNATURE_FILE).unlink()
    with pytest.raises(ArtifactError, match="not signed and REQUIRE_SIGNED_MODEL is on"):
        load_artifact(signed)
    assert not marker.exists()


def test_without_signatures_the_forged_pair_would_run_code(signed: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """The attack the signature stops: checksum-only loading unpickles the forged file."""
    for name in ("MODEL_SIGNING_KEY", "MODEL_VERIFY_KEY", "MODEL_VERIFY_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUIRE_SIGNED_MODEL", "0")
    marker = tmp_path / "marker"
    _forge(signed / "current", marker)
    (signed / "current" / SIGNATURE_FILE).unlink()
    with pytest.raises(ArtifactError, match="not a fitted pipeline"):
        load_artifact(signed)
    assert marker.read_text() == "pwned"


def test_a_changed_manifest_breaks_the_signature(signed: Path, verifying: None) -> None:
    manifest = json.loads((signed / "current" / MANIFEST_FILE).read_text())
    manifest["metrics"]["accuracy"] = 0.99
    (signed / "current" / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    with pytest.raises(ArtifactError, match="signature does not match"):
        load_artifact(signed)


def test_a_signature_by_an_untrusted_key_is_refused(signed: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    monkeypatch.delenv("MODEL_SIGNING_KEY", raising=False)
    monkeypatch.setenv("MODEL_VERIFY_KEY", public_key_text(other))
    with pytest.raises(ArtifactError, match="which is not trusted"):
        load_artifact(signed)


def test_a_malformed_signature_file_is_refused(signed: Path, verifying: None) -> None:
    (signed / "current" / SIGNATURE_FILE).write_text("[]")
    with pytest.raises(ArtifactError, match="signature file is malformed"):
        load_artifact(signed)


def test_require_signed_model_refuses_unsigned_artifacts(artifacts: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("REQUIRE_SIGNED_MODEL", "1")
    with pytest.raises(ArtifactError, match="not signed"):
        load_artifact(artifacts)
    monkeypatch.setenv("REQUIRE_SIGNED_MODEL", "0")
    assert load_artifact(artifacts).compiled


def test_required_signatures_without_a_key_refuse_even_a_signed_model(
        signed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MODEL_SIGNING_KEY", "MODEL_VERIFY_KEY", "MODEL_VERIFY_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUIRE_SIGNED_MODEL", "1")
    with pytest.raises(ArtifactError, match="no verification key is configured"):
        load_artifact(signed)


def test_policy_defaults_to_required_when_a_key_is_given(key: Ed25519PrivateKey,
                                                         tmp_path: Path) -> None:
    public = public_key_text(key.public_key())
    assert VerifyPolicy.from_env({}).required is False
    assert VerifyPolicy.from_env({"MODEL_VERIFY_KEY": public}).required is True
    assert VerifyPolicy.from_env({"MODEL_VERIFY_KEY": public,
                                  "REQUIRE_SIGNED_MODEL": "0"}).required is False
    key_file = tmp_path / "keys.pub"
    key_file.write_text(public + "\n")
    policy = VerifyPolicy.from_env({"MODEL_VERIFY_KEY_FILE": str(key_file)})
    assert policy.required and [key_id(k) for k in policy.keys] == [key_id(key.public_key())]


@pytest.mark.parametrize("environ, message", [
    ({"MODEL_VERIFY_KEY": "not-base64!"}, "not a base64 Ed25519 public key"),
    ({"MODEL_SIGNING_KEY": "c2hvcnQ="}, "not an Ed25519 private key"),
    ({"MODEL_SIGNING_KEY_FILE": "/nonexistent/key.pem"}, "cannot be read"),
    ({"REQUIRE_SIGNED_MODEL": "maybe"}, "use 1 or 0"),
])
def test_unusable_key_settings_are_named(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SigningConfigError, match=message):
        VerifyPolicy.from_env(environ)


def test_the_signed_bytes_are_the_ones_unpickled(signed: Path, verifying: None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader reads each file once: the checked bytes are the unpickled bytes."""
    seen = []
    real_load = __import__("joblib").load

    def recording_load(source: io.BytesIO, *args: object, **kwargs: object) -> object:
        seen.append(hashlib.sha256(source.getvalue()).hexdigest())
        return real_load(source, *args, **kwargs)

    monkeypatch.setattr("joblib.load", recording_load)
    load_artifact(signed)
    assert seen == [hashlib.sha256((signed / MODEL_FILE).read_bytes()).hexdigest()]
