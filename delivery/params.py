"""Command-line helpers shared by the focus-delivery commands."""

from __future__ import annotations

from typing import Any, Callable

import click

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def option_group(*options: Decorator) -> Decorator:
    """One decorator that adds several click options, shown in the order given."""
    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


def parse_key_values(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    """Turn ('K=V', ...) given to `option` into a dict, refusing entries without '='."""
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=option)
        values[key] = value
    return values
