"""Latencies in an HdrHistogram: 1 µs to 1 h at 3 significant digits, recorded in µs, read in ms.

A thin typed wrapper over ``hdrh.histogram.HdrHistogram`` (the ``hdrhistogram`` package, untyped).
Values are recorded as they were measured; there is deliberately no ``record_corrected``: the engine
corrects for coordinated omission by measuring from each request's intended send time instead.
"""

from __future__ import annotations

from typing import Any

from hdrh.histogram import HdrHistogram  # type: ignore[import-untyped]

from ._base import Percentiles

__all__ = ["HIGHEST_US", "LOWEST_US", "SIGNIFICANT_DIGITS", "Histogram"]

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour
SIGNIFICANT_DIGITS = 3

_PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)


class Histogram:
    """Milliseconds in, :class:`Percentiles` (milliseconds) out."""

    __slots__ = ("_counts", "_h", "_half_mag", "_sub_half", "_top_bits")

    def __init__(self) -> None:
        self._h: Any = HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_DIGITS)
        # The bucket arithmetic of HdrHistogram.record_value, inlined for the engine's hot path
        # (about 5x cheaper; tests check it against record_value). With a lowest value of 1 the
        # unit magnitude is 0: value v lands in bucket max(0, bitlen(v) - bitlen(sub-bucket mask)).
        assert self._h.unit_magnitude == 0
        self._counts: Any = self._h.counts
        self._half_mag: int = self._h.sub_bucket_half_count_magnitude
        self._sub_half: int = self._h.sub_bucket_half_count
        self._top_bits: int = self._half_mag + 1

    def record(self, ms: float) -> None:
        """Record one value in milliseconds (clamped to 0 .. 1 h; resolution 1 µs, 3 digits)."""
        self.record_us(int(ms * 1000.0 + 0.5))

    def record_us(self, us: int) -> None:
        """Record one value in whole microseconds (clamped to 0 .. 1 h)."""
        if us < 0:
            us = 0
        elif us > HIGHEST_US:
            us = HIGHEST_US
        bucket = us.bit_length() - self._top_bits
        if bucket < 0:
            bucket = 0
        self._counts[((bucket + 1) << self._half_mag) + (us >> bucket) - self._sub_half] += 1
        h = self._h
        h.total_count += 1
        if us > h.max_value:
            h.max_value = us
        if us < h.min_value:
            h.min_value = us

    @property
    def count(self) -> int:
        total: int = self._h.get_total_count()
        return total

    def values_at(self, *percentiles: float) -> list[float]:
        """The values (ms) at these percentiles (0-100) in one pass; zeros when empty. Each is the
        highest value equivalent to a recorded one (within 0.1%), capped at the exact max."""
        h = self._h
        if not h.get_total_count():
            return [0.0] * len(percentiles)
        found: dict[float, int] = h.get_percentile_to_value_dict(list(percentiles))
        top: int = h.max_value
        return [min(found.get(p, top), top) / 1000.0 for p in percentiles]

    def count_above(self, ms: float) -> int:
        """How many recorded values are above ``ms`` (a bucket counts when all of it is above)."""
        h = self._h
        threshold = ms * 1000.0
        return sum(
            int(item.count_at_value_iterated_to)
            for item in h.get_recorded_iterator()
            if h.get_lowest_equivalent_value(item.value_iterated_to) > threshold
        )

    def percentiles(self) -> Percentiles:
        """p50, p90, p95, p99, p99.9 and the exact max, in ms."""
        if not self.count:
            return Percentiles()
        p50, p90, p95, p99, p999 = self.values_at(*_PERCENTILES)
        return Percentiles(p50, p90, p95, p99, p999, self._h.max_value / 1000.0)

    def reset(self) -> None:
        self._h.reset()

    def encode(self) -> bytes:
        """HdrHistogram's compressed form (what a worker process sends its parent)."""
        data: bytes = self._h.encode()
        return data

    def add_encoded(self, data: bytes) -> None:
        """Add the values of a histogram :meth:`encode` made (the parent merging its workers')."""
        self._h.add(HdrHistogram.decode(data))
