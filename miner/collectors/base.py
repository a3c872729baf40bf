"""The one interface every collector implements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from miner.model import Evidence, Source


class Collector(Protocol):
    """A source of evidence for one subject and period.

    ``collect`` yields the items; afterwards ``source`` says what was scanned,
    how much was found and what could not be seen. A collector knows nothing
    about areas.
    """

    def collect(self) -> Iterator[Evidence]: ...

    def source(self) -> Source: ...
