"""Command-line values shared by the focus-delivery commands."""

from __future__ import annotations

import click


def parse_key_values(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """Turn ('K=V', ...) given to `option` into a dict, refusing entries without '='."""
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=option)
        values[key] = value
    return values
