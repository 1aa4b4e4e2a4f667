"""The drill's report as a table a person reads at a glance: invariants first, then the point
(the counters kept selling), then the detail."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text


def _ok(passed: bool) -> Text:
    return Text("PASS", style="bold green") if passed else Text("FAIL", style="bold red")


def _s(value: float | None, unit: str = " s") -> str:
    return "—" if value is None else f"{value:g}{unit}"


def summary_table(report: dict[str, Any]) -> Table:
    table = Table(title="Festival drill", show_header=True, header_style="bold")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("", justify="left")
    for key, label in (
        ("double_sold", "seats sold twice"),
        ("missing", "paid sales missing from the central"),
        ("duplicates", "duplicate or customerless sales"),
        ("outbox_left", "operations left in outboxes"),
    ):
        table.add_row(label, str(report[key]), _ok(report[key] == 0))
    drain = report["drain_seconds"]
    table.add_row("central back → every outbox empty", _s(drain), _ok(drain is not None))
    table.add_row(
        "central back → every terminal out of OFFLINE", _s(report["back_online_seconds"]), ""
    )
    rates = report["counter_sales_per_min"]
    table.add_section()
    for window in ("before", "during", "after"):
        table.add_row(f"counter sales/min {window} the outage", f"{rates[window]:g}", "")
    ratio = report["outage_throughput_ratio"]
    goal = report["throughput_goal"]
    table.add_row(
        "counter throughput during / before",
        "—" if ratio is None else f"{ratio:.0%}",
        Text(f"goal ≥ {goal['ratio']:.0%}", style="green" if goal["met"] else "red"),
    )
    for mode, figures in report["counter_sale_seconds"].items():
        table.add_row(
            f"counter sale time, {mode} (n={figures['n']})",
            f"p50 {_s(figures['p50'])}  p99 {_s(figures['p99'])}",
            "",
        )
    table.add_section()
    customers = report["customers"]
    for figure in ("arrived", "served", "turned_away", "lost"):
        table.add_row(
            f"counter customers {figure.replace('_', ' ')} before / during / after",
            " / ".join(str(customers[w][figure]) for w in ("before", "during", "after")),
            "",
        )
    lost = report["lost_share_during"]
    table.add_row(
        f"lost during the outage ({report['demand']} demand)",
        "—" if lost is None else f"{lost:.0%}",
        Text("goal ≤ 10%", style="green" if lost is not None and lost <= 0.10 else "red"),
    )
    table.add_row(
        "handovers between counters",
        str(report["handovers"]),
        "on" if report["plan"]["handover"] else "off (--no-handover)",
    )
    hot = report["hot_unsold_at_outage"]
    table.add_row(
        "hottest showtime unsold when the outage began",
        "—" if hot is None else f"{hot:.0%}",
        Text("≥ 30% or the outage tests little", style="green" if (hot or 0) >= 0.3 else "red"),
    )
    table.add_section()
    online = report["online"]
    web = report["online_sales_per_min"]
    table.add_row(
        "online sales/min before / during / after",
        f"{web['before']:g} / {web['during']:g} / {web['after']:g}",
        "",
    )
    by_window = online["error_rate_by_window"]
    table.add_row(
        "online error rate before / during / after",
        " / ".join("—" if by_window[w] is None else f"{by_window[w]:.0%}" for w in by_window),
        "",
    )
    table.add_row(
        "online requests, sales, errors",
        f"{online['requests']}, {online['sales']}, {online['errors']}",
        "",
    )
    table.caption = f"report {report['files']['report']}  chart {report['files']['chart']}"
    return table
