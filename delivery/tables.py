"""Plain-text tables and human durations for terminal output."""
from __future__ import annotations

from typing import Sequence


def duration(seconds: float | None) -> str:
    """Format seconds as a short human duration: '45s', '12m 05s', '3h 20m', '2d 4h 05m'."""
    if seconds is None:
        return "-"
    total = int(round(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h {minutes:02d}m"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render rows under headers as left-aligned columns separated by two spaces."""
    widths = [len(header) for header in headers]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row)]
    lines = [headers, ["-" * width for width in widths], *rows]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip()
        for line in lines
    )
