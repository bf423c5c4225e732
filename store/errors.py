"""Exceptions of the store, each carrying a message a person can act on."""


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class StoreUnavailable(StoreError):
    """The database cannot be reached, is locked, or its schema is not the expected one."""


class IdempotencyKeyInUse(StoreError):
    """A request with this idempotency key is still being processed."""


class IdempotencyKeyReused(StoreError):
    """This idempotency key was already used with another request body."""
