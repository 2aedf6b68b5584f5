"""Suite-wide setup."""

from __future__ import annotations

import contextlib

# Hypothesis imports this lazily, sometimes from deep inside a failing async test; on CPython
# 3.11.7 pytest's assertion rewriting then hit "AST constructor recursion depth mismatch" once.
# Importing it here, at a shallow stack, sidesteps that interpreter bug.
with contextlib.suppress(ImportError):
    import hypothesis.internal.conjecture.providers  # noqa: F401
