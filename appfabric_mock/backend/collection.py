"""An insertion-ordered collection with O(log n) pagination by creation sequence."""

from __future__ import annotations

from bisect import bisect_right
from typing import Dict, Generic, Iterator, List, Optional, Tuple, TypeVar

T = TypeVar("T")


class Collection(Generic[T]):
    """Resources by id, in creation order; each carries a creation sequence number."""

    __slots__ = ("_by_id", "_seqs", "_items")

    def __init__(self) -> None:
        self._by_id: Dict[str, T] = {}
        self._seqs: List[int] = []
        # The resources themselves, in step with _seqs: a page is then one slice, with
        # no lookup per listed item.
        self._items: List[T] = []

    def add(self, resource_id: str, seq: int, resource: T) -> None:
        # Sequence numbers only grow, so appending keeps both lists sorted.
        self._by_id[resource_id] = resource
        self._seqs.append(seq)
        self._items.append(resource)

    def get(self, resource_id: str) -> Optional[T]:
        return self._by_id.get(resource_id)

    def remove(self, resource_id: str, seq: int) -> None:
        del self._by_id[resource_id]
        index = bisect_right(self._seqs, seq) - 1
        del self._seqs[index]
        del self._items[index]

    def page(self, after_seq: int, limit: int) -> Tuple[List[T], Optional[int]]:
        """Up to ``limit`` resources created after ``after_seq``; and the last seq if more remain."""
        start = bisect_right(self._seqs, after_seq)
        items = self._items[start : start + limit]
        more = start + limit < len(self._items)
        return items, (self._seqs[start + limit - 1] if more else None)

    def entries(self) -> List[Tuple[str, int, T]]:
        """(id, creation sequence, resource) of every resource, in creation order."""
        ids = {id(resource): resource_id for resource_id, resource in self._by_id.items()}
        return [(ids[id(resource)], seq, resource) for seq, resource in zip(self._seqs, self._items)]

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._by_id.values()))

    def __bool__(self) -> bool:
        return bool(self._by_id)
