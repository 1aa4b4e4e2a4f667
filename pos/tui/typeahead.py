"""Keys typed ahead are kept, and each lands where the cashier meant it.

A cashier types `c01 Tab 1111 Enter` in one burst, or `Enter 2 b Enter` without waiting for
the seat map. Textual hands every key at once to whatever has the focus when the key is read,
so a key after Tab went to the field being left, and keys typed while a screen loads went to
the screen behind it. Here the app keeps incoming keys in order and feeds them one at a time:
the next key goes only once the last one has been dealt with (every message it caused has been
handled), and not at all while the counter is busy with something slow that leads to another
screen (`hold`: a seat hold, a sale, the seat map loading) until that screen is ready for them
(`release`). A hold nobody releases lets go after `LIMIT` seconds, so the keyboard never stays
dead; `drop` forgets keys typed for something that failed.

The app owns one `TypeAhead` and passes every key to `take()` (see pos/tui/app.py)."""

from __future__ import annotations

import asyncio
from collections import deque

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.timer import Timer

LIMIT = 8.0
"""Seconds a hold lasts at most: longer than the sale budget and a seat map's load."""

PASS_THROUGH = frozenset({"ctrl+q"})
"""Keys never kept: quitting always works at once."""

PING_LIMIT = 1.0
"""Seconds to wait for one widget to get through its messages before feeding the next key."""


class TypeAhead:
    def __init__(self, app: App[object]):
        self.app = app
        self.keys: deque[events.Key] = deque()
        self.holding = False
        self._fed: set[int] = set()
        self._timer: Timer | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._feed())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    # --- what the app and the screens call ---------------------------------------------------

    def take(self, event: events.Key) -> bool:
        """Keep a key the driver read, to be fed in turn; False means handle it now (a key
        this feeds, or one that must never wait)."""
        if id(event) in self._fed:
            self._fed.discard(id(event))
            return False
        if event.key in PASS_THROUGH or self._task is None:
            return False
        self.keys.append(event)
        self._idle.clear()
        self._wake.set()
        return True

    def hold(self) -> None:
        """Something slow starts that leads to another screen: feed nothing until it is up."""
        self.holding = True
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(LIMIT, self.release)

    def release(self) -> None:
        """The screen the keys were typed for is ready: feed them."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.holding = False
        self._wake.set()

    def drop(self) -> None:
        """What the kept keys were typed for failed; they would mean something else on the
        screen still up: forget them."""
        self.keys.clear()
        self.release()

    async def drained(self) -> None:
        """Until every key typed so far was fed and dealt with (tests wait on this)."""
        await self._idle.wait()

    # --- feeding -----------------------------------------------------------------------------

    async def _feed(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self.keys and not self.holding:
                key = events.Key(*_key_and_character(self.keys.popleft()))
                self._fed.add(id(key))
                self.app.post_message(key)
                await settled(self.app)
            if not self.keys:
                self._idle.set()


def _key_and_character(event: events.Key) -> tuple[str, str | None]:
    return event.key, event.character


async def settled(app: App[object]) -> None:
    """Until the app, the screen on top and its widgets have handled every message they were
    sent, including those the handling sent on: each is asked to call back after what it has
    queued, until two rounds in a row find nothing new queued anywhere."""
    clean = 0
    while clean < 2:
        pumps: list[MessagePump] = [app, app.screen, *app.screen.walk_children()]
        pings = []
        for pump in pumps:
            done = asyncio.Event()
            if pump.call_later(done.set):
                pings.append(asyncio.ensure_future(done.wait()))
        if pings:  # a widget removed meanwhile never calls back: do not wait for it forever
            _, late = await asyncio.wait(pings, timeout=PING_LIMIT)
            for ping in late:
                ping.cancel()
        clean = 0 if any(pump.message_queue_size for pump in pumps) else clean + 1


def typeahead(app: App[object]) -> TypeAhead | None:
    """The app's keeper of typed-ahead keys (None under an app that has none)."""
    found = getattr(app, "typeahead", None)
    return found if isinstance(found, TypeAhead) else None
