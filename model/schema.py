"""The feature and label vocabulary shared by the data contract, the model and the API."""

MOODS_BEFORE: tuple[str, ...] = ("stressed", "neutral", "anxious", "tired")
MOODS_AFTER: tuple[str, ...] = ("calm", "relaxed", "focused", "energized")
FEATURES: tuple[str, ...] = ("duration_minutes", "mood_before")
SESSION_COLUMNS: tuple[str, ...] = ("date", "duration_minutes", "mood_before", "mood_after")

# The documented contract for a session's length, in whole minutes. The trained range (what
# the data actually held) is narrower and is recorded in each model's manifest.
DURATION_MIN = 5
DURATION_MAX = 60
DURATIONS: range = range(DURATION_MIN, DURATION_MAX + 1)
