"""How hard ``fetch`` may press one web site: a government site is often a small server.

However many addresses are fetched at once, requests to one host are at most ``per_host`` at
a time, and each starts at least ``delay`` seconds after the previous one to that host
started (retries and redirect hops included: every request goes through the gate). A host
is its name as the address gives it: ``www.x.gov.cn`` and ``x.gov.cn`` count apart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

MAX_PER_HOST = 2


class HostGate:
    """Per-host concurrency and spacing of request starts."""

    def __init__(self, per_host: int = MAX_PER_HOST, delay: float = 1.0, *,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        if not 1 <= per_host <= MAX_PER_HOST:
            raise ValueError(f"per_host must be 1..{MAX_PER_HOST}")
        self.per_host = per_host
        self.delay = max(0.0, delay)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._last_start: dict[str, float] = {}

    def _semaphore(self, host: str) -> threading.Semaphore:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.Semaphore(self.per_host)
            return slot

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        """Hold one of the host's slots for the duration of a request. A request proceeds only
        when ``delay`` has passed since the last one to the host proceeded, measured when it
        did (not when it was scheduled), so a request held up on its way does not bring the
        next one closer to it."""
        host = host.lower()
        semaphore = self._semaphore(host)
        semaphore.acquire()
        try:
            while True:
                with self._lock:
                    now = self._clock()
                    ready = self._last_start.get(host, now - self.delay) + self.delay
                    if now >= ready:
                        self._last_start[host] = now
                        break
                self._sleep(ready - now)
            yield
        finally:
            semaphore.release()
