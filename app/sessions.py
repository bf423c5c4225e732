"""The recorded sessions, loaded once: pages for /sessions and the summary for /stats."""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.schema import MOODS_AFTER, MOODS_BEFORE


class SessionStore:
    """Validated sessions held in memory, with a per-mood index and precomputed stats."""

    def __init__(self, frame: pd.DataFrame) -> None:
        """Keep the rows as plain dicts and compute the summary once."""
        self.rows: list[dict[str, Any]] = [
            {"date": date, "duration_minutes": int(minutes), "mood_before": before,
             "mood_after": after}
            for date, minutes, before, after in frame[
                ["date", "duration_minutes", "mood_before", "mood_after"]].itertuples(index=False)
        ]
        self.by_mood = {mood: [row for row in self.rows if row["mood_before"] == mood]
                        for mood in MOODS_BEFORE}
        self.stats = self._summary(frame)

    @staticmethod
    def _summary(frame: pd.DataFrame) -> dict[str, Any]:
        """The original API's four keys, counts by mood before, and transition counts."""
        minutes = frame["duration_minutes"]
        transitions = pd.crosstab(frame["mood_before"], frame["mood_after"])
        return {
            "total_sessions": int(len(frame)),
            "avg_duration": round(float(minutes.mean()), 2),
            "longest_session": int(minutes.max()),
            "shortest_session": int(minutes.min()),
            "by_mood_before": {mood: int((frame["mood_before"] == mood).sum())
                               for mood in MOODS_BEFORE},
            "transitions": {
                before: {after: int(transitions.at[before, after])
                         if before in transitions.index and after in transitions.columns else 0
                         for after in MOODS_AFTER}
                for before in MOODS_BEFORE
            },
        }

    def page(self, mood_before: str | None, offset: int,
             limit: int) -> tuple[int, list[dict[str, Any]]]:
        """The total number of matching sessions and one page of them."""
        rows = self.rows if mood_before is None else self.by_mood[mood_before]
        return len(rows), rows[offset:offset + limit]
