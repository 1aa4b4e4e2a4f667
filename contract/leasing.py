"""Leases: how many seats a terminal should hold, and how long a lease protects them.

Both sides read this module, so they can never disagree about either rule.

**The lease window.** A terminal may sell a showtime until `sales_close(start)` (the start plus
`SALES_CLOSE_AFTER_START`, for late-comers), online or offline; a lease protects its seats from
every other channel for exactly as long (`lease_protects`). Before this rule the central stopped
protecting leased seats at the start while the terminal kept selling them offline for another
quarter of an hour, so a late online buyer and an offline customer could get the same seat.

**Lease sizing.** A lease is the counter's promise to its queue: enough seats to serve what this
terminal will likely sell before the central could come back, no more. `lease_target` takes

- the terminal's recent sales rate for the showtime (seats per hour, counted over `RATE_WINDOW`,
  or over the time since the counter opened when that is shorter: `seats_per_hour`),
- the time left to sell it (until `sales_close`), of which at most `OUTAGE_HORIZON` counts,
- the seats still free (free in the house, plus this terminal's own unsold leased seats),
- the counter allotment: the seats all counters together may hold leased and unsold at once,
  a share of the house the cinema sets per showtime or auditorium (`DEFAULT_COUNTER_SHARE`),

and answers the seats this terminal should hold unsold: `expected = rate × horizon × headroom`,
at least `floor` (a cold showtime still gets a few parties' worth), within the allotment (and,
where the other terminals' demand is known, within this terminal's demand-weighted share of
it), and never more than is free. Hot showtimes get big leases, cold ones small.

The counter computes it from what it knows (its own sales, the schedule) when it asks; the
central computes it again from what only it knows (the other terminals' leases and demand)
when it grants, and grants no more than both allow; the pretix adapter does the same from
pretix's seat list.

**Rebalancing.** Leases are sized when each counter asks, so a counter that asked early, or
whose queue has since thinned, can hold seats another counter's queue now needs, after the free
seats have run out (the hot showtime once the central is back). Then `rebalance_plan` shares
what the counters hold again by demand: the central asks the counters over their share for
seats back, and each gives back only seats it has not sold, through its outbox, into the lease
of the counter that was short.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from contract.models import DEFAULT_COUNTER_SHARE, SALES_CLOSE_AFTER_START

__all__ = [
    "BRACING_HEADROOM",
    "COLD_LEASE",
    "DEFAULT_COUNTER_SHARE",
    "HEADROOM",
    "OUTAGE_HORIZON",
    "RATE_MIN_SPAN",
    "RATE_WINDOW",
    "Demand",
    "allotment_seats",
    "earliest_protected_start",
    "expected_seats",
    "lease_protects",
    "lease_target",
    "may_sell",
    "rebalance_plan",
    "recall_plan",
    "sales_close",
    "seats_per_hour",
]

# --- the lease window ------------------------------------------------------------------------


def sales_close(start: datetime) -> datetime:
    """The last moment anyone may sell a seat of a showtime starting at `start`."""
    return start + SALES_CLOSE_AFTER_START


def may_sell(start: datetime, now: datetime) -> bool:
    """A showtime is on sale (online, at the counter, offline from a lease) until it closes."""
    return now < sales_close(start)


def lease_protects(start: datetime, now: datetime) -> bool:
    """The one rule: a lease keeps its seats for its terminal exactly as long as the terminal
    may sell them; no other channel may take them before `sales_close(start)`."""
    return may_sell(start, now)


def earliest_protected_start(now: datetime) -> datetime:
    """`lease_protects` solved for the start, for queries over many showtimes: leases of
    showtimes starting after this moment still protect their seats."""
    return now - SALES_CLOSE_AFTER_START


# --- lease sizing ----------------------------------------------------------------------------

RATE_WINDOW = timedelta(minutes=60)
"""Sales of the last hour make the rate: long enough to smooth a queue's bursts, short enough
to notice a showtime turning hot."""
RATE_MIN_SPAN = timedelta(minutes=3)
"""A counter that opened less than `RATE_WINDOW` ago, but at least this long ago, divides its
sales by the time it has been open. Before that it knows too little (a party or two) and
divides by the whole window, as if the early morning were a slow hour; the floor covers it."""
OUTAGE_HORIZON = timedelta(minutes=75)
"""How long the central may stay away: the festival morning's 72 minutes, rounded up."""
HEADROOM = 1.5
"""Queues are bursty and an outage brings the website's buyers to the counter too."""
BRACING_HEADROOM = 2.0
"""When the central turns DEGRADED, the terminal tops up for the worse case."""
COLD_LEASE = 8
"""Seats a showtime with no recent sales still keeps leased: a few parties' worth. The
terminal's `lease_seats` setting overrides it (it is sent with each request as `floor`)."""

_HOUR = timedelta(hours=1)


def seats_per_hour(
    sales: Iterable[tuple[datetime, int]],
    now: datetime,
    window: timedelta = RATE_WINDOW,
    *,
    since: datetime | None = None,
) -> float:
    """A terminal's rate for one showtime: seats it sold in the last `window`, per hour.

    Divided by the time the terminal has been selling: the whole window, or, when it opened
    (`since`: its first shift still in the window) less than a window but at least
    `RATE_MIN_SPAN` ago (both scaled with `window`), the time since it opened. Without `since`,
    or in its first minutes, it divides by the whole window: a party or two must not make a
    showtime look hot. (Always dividing by the whole window left a counter that opened five
    minutes before the central died with a twelfth of its queue's rate, and leases sized for a
    twelfth of the outage.) A drill running at ten times the real pace passes a tenth of the
    window."""
    start = now - window
    seats = sum(n for at, n in sales if start <= at <= now)
    span = window
    if since is not None and since > start:
        opened = now - since
        if opened >= window * (RATE_MIN_SPAN / RATE_WINDOW):
            span = opened
    return seats / (span / _HOUR)


def allotment_seats(capacity: int, share: float) -> int:
    """The counter allotment in seats: a share of the house, rounded down."""
    return max(0, math.floor(capacity * share + 1e-9))


@dataclass(frozen=True, slots=True)
class Demand:
    """What one terminal's lease for one showtime is sized from."""

    seats_per_hour: float
    """This terminal's recent sales rate for the showtime (`seats_per_hour`)."""
    until_close: timedelta
    """Time left to sell the showtime (`sales_close(start) - now`)."""
    free: int
    """Seats this terminal could hold: free in the house plus its own unsold leased seats."""
    allotment: int
    """Seats all counters together may hold leased and unsold for the showtime at once."""
    others_hold: int = 0
    """Unsold seats leased to the other terminals (the central knows; a terminal says 0)."""
    others_rate: float = 0.0
    """The other terminals' rates for the showtime (the central knows; a terminal says 0)."""
    floor: int = COLD_LEASE
    horizon: timedelta = OUTAGE_HORIZON
    headroom: float = HEADROOM


def expected_seats(demand: Demand) -> int:
    """Seats the terminal will likely sell before the central could come back."""
    window = min(demand.horizon, demand.until_close)
    if window <= timedelta(0) or demand.seats_per_hour <= 0:
        return 0
    return math.ceil(demand.seats_per_hour * (window / _HOUR) * demand.headroom - 1e-9)


def lease_target(demand: Demand) -> int:
    """Seats this terminal should hold leased and unsold for the showtime (see the module's
    text). Zero once the showtime is closed."""
    if demand.until_close <= timedelta(0):
        return 0
    want = max(demand.floor, expected_seats(demand))
    room = max(0, demand.allotment - demand.others_hold)
    total_rate = demand.seats_per_hour + demand.others_rate
    if total_rate > 0:
        share = math.ceil(demand.allotment * demand.seats_per_hour / total_rate)
    else:
        share = demand.allotment
    cap = min(room, max(demand.floor, share))
    return max(0, min(want, cap, demand.free))


def recall_plan(holdings: Mapping[str, int], count: int) -> dict[str, int]:
    """Which terminals give back how many of `count` recalled seats: always the one holding the
    most at that moment, so holdings level down and no terminal is emptied while others keep
    plenty. `holdings` are unsold, not yet recalled seats by terminal."""
    left = dict(holdings)
    plan: dict[str, int] = {}
    for _ in range(max(0, count)):
        terminal = max(sorted(left), key=lambda t: left[t], default=None)
        if terminal is None or left[terminal] <= 0:
            break
        left[terminal] -= 1
        plan[terminal] = plan.get(terminal, 0) + 1
    return plan


def rebalance_plan(
    asker: str,
    held: Mapping[str, int],
    rates: Mapping[str, float],
    *,
    free: int,
    allotment: int,
    want: int,
    floor: int = COLD_LEASE,
) -> dict[str, int]:
    """Which other terminals give back how many seats to `asker`, a terminal whose lease
    request the free seats could not fill.

    Every terminal's fair share is its part, by rate (`rates`, seats per hour), of the seats
    the counters hold (`held`: unsold and not yet asked back, the asker's counting seats already
    on their way to it) and those it could still lease itself (`free`, within the allotment);
    at least `floor`. The asker is owed what it wants (`want`: the policy's size for its own
    demand) up to its share, less what it holds and could still lease; the others give back what
    they hold beyond their share, the one furthest over first (`recall_plan`). Nothing without a
    rate: the shares would be guesses."""
    total = sum(rates.values())
    rate = rates.get(asker, 0.0)
    if rate <= 0 or total <= 0:
        return {}
    pool = min(allotment, free + sum(held.values()))

    def share(terminal: str) -> int:
        return max(floor, math.ceil(pool * rates.get(terminal, 0.0) / total - 1e-9))

    owed = min(want, share(asker)) - held.get(asker, 0) - free
    over = {t: n - share(t) for t, n in held.items() if t != asker and n > share(t)}
    return recall_plan(over, owed)
