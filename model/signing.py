"""Ed25519 signatures of model artifacts: keys from the environment, sign, verify.

The trainer (the pipeline, an operator) holds the private key; servers hold only public keys,
so a compromised server cannot sign a model. See docs/model.md for the threat model.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from model.errors import ArtifactError

SIGNATURE_FILE = "model.sig"
ALGORITHM = "ed25519"
CONTEXT = b"focus-agent model artifact v1\n"
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class SigningConfigError(ArtifactError):
    """A signing or verification key (or REQUIRE_SIGNED_MODEL) is set but unusable."""


def _raw_public(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A short, stable name of a public key: the first 16 hex digits of its sha256."""
    return hashlib.sha256(_raw_public(key)).hexdigest()[:16]


def public_key_text(key: Ed25519PublicKey) -> str:
    """A public key as one line of base64 (its 32 raw bytes), the form MODEL_VERIFY_KEY takes."""
    return base64.b64encode(_raw_public(key)).decode("ascii")


def private_key_pem(key: Ed25519PrivateKey) -> str:
    """A private key as unencrypted PKCS#8 PEM (as `openssl genpkey -algorithm ed25519`)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def parse_private_key(text: str, source: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PKCS#8 PEM or base64 of its 32-byte seed."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error, UnicodeEncodeError) as exc:
        raise SigningConfigError(f"{source} is not an Ed25519 private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningConfigError(f"{source} is not an Ed25519 private key")
    return key


def parse_public_keys(text: str, source: str) -> list[Ed25519PublicKey]:
    """Ed25519 public keys: base64 of 32 raw bytes, separated by commas, spaces or lines."""
    keys = []
    for word in text.replace(",", " ").split():
        try:
            keys.append(Ed25519PublicKey.from_public_bytes(base64.b64decode(word, validate=True)))
        except (ValueError, binascii.Error) as exc:
            raise SigningConfigError(
                f"{source} holds {word[:12]!r}..., not a base64 Ed25519 public key: {exc}"
            ) from None
    return keys


def _read_key_file(path: str, variable: str) -> str:
    """The text of a key file named by an environment variable."""
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise SigningConfigError(f"{variable}={path} cannot be read: {exc}") from None


def signing_key(environ: Mapping[str, str] = os.environ) -> Ed25519PrivateKey | None:
    """The private key from MODEL_SIGNING_KEY (the key itself) or MODEL_SIGNING_KEY_FILE."""
    if environ.get("MODEL_SIGNING_KEY", "").strip():
        return parse_private_key(environ["MODEL_SIGNING_KEY"], "MODEL_SIGNING_KEY")
    path = environ.get("MODEL_SIGNING_KEY_FILE", "").strip()
    if path:
        return parse_private_key(_read_key_file(path, "MODEL_SIGNING_KEY_FILE"),
                                 "MODEL_SIGNING_KEY_FILE")
    return None


@dataclass(frozen=True)
class VerifyPolicy:
    """Which public keys a loader trusts and whether an unsigned artifact may load."""

    keys: tuple[Ed25519PublicKey, ...]
    required: bool

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "VerifyPolicy":
        """Trusted keys from MODEL_VERIFY_KEY, MODEL_VERIFY_KEY_FILE and the signing key.

        REQUIRE_SIGNED_MODEL defaults to on as soon as any trusted key is configured.
        """
        keys = parse_public_keys(environ.get("MODEL_VERIFY_KEY", ""), "MODEL_VERIFY_KEY")
        path = environ.get("MODEL_VERIFY_KEY_FILE", "").strip()
        if path:
            keys += parse_public_keys(_read_key_file(path, "MODEL_VERIFY_KEY_FILE"),
                                      "MODEL_VERIFY_KEY_FILE")
        private = signing_key(environ)
        if private is not None:
            keys.append(private.public_key())
        word = environ.get("REQUIRE_SIGNED_MODEL")
        if word is None:
            required = bool(keys)
        elif word.strip().lower() in TRUE_WORDS | FALSE_WORDS:
            required = word.strip().lower() in TRUE_WORDS
        else:
            raise SigningConfigError(f"REQUIRE_SIGNED_MODEL={word!r}: use 1 or 0")
        return cls(tuple(keys), required)


def signed_message(manifest_bytes: bytes, model_bytes: bytes) -> bytes:
    """What is signed: a context string, then the sha256 of the manifest and of the model."""
    return (CONTEXT + hashlib.sha256(manifest_bytes).hexdigest().encode() + b"\n"
            + hashlib.sha256(model_bytes).hexdigest().encode() + b"\n")


def sign(key: Ed25519PrivateKey, manifest_bytes: bytes, model_bytes: bytes) -> bytes:
    """The signature file's bytes for this manifest and model."""
    signature = key.sign(signed_message(manifest_bytes, model_bytes))
    document = {"algorithm": ALGORITHM, "key_id": key_id(key.public_key()),
                "signature": base64.b64encode(signature).decode("ascii")}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _parse_signature(signature_bytes: bytes, where: str) -> tuple[str, bytes]:
    """Key id and raw signature from a signature file."""
    try:
        document = json.loads(signature_bytes)
        if not isinstance(document, dict) or document.get("algorithm") != ALGORITHM:
            raise ValueError(f"algorithm must be {ALGORITHM!r}")
        return str(document["key_id"]), base64.b64decode(document["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ArtifactError(f"refusing {where}: its signature file is malformed ({exc})") from None


def check_signature(policy: VerifyPolicy, signature_bytes: bytes | None, manifest_bytes: bytes,
                    model_bytes: bytes, where: str) -> str | None:
    """Verify an artifact's signature under a policy; the signing key's id, or None if unsigned.

    Raises ArtifactError when the signature is wrong, from an untrusted key, or missing while
    signatures are required.
    """
    if signature_bytes is None:
        if policy.required:
            raise ArtifactError(
                f"refusing {where}: it is not signed and REQUIRE_SIGNED_MODEL is on; publish a"
                " model trained with MODEL_SIGNING_KEY or MODEL_SIGNING_KEY_FILE set")
        return None
    signer, signature = _parse_signature(signature_bytes, where)
    if not policy.keys:
        if policy.required:
            raise ArtifactError(
                f"refusing {where}: REQUIRE_SIGNED_MODEL is on but no verification key is"
                " configured (MODEL_VERIFY_KEY or MODEL_VERIFY_KEY_FILE)")
        return None
    trusted = {key_id(key): key for key in policy.keys}
    if signer not in trusted:
        raise ArtifactError(f"refusing {where}: signed by key {signer}, which is not trusted"
                            f" (trusted: {', '.join(sorted(trusted))})")
    try:
        trusted[signer].verify(signature, signed_message(manifest_bytes, model_bytes))
    except InvalidSignature:
        raise ArtifactError(
            f"refusing {where}: the signature does not match; the model or the manifest was"
            " changed after signing") from None
    return signer
