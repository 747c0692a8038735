"""An insertion-ordered collection with O(log n) pagination by creation sequence, and an optional index."""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Callable, Dict, Generic, Hashable, Iterator, List, Optional, Tuple, TypeVar

T = TypeVar("T")


class Collection(Generic[T]):
    """Resources by id, in creation order; each carries a creation sequence number.

    :meth:`index_by` adds an index by a key computed from each resource (an app and a
    tenant, say): :meth:`find` then answers without scanning.  The index is derived
    data, never saved: whoever changes what a resource's key is made of tells the
    collection (:meth:`reindex`).
    """

    __slots__ = ("_by_id", "_seqs", "_items", "_key", "_index")

    def __init__(self) -> None:
        self._by_id: Dict[str, T] = {}
        self._seqs: List[int] = []
        # The resources themselves, in step with _seqs: a page is then one slice, with
        # no lookup per listed item.
        self._items: List[T] = []
        self._key: Optional[Callable[[T], Hashable]] = None
        #: key -> the resource with that key or, when several have it, a list of them in creation
        #: order.  Most keys have one resource (an app and tenant, say), which a bare reference
        #: holds in less memory than a list of one; a resource is never a list itself.
        self._index: Dict[Hashable, Any] = {}

    def index_by(self, key: Callable[[T], Hashable]) -> None:
        """Index every resource, present and future, by ``key(resource)``."""
        self._key = key
        self._index = {}
        for resource in self._items:
            self._insert(key(resource), resource)

    def find(self, key: Hashable) -> List[T]:
        """The resources whose key is ``key``, in creation order (needs :meth:`index_by`)."""
        found = self._index.get(key)
        if found is None:
            return []
        return list(found) if type(found) is list else [found]

    def reindex(self, resource: T, old_key: Hashable) -> None:
        """Move ``resource`` from ``old_key`` to its current key (after a change of what the key reads)."""
        key = self._key
        if key is None:
            return
        self._unindex(resource, old_key)
        self._insert(key(resource), resource)
        # Creation order within the key, as find promises.
        found = self._index[key(resource)]
        if type(found) is list:
            found.sort(key=self._seq_of)

    def _seq_of(self, resource: T) -> int:
        return self._seqs[self._items.index(resource)]

    def _insert(self, key: Hashable, resource: T) -> None:
        index = self._index
        found = index.get(key)
        if found is None:
            index[key] = resource
        elif type(found) is list:
            found.append(resource)
        else:
            index[key] = [found, resource]

    def _unindex(self, resource: T, key: Hashable) -> None:
        found = self._index.get(key)
        if found is None:
            return
        if type(found) is not list:
            if found is resource:
                del self._index[key]
            return
        for position, other in enumerate(found):
            if other is resource:
                del found[position]
                break
        if len(found) == 1:
            self._index[key] = found[0]
        elif not found:
            del self._index[key]

    def add(self, resource_id: str, seq: int, resource: T) -> None:
        # Sequence numbers only grow, so appending keeps both lists sorted.
        self._by_id[resource_id] = resource
        self._seqs.append(seq)
        self._items.append(resource)
        if self._key is not None:
            self._insert(self._key(resource), resource)

    def get(self, resource_id: str) -> Optional[T]:
        return self._by_id.get(resource_id)

    def remove(self, resource_id: str, seq: int) -> None:
        resource = self._by_id.pop(resource_id)
        index = bisect_right(self._seqs, seq) - 1
        del self._seqs[index]
        del self._items[index]
        if self._key is not None:
            self._unindex(resource, self._key(resource))

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
