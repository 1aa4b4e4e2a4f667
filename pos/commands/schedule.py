"""`pos schedule` and `pos seats`: what is on today and which seats are free."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from offline import cache, leases
from pos.central_client import CentralError

from .common import add_common, emit, with_counter

if TYPE_CHECKING:
    from pos.counter import Counter


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
        if not counter.breaker.is_open:
            try:
                await counter.refresh()
            except CentralError:
                counter.breaker.record_failure()
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
        seat_map = None
        if not counter.breaker.is_open:
            try:
                seat_map = await counter.client.seat_map(args.showtime)
                cache.put_seat_map(counter.store, seat_map)
            except CentralError:
                counter.breaker.record_failure()
        if seat_map is None:
            cached = cache.get_seat_map(counter.store, args.showtime)
            seat_map = cached.seat_map if cached else None
        mine = set(leases.available_seats(counter.store, args.showtime))
        if seat_map is None:
            return [{"label": s, "kind": None, "state": "free", "leased": True} for s in mine]
        kinds = {s.label: s.kind.value for s in seat_map.auditorium.seats}
        return [
            {
                "label": s.label,
                "kind": kinds[s.label],
                "state": "free" if s.state == "leased" else s.state.value,
                "leased": s.label in mine,
            }
            for s in seat_map.seats
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
