"""The drill's picture: sales per minute by channel and mode, the counters' customers served
and lost per minute, the central's latency, and the outage shaded, on one time axis (seconds
since selling started)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from devtools.drill.figures import Record, Windows, is_error, percentile, sale_kind
from devtools.drill.monitor import Monitor


def bucket_for(duration: float) -> float:
    """5 s buckets for a short drill, a minute for a long one; a few dozen either way."""
    return 5.0 if duration <= 300 else 60.0


def _rates(times: Iterable[float], start: float, bucket: float, n: int) -> list[float]:
    counts = [0] * n
    for t in times:
        i = int((t - start) // bucket)
        if 0 <= i < n:
            counts[i] += 1
    return [c * 60 / bucket for c in counts]


def draw(
    path: Path,
    monitor: Monitor,
    windows: Windows,
    title: str,
    customers: list[Record] | None = None,
) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = windows.start
    bucket = bucket_for(windows.sell_until - start)
    n = max(1, int((windows.sell_until - start) // bucket))
    xs = [i * bucket for i in range(n)]
    sales = [r for records in monitor.terminals.values() for r in records if r["type"] == "sale"]
    requests = monitor.requests()

    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(10, 6.5), height_ratios=[3, 2])
    web_sales = [r["t"] for r in requests if r["op"] == "sale" and r["ok"]]
    series: list[tuple[str, Iterable[float], str]] = [
        ("counter, online", (s["t1"] for s in sales if sale_kind(s) == "online"), "tab:green"),
        ("counter, offline", (s["t1"] for s in sales if sale_kind(s) != "online"), "tab:red"),
        ("online rush, sales", web_sales, "tab:blue"),
        ("online rush, errors", (r["t"] for r in requests if is_error(r)), "tab:gray"),
    ]
    dashed: list[tuple[str, Iterable[float], str]] = []
    if customers:
        dashed = [
            ("counter customers served", (c["t1"] for c in customers if c["served"]), "black"),
            ("counter customers lost", (c["t1"] for c in customers if c["lost"]), "tab:orange"),
        ]
    ends = [*xs, n * bucket]
    for label, times, colour in series:
        rates = _rates(times, start, bucket, n)
        top.step(ends, [*rates, rates[-1]], where="post", label=label, color=colour)
    for label, times, colour in dashed:
        rates = _rates(times, start, bucket, n)
        top.step(ends, [*rates, rates[-1]], where="post", label=label, color=colour, linestyle="--")
    top.set_ylabel(f"per minute ({bucket:.0f} s buckets)")
    top.legend(loc="upper right", fontsize="small")

    answered = [(t - start, ms) for t, ms in monitor.health if ms is not None]
    silent = [t - start for t, ms in monitor.health if ms is None]
    if answered:
        bottom.plot(*zip(*answered, strict=True), ".", color="tab:purple", label="health probe")
    if silent:
        bottom.plot(silent, [1000.0] * len(silent), "x", color="black", label="no answer")
    web_p50 = _median_latency(requests, start, bucket, n)
    bottom.step(
        ends, [*web_p50, web_p50[-1]], where="post", color="tab:blue", label="online rush p50"
    )
    bottom.set_yscale("log")
    bottom.set_ylabel("central latency (ms)")
    bottom.set_xlabel("seconds since selling started")
    bottom.legend(loc="upper right", fontsize="small")

    for ax in (top, bottom):
        ax.axvspan(
            windows.outage_from - start, windows.outage_until - start, color="red", alpha=0.12
        )
        ax.grid(alpha=0.3)
    top.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _median_latency(requests: list[Record], start: float, bucket: float, n: int) -> list[float]:
    slots: list[list[float]] = [[] for _ in range(n)]
    for r in requests:
        i = int((r["t"] - start) // bucket)
        if r["ok"] and 0 <= i < n:
            slots[i].append(r["ms"])
    return [percentile(s, 50) or float("nan") for s in slots]
