"""The drill's figures, from the records its processes wrote: sales per minute before, during
and after the outage by channel, the counter's sale time by mode, online error rates, how long
the terminals took to hand everything over once the central was back, and what happened to the
counters' customers: arrived, served, turned away, and lost (turned away from a showtime that
still had seats for them when the drill ended)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from devtools.drill.checks import ShowtimeSales
from devtools.drill.demand import rank_key

Record = dict[str, Any]
WINDOWS = ("before", "during", "after")


@dataclass(frozen=True)
class Windows:
    """Wall-clock bounds of the three phases; `during` ends when the central is really back."""

    start: float
    outage_from: float
    outage_until: float
    sell_until: float

    def of(self, t: float) -> str | None:
        if self.start <= t < self.outage_from:
            return "before"
        if self.outage_from <= t < self.outage_until:
            return "during"
        if self.outage_until <= t < self.sell_until:
            return "after"
        return None

    def minutes(self, window: str) -> float:
        bounds = {
            "before": (self.start, self.outage_from),
            "during": (self.outage_from, self.outage_until),
            "after": (self.outage_until, self.sell_until),
        }[window]
        return max(bounds[1] - bounds[0], 1e-9) / 60


def percentile(values: Iterable[float], p: float) -> float | None:
    """Nearest rank: the value below which p % of the values fall."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def sale_kind(record: Record) -> str:
    """online, offline (the breaker was already open) or failover (an online try fell back)."""
    if record["mode"] == "online":
        return "online"
    return "failover" if record["failover"] else "offline"


def per_minute(times: Iterable[float], windows: Windows) -> dict[str, float]:
    counts = dict.fromkeys(WINDOWS, 0)
    for t in times:
        window = windows.of(t)
        if window is not None:
            counts[window] += 1
    return {w: round(counts[w] / windows.minutes(w), 1) for w in WINDOWS}


def counter_figures(sales: list[Record], errors: list[Record], windows: Windows) -> dict[str, Any]:
    rates = per_minute((s["t1"] for s in sales), windows)
    seconds: dict[str, dict[str, float | int | None]] = {}
    for kind in ("online", "offline", "failover"):
        took = [s["t1"] - s["t0"] for s in sales if sale_kind(s) == kind]
        p50, p99 = percentile(took, 50), percentile(took, 99)
        seconds[kind] = {
            "n": len(took),
            "p50": None if p50 is None else round(p50, 4),
            "p99": None if p99 is None else round(p99, 4),
        }
    by_code: dict[str, int] = {}
    for e in errors:
        by_code[e["code"]] = by_code.get(e["code"], 0) + 1
    before = rates["before"]
    return {
        "counter_sales_per_min": rates,
        "outage_throughput_ratio": round(rates["during"] / before, 3) if before else None,
        "counter_sales": {
            "total": len(sales),
            **{
                k: sum(1 for s in sales if sale_kind(s) == k)
                for k in ("online", "offline", "failover")
            },
            "refused": by_code,
        },
        "counter_sale_seconds": seconds,
    }


def online_figures(requests: list[Record], windows: Windows) -> dict[str, Any]:
    """A 4xx is the central saying no (a seat just taken): an answer, not an error."""
    sales = [r["t"] for r in requests if r["op"] == "sale" and r["ok"]]
    by_window: dict[str, dict[str, int]] = {w: {"requests": 0, "errors": 0} for w in WINDOWS}
    for r in requests:
        window = windows.of(r["t"])
        if window is not None:
            by_window[window]["requests"] += 1
            by_window[window]["errors"] += is_error(r)
    errors = sum(is_error(r) for r in requests)
    return {
        "online_sales_per_min": per_minute(sales, windows),
        "online": {
            "requests": len(requests),
            "sales": len(sales),
            "refused_4xx": sum(r["outcome"].startswith("4") for r in requests),
            "errors": errors,
            "error_rate": round(errors / len(requests), 4) if requests else None,
            "error_rate_by_window": {
                w: round(v["errors"] / v["requests"], 4) if v["requests"] else None
                for w, v in by_window.items()
            },
            "latency_ms_p50": _round(percentile((r["ms"] for r in requests if r["ok"]), 50)),
            "latency_ms_p99": _round(percentile((r["ms"] for r in requests if r["ok"]), 99)),
        },
    }


def is_error(request: Record) -> bool:
    return not request["ok"] and not request["outcome"].startswith("4")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def settled_at(statuses: list[Record], since: float, done: Any) -> float | None:
    """When a terminal's status last became `done` for good, and not before `since` (None:
    its last status is not done)."""
    ordered = sorted(statuses, key=lambda s: s["t"])
    if not ordered or not done(ordered[-1]):
        return None
    settled = ordered[-1]["t"]
    for status in reversed(ordered):
        if not done(status):
            break
        settled = status["t"]
    return max(settled, since)


def recovery_figures(statuses: dict[str, list[Record]], outage_until: float) -> dict[str, Any]:
    """Seconds from the central's return until every outbox is empty, and until every
    terminal is out of OFFLINE; None when some terminal never got there."""

    def worst(done: Any) -> float | None:
        times = [settled_at(s, outage_until, done) for s in statuses.values()]
        if not times or any(t is None for t in times):
            return None
        return round(max(0.0, max(t for t in times if t is not None) - outage_until), 2)

    return {
        "drain_seconds": worst(lambda s: s["outbox"] == 0),
        "back_online_seconds": worst(lambda s: s["mode"] != "offline"),
    }


PHASE_FIGURES = ("arrived", "served", "turned_away", "lost")


def mark_lost(customers: list[Record], seats: dict[str, ShowtimeSales]) -> list[Record]:
    """Each customer record with `lost`: turned away although the showtime they wanted still
    had at least their party's seats unsold at the end of the drill, counting only seats a
    party sold by count could have had (not wheelchair, companion or love seats)."""
    return [
        {
            **c,
            "lost": not c["served"]
            and c["wanted"] in seats
            and seats[c["wanted"]].sellable >= c["party"],
        }
        for c in customers
    ]


def customer_figures(customers: list[Record], windows: Windows) -> dict[str, Any]:
    """Per phase (by arrival): arrived, served, turned_away, lost; and the share of the
    customers arriving during the outage who were lost. `customers` come from `mark_lost`."""
    phases = {w: dict.fromkeys(PHASE_FIGURES, 0) for w in WINDOWS}
    for c in customers:
        window = windows.of(c["t0"])
        if window is None:
            continue
        figures = phases[window]
        figures["arrived"] += 1
        figures["served" if c["served"] else "turned_away"] += 1
        figures["lost"] += bool(c["lost"])
    during = phases["during"]
    share = round(during["lost"] / during["arrived"], 4) if during["arrived"] else None
    return {"customers": phases, "lost_share_during": share}


def hot_unsold(seats: dict[str, ShowtimeSales]) -> float | None:
    """Share of the hottest showtime (largest house, earliest start) still unsold when the
    outage began: under 30% and the outage tests little."""
    if not seats:
        return None
    sid = min(seats, key=lambda s: rank_key(seats[s].capacity, seats[s].start, s))
    hot = seats[sid]
    return round(1 - hot.sold_before / hot.capacity, 4) if hot.capacity else None
