"""RFC 8785 (JCS) canonical JSON, fast: the standard library's C encoder where its output is
provably the same bytes, the reference ``rfc8785`` package everywhere else.

The C encoder with sorted keys, no ASCII escaping and compact separators writes what RFC 8785
asks for, but for three things: it sorts keys by code point where JCS sorts by UTF-16 code unit
(they differ only for keys with characters beyond U+FFFF), it spells floats as Python does (``35.0``,
``1e-05``) where JCS spells them as ECMAScript does (``35``, ``0.00001``), and it accepts integers
JCS refuses (beyond ±(2^53−1)). So a value is first walked: integral floats that are exact integers
become ints (ECMAScript prints them so); any other float Python would write with an exponent, any
key beyond the BMP, any out-of-range integer or non-JSON type sends the whole value to the
reference implementation, which also raises its own errors for what JCS cannot represent.
Equality with the reference is tested by hypothesis over the catalog's payloads and edge values.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_INT_LIMIT = 2**53 - 1
_ENCODE = json.JSONEncoder(
    ensure_ascii=False,
    separators=(",", ":"),
    sort_keys=True,
    allow_nan=False,
    check_circular=False,
).encode


class _Reference(Exception):
    """This value takes the reference implementation's path."""


def dumps(value: Any) -> bytes:
    """The RFC 8785 bytes of ``value``: byte-identical to ``rfc8785.dumps``."""
    try:
        plain = _plain(value)
        return _ENCODE(plain).encode("utf-8")
    except (_Reference, UnicodeEncodeError, ValueError, TypeError, RecursionError):
        return rfc8785.dumps(value)


def _plain(value: Any) -> Any:
    """``value`` with integral floats as ints (the same object when nothing changes)."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        if -_INT_LIMIT <= value <= _INT_LIMIT:
            return value
        raise _Reference
    if kind is float:
        if "e" in repr(value):
            raise _Reference
        # Without an exponent an integral float is below 1e16, where its digits are exact.
        return int(value) if value.is_integer() else value
    if kind is dict:
        changed = None
        for key, item in value.items():
            if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                raise _Reference
            if type(item) is str:  # most leaves: no call
                continue
            new = _plain(item)
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed
    if kind is list:
        out = None
        for i, item in enumerate(value):
            if type(item) is str:
                continue
            new = _plain(item)
            if new is not item:
                if out is None:
                    out = list(value)
                out[i] = new
        return value if out is None else out
    raise _Reference  # tuples, subclasses, anything else: the reference decides
