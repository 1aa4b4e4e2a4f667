"""The sale as a cashier lives it: held seats given back on Esc, keys typed ahead kept, seats in
reading order, fresh free seats, an honest offline map, a question before a lot of cash and
before other seats than the chosen ones are sold."""

from __future__ import annotations

import dataclasses

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from contract.seating import seat_order, sorted_seats
from pos.tui.app import PosApp
from pos.tui.screens import (
    PaymentScreen,
    ResultScreen,
    ScheduleScreen,
    SeatsScreen,
    ShiftScreen,
    TicketsScreen,
)
from pos.tui.widgets import ConfirmDialog, SeatMap, Table
from tests.tui.conftest import Terminal
from tests.tui.test_flows import SIZE, choose_two_seats, log_in, open_shift, settle, text_of

CHARACTERS = {"enter": "\r", "tab": "\t", "space": " "}


async def burst(pilot: Pilot, *keys: str) -> None:
    """Keys as a fast cashier types them: all at once, none waiting for the screen."""
    app = pilot.app
    for key in keys:
        app._driver.send_message(events.Key(key, CHARACTERS.get(key, key)))  # type: ignore[union-attr]
    await pilot.pause()
    await settle(pilot)


async def central_states(app: PosApp, seats: list[str]) -> set[str]:
    view = await app.counter.seat_view("st-001")
    return {s.state.value for s in view.seat_map.seats if s.label in seats}


async def test_esc_on_ticket_types_gives_the_seats_back_at_once(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        seats = app.screen.seats
        assert await central_states(app, seats) == {"held"}
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, SeatsScreen)
        assert await central_states(app, seats) == {"free"}, "not blocked for 300 s"
        assert app.screen.query_one(SeatMap).selected == seats, "still chosen, free to hold again"


async def test_esc_on_payment_gives_them_back_and_enter_holds_them_again(
    terminal: Terminal,
) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        seats = app.screen.seats
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TicketsScreen) and app.screen.hold_id is None
        assert await central_states(app, seats) == {"free"}
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen) and app.screen.hold_id is not None
        await pilot.press(*"160", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultScreen)
        assert sorted(t.seat for t in app.screen.outcome.sale.tickets) == sorted(seats)


async def test_keys_typed_ahead_land_where_they_were_meant(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.opened_counter()
        open_shift(app)
        await burst(pilot, *"c01", "tab", *"1111", "enter")
        assert isinstance(app.screen, ScheduleScreen), "a fast login: every key in its field"
        await burst(pilot, "enter", "2", "b", "enter")  # while the seat map loads
        assert isinstance(app.screen, TicketsScreen), "2 b Enter waited for the seat map"
        assert len(app.screen.seats) == 2


async def test_seats_read_in_order_e9_before_e10() -> None:
    assert sorted_seats(["E10", "E2", "E1", "D12", "AA1", "Z3"]) == [
        "D12",
        "E1",
        "E2",
        "E10",
        "Z3",
        "AA1",
    ]
    assert seat_order("E9") < seat_order("E10")


async def test_chosen_seats_are_listed_in_order(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await pilot.press("enter")
        await settle(pilot)
        seat_map = app.screen.query_one(SeatMap)
        row = seat_map.seats[seat_map.cursor].row
        for label in (f"{row}10", f"{row}9"):  # chosen right to left
            seat_map.cursor = label
            await pilot.press("space")
        await settle(pilot)
        assert seat_map.selected == [f"{row}9", f"{row}10"]
        assert f"{row}9, {row}10" in text_of(app, "#seat-info")


async def test_the_free_column_is_fresh_after_a_sale(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        table = app.screen.query_one("#showtimes", Table)
        before = str(table.get_row("st-001")[3])
        await choose_two_seats(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"200", "enter")
        await settle(pilot)
        await pilot.press("enter")  # next customer
        await settle(pilot)
        fresh = next(
            st for st in (await app.counter.port.schedule()).showtimes if st.id == "st-001"
        )
        assert int(before.split("/")[0]) - fresh.free >= 2
        assert str(table.get_row("st-001")[3]) == f"{fresh.free}/{fresh.capacity}"


async def test_the_offline_map_shows_what_this_counter_sold(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)  # online, while the map is cached
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"160", "enter")
        await settle(pilot)
        sold_online = [t.seat for t in app.screen.outcome.sale.tickets]
        app.counter.breaker.trip()
        leased = app.counter.leases()[0]
        await app.counter.sell(
            dataclasses.replace(
                _order(app, leased.showtime_id), seats=sorted_seats(leased.seats)[:2]
            )
        )
        sold_offline = sorted_seats(leased.seats)[:2]
        await pilot.press("enter")
        await settle(pilot)
        app.screen.post_message(ScheduleScreen.ShowtimeChosen(leased.showtime_id))
        await settle(pilot)
        seat_map = app.screen.query_one(SeatMap)
        assert seat_map.view.offline
        looks = {label: seat_map.look(seat_map.seats[label]).glyph for label in sold_offline}
        assert looks == dict.fromkeys(sold_offline, "x"), "sold here offline: x, not -"
        if leased.showtime_id == "st-001":
            assert {seat_map.look(seat_map.seats[s]).glyph for s in sold_online} == {"x"}


def _order(app: PosApp, showtime_id: str):
    from contract.models import PaymentMethod
    from pos.counter.payments import Tender
    from pos.counter.selling import Order

    return Order(
        showtime_id=showtime_id,
        cashier_id="c01",
        ticket_types=["adult"],
        tenders=[Tender(PaymentMethod.CASH, 50_000)],
    )


async def test_a_seat_leased_to_another_counter_says_which(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SeatsScreen)
        seat_map = screen.query_one(SeatMap)
        view = seat_map.view
        label = seat_map.cursor
        seats = [
            s if s.label != label else s.model_copy(update={"state": "leased", "leased_to": "T03"})
            for s in view.seat_map.seats
        ]
        other = view.seat_map.model_copy(update={"seats": seats})
        screen.show(dataclasses.replace(view, seat_map=other, selectable=view.selectable - {label}))
        await settle(pilot)
        seat_map.action_move(1, 0)
        seat_map.action_move(-1, 0)
        await settle(pilot)
        assert "held by counter T03" in text_of(app, "#seat-info")


async def test_a_lot_of_cash_is_confirmed_first(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"2000", "enter")  # meant 200
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "¥1840.00" in text_of(app, "#confirm-question")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PaymentScreen), "nothing sold"
        assert not app.counter.recent_sales()
        app.screen.query_one("#cash", Input).value = "200"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultScreen), "¥40 change: no question"


async def test_failover_shows_replacement_seats_before_taking_money(terminal: Terminal) -> None:
    """The central fails mid-sale and the chosen seats are not this terminal's leased ones:
    the counter refuses (SEAT_NOT_LEASED) rather than choose others, and the cashier is asked."""
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot)
        await choose_two_seats(pilot)
        chosen = app.screen.seats
        await pilot.press("enter")
        await settle(pilot)
        leased = [s for lease in app.counter.leases() for s in lease.seats]
        assert not set(chosen) & set(leased), "the chosen seats cannot be sold offline here"
        terminal.central.stop()  # the central dies between the hold and the payment
        await pilot.press(*"160", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "asked before payment is taken"
        question = text_of(app, "#confirm-question")
        assert ", ".join(chosen) in question
        taken = [s for s in app.counter.recent_sales() if s.state != "cancelled"]
        assert not taken, "no money taken yet (the online try was cancelled by its key)"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResultScreen)
        sold = sorted_seats(t.seat for t in app.screen.outcome.sale.tickets)
        assert sold != chosen and ", ".join(sold) in question
        assert app.screen.outcome.mode == "offline"


async def test_no_shift_no_sale_even_by_a_direct_path(terminal: Terminal) -> None:
    app = terminal.app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await log_in(pilot, shift=False)
        assert isinstance(app.screen, ShiftScreen)
        await pilot.press("escape", "f3")
        await settle(pilot)
        assert isinstance(app.screen, ShiftScreen), "no pickup without a shift either"
