"""Exceptions of the model package, each carrying a message a person can act on."""


class ModelError(Exception):
    """Base class of every error the model package raises on purpose."""


class DataValidationError(ModelError):
    """A sessions file broke the data contract; lists the offending rows."""

    def __init__(self, source: str, problems: list[str], total: int) -> None:
        """Keep the file name, the first problems and how many there were in all."""
        self.source = source
        self.problems = problems
        self.total = total
        if total == 1 and len(problems) == 1:
            super().__init__(f"{source}: {problems[0]}")
            return
        shown = "\n".join(f"  - {problem}" for problem in problems)
        more = f"\n  ... and {total - len(problems)} more" if total > len(problems) else ""
        super().__init__(f"{source}: {total} problem(s) in the data:\n{shown}{more}")


class ArtifactError(ModelError):
    """An artifact is missing, tampered with or made by other library versions."""


class ArtifactNotFound(ArtifactError):
    """No artifact where one was expected."""


class GateFailed(ModelError):
    """A freshly trained model did not pass the quality gate."""
