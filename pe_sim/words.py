"""How pe-sim's messages say things: a count with its noun."""

from __future__ import annotations


def counted(count: int, word: str) -> str:
    """``count`` with ``word``, plural unless it is one ("1 run", "1,000 points")."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
