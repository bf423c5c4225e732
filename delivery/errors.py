"""The one exception type the CLI turns into a single clear line and a non-zero exit."""

import traceback


class DeliveryError(Exception):
    """A failure the user can act on: `message` says what happened and what to do next."""

    def __init__(self, message: str, detail: str = "", exit_code: int = 1,
                 log_tail: str = "") -> None:
        """Keep the one-line message, the --verbose detail, the exit code and a log's tail."""
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.exit_code = exit_code
        self.log_tail = log_tail


def traceback_text(exc: BaseException) -> str:
    """Return the exception chain as text: the --verbose detail of a DeliveryError."""
    return "".join(traceback.format_exception(exc)).rstrip()
