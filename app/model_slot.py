"""The served model of one process, and how it follows the published version without a restart.

Each Gunicorn worker keeps its own slot. At most once per interval a request first reads where
the model folder's `current` link points (one readlink); when it moved, the worker loads and
verifies the new version exactly as start-up does and swaps it in with one assignment, so a
request sees either the old model or the new one. A refused version leaves the old one serving.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from app.serving import ServingModel
from model.artifact import LoadedModel, load_published, published_target
from model.errors import ModelError

log = logging.getLogger(__name__)


class ModelSlot:
    """The serving model (or why there is none) and the published version it came from."""

    def __init__(self, model_dir: Path | None, interval: float = 1.0) -> None:
        """An empty slot that follows model_dir (None: a fixed, injected model)."""
        self.model_dir = model_dir
        self.interval = interval
        self.model: ServingModel | None = None
        self.model_error: str | None = None
        self.refused: str | None = None
        self._seen: str | None = None
        self._next_check = 0.0
        self._lock = threading.Lock()

    @classmethod
    def fixed(cls, model: LoadedModel) -> "ModelSlot":
        """A slot that serves one given model and never looks for another."""
        slot = cls(None)
        slot.model = ServingModel(model)
        return slot

    @classmethod
    def following(cls, model_dir: Path, interval: float = 1.0) -> "ModelSlot":
        """A slot loaded from model_dir now, that follows what is published there later."""
        slot = cls(Path(model_dir), interval)
        slot._load(published_target(slot.model_dir))
        return slot

    def _load(self, target: str | None) -> None:
        """Load and verify the published model; swap it in, or record why it was refused."""
        self._seen = target
        try:
            loaded, self._seen = load_published(self.model_dir)
            serving = ServingModel(loaded)
        except ModelError as error:
            self._refuse(str(error))
            return
        except Exception as error:  # an artifact that passed every check yet breaks serving
            log.exception("the published model cannot be served")
            self._refuse(f"it cannot be served ({type(error).__name__}: {error})")
            return
        previous = self.model.version if self.model else None
        self.model, self.model_error, self.refused = serving, None, None
        if previous is None:
            log.info("model %s loaded (compiled predictor: %s)", serving.version,
                     serving.loaded.compiled)
        elif previous != serving.version:
            log.info("model %s now serving (was %s)", serving.version, previous)

    def _refuse(self, error: str) -> None:
        """Keep serving what is served; say why the published model is not."""
        if self.model is None:
            self.model_error = f"model unavailable: {error}"
            log.error("%s", self.model_error)
        else:
            self.refused = (f"the published model was refused, still serving"
                            f" {self.model.version}: {error}")
            log.error("%s", self.refused)

    def refresh(self) -> None:
        """Follow a newly published version; a cheap check at most once per interval."""
        if self.model_dir is None or time.monotonic() < self._next_check:
            return
        if not self._lock.acquire(blocking=False):
            return  # another thread of this worker is checking; serve the current model
        try:
            self._next_check = time.monotonic() + self.interval
            target = published_target(self.model_dir)
            if target != self._seen:
                self._load(target)
        finally:
            self._lock.release()
