"""Wrong PINs are counted per staff id in the terminal's store: the lock holds across separate
`pos` commands (each its own Counter), across the CLI and a Counter opened later, and a right
PIN clears the count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from offline import lockouts
from pos.counter.home import Home
from pos.counter.service import Counter
from tests.kit import args, pos, sell_args, with_counter


def sell_with(home: Home, pin: str) -> tuple[int, str]:
    code, _, err = pos(*sell_args(home, "st-002", "auto:1", pin=pin))
    return code, err


def test_three_wrong_pins_lock_that_staff_id_across_commands(home: Home) -> None:
    assert sell_with(home, "0000") == (2, "pos: error: Wrong PIN for c01. [WRONG_PIN]\n")
    assert sell_with(home, "0001")[1].endswith("[WRONG_PIN]\n")
    code, err = sell_with(home, "0002")
    assert code == 2 and "[PIN_LOCKED]" in err, "the third wrong PIN locks at once"
    code, err = sell_with(home, "1111")
    assert code == 2 and "[PIN_LOCKED]" in err, "the right PIN is refused while locked"
    # Another staff id is not locked by c01's mistakes.
    code, _, err = pos(*args(home, "refund", "nosuch", "--supervisor", "s01", "--pin", "9999"))
    assert "[UNKNOWN_SALE]" in err

    async def lock_ends(counter: Counter) -> datetime | None:
        return lockouts.locked_until(counter.store, "c01", datetime.now(UTC))

    until = with_counter(home, lock_ends)
    assert until is not None
    assert timedelta(seconds=20) < until - datetime.now(UTC) <= timedelta(seconds=30)


def test_locks_grow_and_a_right_pin_clears_the_count(home: Home) -> None:
    clock = [datetime(2026, 12, 1, 2, 0, tzinfo=UTC)]

    async def guess(counter: Counter) -> tuple[timedelta, timedelta, datetime | None]:
        store = counter.store
        first = [lockouts.failed(store, "c02", clock[0]) for _ in range(3)][-1]
        clock[0] = first + timedelta(seconds=1)
        second = [lockouts.failed(store, "c02", clock[0]) for _ in range(3)][-1]
        lockouts.succeeded(store, "c02")
        cleared = lockouts.locked_until(store, "c02", clock[0])
        return first - datetime(2026, 12, 1, 2, 0, tzinfo=UTC), second - clock[0], cleared

    first, second, cleared = with_counter(home, guess)
    assert first == timedelta(seconds=30) and second == timedelta(seconds=60)
    assert cleared is None
