"""What any event may hold, whatever its type: the bounds that keep every accepted fact storable.

A fact that passes the gateway must also pass the recorder, PostgreSQL (which refuses U+0000 in
text and jsonb) and Kafka (whose message size is bounded), or it would be accepted and then stall
its partition. So the catalog declares these bounds once; the gateway refuses what breaks them
before anything reaches Kafka, and the recorder quarantines whatever reaches the topic anyway.
The numbers follow I-JSON (RFC 7493): finite, and integers exactly representable as doubles.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_EVENT_BYTES = 128 * 1024
"""Largest envelope, as compact JSON. The trail record adds about 1 KiB; the topics take 1 MiB."""
MAX_DEPTH = 16
"""Deepest nesting of arrays and objects in an envelope (the catalog's deepest is 4)."""
MAX_STRING_CHARS = 8192
"""Longest string anywhere in an event; each catalog field declares its own, smaller bound."""
MAX_NUMBER = 1e12
"""Largest magnitude of any number: far beyond any measured value, far below float overflow."""
MAX_INTEGER = 2**53 - 1
"""Largest magnitude of an integer (I-JSON: exact as a double in every language)."""

_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
"""C0 controls other than tab, line feed and carriage return, and lone surrogates."""


@dataclass(frozen=True)
class Violation:
    field: str
    reason: str
    kind: str = "value"
    """value (a bad value: 422), depth (nesting: 400) or size (the event: 413)."""


class NotJson(ValueError):
    """The bytes are not JSON an event can be made of (syntax, non-finite numbers, nesting)."""


def _no_constants(name: str) -> float:
    raise NotJson(f"{name} is not a JSON number; numbers must be finite")


def loads(raw: bytes | str) -> Any:
    """Parse JSON as events are read everywhere: no NaN or Infinity, bounded nesting."""
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except RecursionError as exc:
        raise NotJson(f"nested more than {MAX_DEPTH} levels deep") from exc
    except NotJson:
        raise
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise NotJson(str(exc)) from exc


def _describe(char: str) -> str:
    what = "a lone surrogate" if 0xD800 <= ord(char) <= 0xDFFF else "the control character"
    return f"{what} U+{ord(char):04X}"


def violations(value: Any, path: str = "", depth: int = 0) -> list[Violation]:
    """Every place where ``value`` (parsed JSON) breaks the bounds above, named by its path."""
    where = path or "(event)"
    if isinstance(value, str):
        found = []
        if len(value) > MAX_STRING_CHARS:
            found.append(Violation(where, f"longer than {MAX_STRING_CHARS} characters"))
        bad = _UNSTORABLE.search(value)
        if bad:
            found.append(Violation(where, f"contains {_describe(bad.group())}"))
        return found
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            return [Violation(where, f"integer beyond ±{MAX_INTEGER} (not exact in JSON)")]
        return []
    if isinstance(value, float):
        if not math.isfinite(value):
            return [Violation(where, "not a finite number")]
        if abs(value) > MAX_NUMBER:
            return [Violation(where, f"magnitude above {MAX_NUMBER:g}")]
        return []
    if depth >= MAX_DEPTH:
        return [Violation(where, f"nested more than {MAX_DEPTH} levels deep", "depth")]
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            bad = _UNSTORABLE.search(key)
            if bad:
                safe = _UNSTORABLE.sub("?", key)
                found.append(
                    Violation(
                        f"{path}.{safe}" if path else safe,
                        f"the name contains {_describe(bad.group())}",
                    )
                )
                child = f"{path}.{safe}" if path else safe
            found += violations(item, child, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += violations(item, f"{path}[{index}]", depth + 1)
    return found


def compact_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON: what the gateway publishes."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def check_event(value: Any) -> list[Violation]:
    """All bounds for one envelope, the size last (it needs the value to be serializable)."""
    found = violations(value)
    if not found and compact_size(value) > MAX_EVENT_BYTES:
        found.append(Violation("(event)", f"larger than {MAX_EVENT_BYTES} bytes", "size"))
    return found


def printable(text: str, limit: int = 300) -> str:
    """``text`` made safe to store and show: unstorable characters replaced, length bounded."""
    clean = _UNSTORABLE.sub("\ufffd", text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
