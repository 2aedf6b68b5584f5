"""The versioned rule tables: one JSON file per standard edition, shipped with the code.

Figures a table marks unconfirmed are used, and every evaluation that relies on them says so;
correcting a figure is a data change with a new ``table_version``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


class UnknownStandard(LookupError):
    pass


@cache
def all_tables() -> dict[str, dict[str, Any]]:
    folder = resources.files(__package__).joinpath("tables")
    tables = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            table = json.loads(entry.read_text(encoding="utf-8"))
            tables[table["standard"]] = table
    return tables


def table(standard: str) -> dict[str, Any]:
    try:
        return all_tables()[standard]
    except KeyError:
        raise UnknownStandard(
            f"unknown standard {standard!r}; known: {sorted(all_tables())}"
        ) from None


def label(t: dict[str, Any]) -> str:
    return f"{t['standard']} (qtrail table v{t['table_version']})"
