"""Hostile input as a stream: a gigabyte that is never held in memory. Imports nothing heavy, so a
child process measuring its peak memory measures the code under test."""

from __future__ import annotations

import io

GIB = 1024**3


class Repeating(io.RawIOBase):
    """A binary stream of `total` bytes: `head`, then `unit` repeated; it counts what was read."""

    def __init__(self, head: bytes, unit: bytes, total: int) -> None:
        self.head, self.unit, self.total, self.position = head, unit, total, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.total - self.position)
        if size <= 0:
            return 0
        start = self.position
        data = self.head[start : start + size] if start < len(self.head) else b""
        if len(data) < size:
            offset = (start + len(data) - len(self.head)) % len(self.unit)
            rest = size - len(data)
            data += (self.unit * (rest // len(self.unit) + 2))[offset : offset + rest]
        buffer[:size] = data
        self.position += size
        return size
