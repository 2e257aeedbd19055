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
from functools import partial

MAX_PER_HOST = 2


class HostGate:
    """Per-host concurrency and spacing of request starts."""

    poll = 0.005  # seconds between looks while another request to the host is starting

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
        self._last_start: dict[str, float] = {}  # when the last request to the host was sent
        self._starting: dict[str, object | None] = {}  # the request now starting, until it is sent

    def _semaphore(self, host: str) -> threading.Semaphore:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.Semaphore(self.per_host)
            return slot

    @contextmanager
    def slot(self, host: str) -> Iterator[Callable[[], None]]:
        """Hold one of the host's slots for the duration of a request; yields ``sent``, to call
        once the request is on its way. A request starts only when no other request to the
        host is starting and ``delay`` has passed since the last one was sent: the pause is
        measured from when a request really went out, so one held up on its way (a slow
        connection, a busy machine) does not bring the next one closer to it."""
        host = host.lower()
        semaphore = self._semaphore(host)
        semaphore.acquire()
        token = object()
        try:
            while True:
                with self._lock:
                    now = self._clock()
                    ready = self._last_start.get(host, now - self.delay) + self.delay
                    busy = self._starting.get(host) is not None
                    if not busy and now >= ready:
                        self._starting[host] = token
                        break
                self._sleep(self.poll if busy else ready - now)
            yield partial(self._sent, host, token)
        finally:
            self._sent(host, token)  # a request that failed before it was sent counts from here
            semaphore.release()

    def _sent(self, host: str, token: object) -> None:
        with self._lock:
            if self._starting.get(host) is token:
                self._starting[host] = None
                self._last_start[host] = self._clock()
