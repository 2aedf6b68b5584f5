"""The versioned rule tables: one JSON file per standard edition, shipped with the code.

Each table names its standard's family (``GB 175``), the period the edition was in force, how its
quantities are stated and their plausible bounds. Figures a table marks unconfirmed are used, and
every evaluation that relies on them says so; correcting a figure is a data change with a new
``table_version``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any


@cache
def all_tables() -> dict[str, dict[str, Any]]:
    folder = resources.files(__package__).joinpath("tables")
    tables = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            table = json.loads(entry.read_text(encoding="utf-8"))
            tables[table["standard"]] = table
    return tables


def label(t: Mapping[str, Any]) -> str:
    return f"{t['standard']} (qtrail table v{t['table_version']})"
