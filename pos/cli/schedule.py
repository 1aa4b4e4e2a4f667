"""`pos schedule` and `pos seats`: what is on today and which seats are free."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from contract.errors import BoxOfficeError
from pos.cli.common import add_common, emit, with_counter

if TYPE_CHECKING:
    from pos.counter.service import Counter


def register(subparsers: argparse._SubParsersAction) -> None:
    schedule = subparsers.add_parser("schedule", help="today's showtimes")
    add_common(schedule)
    schedule.set_defaults(func=run_schedule)
    seats = subparsers.add_parser("seats", help="seat states of one showtime")
    seats.add_argument("--showtime", required=True)
    add_common(seats)
    seats.set_defaults(func=run_seats)


def run_schedule(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        await counter.refresh_if_online()
        schedule = counter.schedule()
        films = {f.id: f for f in schedule.films}
        auditoriums = {a.id: a for a in schedule.auditoriums}
        zone = counter.zone
        return [
            {
                "id": st.id,
                "film": films[st.film_id].title,
                "film_en": films[st.film_id].title_en,
                "start": st.start.isoformat(),
                "start_local": st.start.astimezone(zone).strftime("%H:%M"),
                "auditorium": auditoriums[st.auditorium_id].name_en,
                "free": st.free,
                "prices": st.prices,
            }
            for st in schedule.showtimes
        ]

    rows = with_counter(args, action)
    emit(
        args,
        rows,
        lambda rs: "\n".join(
            f"{r['id']:8} {r['start_local']}  {r['auditorium']:16} {r['free']:4} free  "
            f"{r['film']} / {r['film_en']}"
            for r in rs
        ),
    )
    return 0


def run_seats(args: argparse.Namespace) -> int:
    async def action(counter: Counter) -> Any:
        counter.showtime(args.showtime)
        try:
            view = await counter.seat_view(args.showtime)
        except BoxOfficeError as exc:
            if exc.code != "NO_SEAT_MAP":
                raise
            mine = next((s.seats for s in counter.leases() if s.showtime_id == args.showtime), [])
            return [{"label": s, "kind": None, "state": "free", "leased": True} for s in mine]
        kinds = {s.label: s.kind.value for s in view.seat_map.auditorium.seats}
        return [
            {
                "label": s.label,
                "kind": kinds[s.label],
                "state": "free" if s.state == "leased" else s.state.value,
                "leased": s.label in view.mine,
            }
            for s in view.seat_map.seats
        ]

    seats = with_counter(args, action)
    emit(
        args,
        seats,
        lambda ss: "\n".join(
            f"{s['label']:5} {s['kind'] or '':10} {s['state']:5}"
            + ("  leased here" if s["leased"] else "")
            for s in ss
        ),
    )
    return 0
