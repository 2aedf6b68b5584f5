"""The API's cache of folded states: valid only at its own seq, bounded by size, LRU."""

from __future__ import annotations

from services.adapters.postgres.trail_reader import StateCache
from services.domain.state import ProjectState


def state(project: str, seq: int) -> ProjectState:
    return ProjectState(project_id=project, seq=seq)


def test_a_state_is_served_only_at_its_own_seq() -> None:
    cache = StateCache(1000)
    cache.put("P", state("P", 5), 100)
    assert cache.get("P", 5) == state("P", 5)
    assert cache.get("P", 6) is None  # the head moved on: the snapshot must be read again
    assert cache.get("Q", 5) is None


def test_the_least_recently_used_leave_first_when_the_bound_is_reached() -> None:
    cache = StateCache(300)
    for name in "ABC":
        cache.put(name, state(name, 1), 100)
    assert cache.get("A", 1) is not None  # A is now the most recently used
    cache.put("D", state("D", 1), 100)
    assert cache.get("B", 1) is None
    assert all(cache.get(name, 1) is not None for name in "ACD")


def test_a_newer_state_replaces_the_older_and_its_size() -> None:
    cache = StateCache(250)
    cache.put("A", state("A", 1), 200)
    cache.put("A", state("A", 2), 100)
    cache.put("B", state("B", 1), 150)
    assert cache.get("A", 2) is not None and cache.get("B", 1) is not None


def test_a_state_larger_than_the_whole_cache_is_not_kept() -> None:
    cache = StateCache(100)
    cache.put("A", state("A", 1), 50)
    cache.put("HUGE", state("HUGE", 1), 101)
    assert cache.get("HUGE", 1) is None and cache.get("A", 1) is not None
