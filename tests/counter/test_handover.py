"""Peer handover while the central is away, end to end: a real central on loopback, two
counters with their own stores, the giver's real peer endpoint, real signatures.

The receiver's lease runs out; it asks the giver, who removes seats from its own lease and
hands them over signed; the receiver sells them; when the central is back both upload the
handover and the receiver's sales of those seats are accepted, once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from central.server import CentralThread
from contract.handover import (
    PEER_PATH,
    SIGNATURE_HEADER,
    Handover,
    HandoverAsk,
    ask_body,
    sign_ask,
    sign_handover,
)
from contract.models import OfflineBatch, OfflineSale, SyncResult
from contract.ticket_code import new_private_key
from offline import handovers, outbox, sales
from offline.handovers import Ask
from pos.counter.errors import SeatUnavailable
from pos.counter.home import Home
from tests.conftest import enroll
from tests.counter.handover_kit import (
    HOT,
    free_port,
    lease_seats,
    opened,
    pair,
    party,
    restart,
    sell_out_own_lease,
)

Pair = tuple[Home, Home]


@pytest.fixture
def homes(live_central: CentralThread, tmp_path: Path) -> Pair:
    """(giver, receiver), enrolled before either refreshes: each caches the other's key."""
    return pair(live_central, tmp_path, free_port())


async def test_seats_handed_over_are_sold_once_and_accepted_with_the_handover(
    live_central: CentralThread, homes: Pair
) -> None:
    async with opened(homes) as (giver, receiver):
        giver.serve_peers()
        before = lease_seats(giver)
        live_central.stop()
        giver.breaker.trip()
        receiver.breaker.trip()

        own = await sell_out_own_lease(receiver)
        assert own >= 2
        outcome = await receiver.sell(party())  # the lease is out: the giver hands seats over
        assert outcome.mode == "offline"
        [received] = handovers.pending_uploads(receiver.store)
        assert outcome.sale.lease_id == received.id
        assert {t.seat for t in outcome.sale.tickets} <= set(received.seats)
        assert received.giver_id == giver.settings.terminal_id
        assert len(received.seats) == 4  # what it asked for (lease_seats), half of 8 at most
        after = lease_seats(giver)
        assert set(after) == set(before) - set(received.seats)
        assert giver.handover_counts()["given"] == 1

        # Seats received are not handed on, however many are left unsold.
        assert len(set(lease_seats(receiver)) & set(received.seats)) == 2
        body = ask_body(
            HandoverAsk(
                request_id="hand-them-on-0001",
                cinema_id=giver.settings.cinema_id,
                showtime_id=HOT,
                receiver_id=giver.settings.terminal_id,
                key_id=giver.settings.terminal_id,
                at_least=1,
                wanted=2,
                sent_at=giver.now(),
            )
        )
        async with httpx.AsyncClient() as http:
            onward = await http.post(
                receiver.serve_peers().url + PEER_PATH,
                content=body,
                headers={SIGNATURE_HEADER: sign_ask(body, giver.key)},
            )
        assert onward.json()["code"] == "NOTHING_TO_SPARE"

        # Without the handover the central takes none of the receiver's sales of those seats.
        back = restart(live_central)
        try:
            # The central still lists the handed seats in the giver's lease until a handover
            # reaches it: the giver's refresh must not take them back.
            giver.breaker.close()
            await giver.refresh()
            assert not set(lease_seats(giver)) & set(received.seats)
            item = next(
                i
                for i in outbox.items(receiver.store, "pending")
                if i.idempotency_key == outcome.sale.idempotency_key
            )
            alone = await receiver.port.upload_offline(
                OfflineBatch(sales=[OfflineSale.model_validate(item.payload)])
            )
            assert alone.results[0].result == SyncResult.CONFLICT

            receiver.breaker.close()
            giver.breaker.close()
            first = await receiver.sender.drain(now=True)
            assert (first.conflicts, first.remaining, first.error) == (0, 0, None)
            # The giver has nothing in its outbox: its sync loop sends the handover anyway.
            assert giver.status().outbox == 1
            giver.start_background(probe_every=0.1, sync_every=0.1, peers=False)
            for _ in range(100):
                if giver.status().outbox == 0:
                    break
                await asyncio.sleep(0.05)
            second = giver.sender.since_open
            assert (second.conflicts, second.duplicates, second.error) == (0, 1, None)
            again = await receiver.sender.drain(now=True)
            assert again.sent == 0  # exactly once: nothing left to send
            assert handovers.pending_uploads(receiver.store) == []
            assert handovers.pending_uploads(giver.store) == []

            # The giver's refreshed lease never takes the handed seats back, and the central
            # shows the receiver's seats sold, each once.
            await giver.refresh()
            assert not set(lease_seats(giver)) & set(received.seats)
            seat_map = await receiver.port.seat_map(HOT)
            sold = {s.label for s in seat_map.seats if s.state == "sold"}
            mine = [
                t.seat
                for s in sales.list_sales(receiver.store)
                if s.mode == "offline"
                for t in s.tickets
            ]
            assert len(mine) == len(set(mine)) and set(mine) <= sold
            assert all(s.state == "synced" for s in sales.list_sales(receiver.store))
        finally:
            back.stop()


async def test_the_central_refuses_a_forged_or_altered_handover(
    live_central: CentralThread, homes: Pair
) -> None:
    async with opened(homes) as (giver, receiver):
        lease = next(v for v in giver.leases() if v.showtime_id == HOT)
        claim = Handover(
            id="HO-forged-0001",
            request_id="forged-request-1",
            cinema_id=giver.settings.cinema_id,
            showtime_id=HOT,
            lease_id=lease.lease_id,
            giver_id=giver.settings.terminal_id,
            giver_key_id=giver.settings.terminal_id,
            receiver_id=receiver.settings.terminal_id,
            seats=lease.seats[:2],
            made_at=receiver.now(),
        )
        # Signed by the receiver, claiming to be the giver's: refused.
        forged = await receiver.port.upload_handover(sign_handover(claim, receiver.key))
        assert forged.result == SyncResult.CONFLICT and "signature" in (forged.reason or "")
        # Signed by the giver, then altered (one seat more): refused.
        signed = sign_handover(claim, giver.key)
        altered = signed.model_copy(update={"seats": lease.seats[:3]})
        refused = await receiver.port.upload_handover(altered)
        assert refused.result == SyncResult.CONFLICT
        # A terminal that is neither side may not upload it at all.
        third = enroll(live_central, 2)
        try:
            answer = third.post("/v1/handovers", signed.model_dump(mode="json"))
            assert (answer.status_code, answer.json()["code"]) == (403, "NOT_YOUR_HANDOVER")
        finally:
            third.client.close()
        await giver.refresh()
        assert set(lease.seats[:3]) <= set(lease_seats(giver))  # nothing moved
        # The real one moves the seats, once.
        ok = await receiver.port.upload_handover(signed)
        assert (ok.result, ok.moved) == (SyncResult.ACCEPTED, lease.seats[:2])
        dup = await giver.port.upload_handover(signed)
        assert (dup.result, dup.moved) == (SyncResult.DUPLICATE, lease.seats[:2])
        listed = {x.id: x for x in await receiver.port.leases()}
        assert listed[signed.id].seats == lease.seats[:2]


async def test_a_peer_down_or_with_nothing_to_spare_is_a_clean_no(
    live_central: CentralThread, homes: Pair
) -> None:
    async with opened(homes) as (giver, receiver):
        live_central.stop()
        giver.breaker.trip()
        receiver.breaker.trip()
        await sell_out_own_lease(receiver)
        mine = lease_seats(receiver)

        # The giver is not listening: the sale is refused at once, nothing changes.
        try:
            await receiver.sell(party())
        except SeatUnavailable as exc:
            assert exc.code == "LEASE_EXHAUSTED"
        else:
            raise AssertionError("sold with no seats")
        assert lease_seats(receiver) == mine
        [open_ask] = handovers.open_asks(receiver.store, HOT)

        # The giver sells its own lease down to one party, then starts listening.
        while len(lease_seats(giver)) >= 4:
            await giver.sell(party())
        giver.serve_peers()
        receiver.asker._down_until.clear()  # the peer is back: do not wait out the pause
        try:
            await receiver.sell(party())
        except SeatUnavailable as exc:
            assert exc.code == "LEASE_EXHAUSTED"
        else:
            raise AssertionError("the giver had nothing to spare")
        assert handovers.open_asks(receiver.store, HOT) == []
        row = receiver.store.db.execute(
            "SELECT state FROM handover_asks WHERE request_id = ?", [open_ask.request_id]
        ).fetchone()
        assert row == ("refused",)
        assert giver.handover_counts()["given"] == 0


async def test_unsigned_forged_or_foreign_asks_are_refused(homes: Pair) -> None:
    async with opened(homes) as (giver, receiver):
        url = giver.serve_peers().url + "/v1/peer/handovers"
        before = lease_seats(giver)

        def ask(**changes: object) -> bytes:
            fields: dict[str, object] = {
                "request_id": "a-request-0001",
                "cinema_id": receiver.settings.cinema_id,
                "showtime_id": HOT,
                "receiver_id": receiver.settings.terminal_id,
                "key_id": receiver.settings.terminal_id,
                "at_least": 2,
                "wanted": 4,
                "sent_at": receiver.now(),
            }
            return ask_body(HandoverAsk.model_validate(fields | changes))

        async with httpx.AsyncClient() as http:

            async def post(body: bytes, signature: str | None) -> httpx.Response:
                headers = {SIGNATURE_HEADER: signature} if signature else {}
                return await http.post(url, content=body, headers=headers)

            body = ask()
            assert (await post(body, None)).status_code == 401
            stranger = sign_ask(body, new_private_key())
            assert (await post(body, stranger)).json()["code"] == "BAD_SIGNATURE"
            other = ask(key_id="T99", receiver_id="T99")
            answer = await post(other, sign_ask(other, receiver.key))
            assert answer.json()["code"] == "UNKNOWN_TERMINAL"
            foreign = ask(cinema_id="another-cinema")
            answer = await post(foreign, sign_ask(foreign, receiver.key))
            assert answer.json()["code"] == "OTHER_CINEMA"
            tampered = body.replace(b'"wanted":4', b'"wanted":8')
            answer = await post(tampered, sign_ask(body, receiver.key))
            assert answer.json()["code"] == "BAD_SIGNATURE"
            assert (await post(b"not json", sign_ask(b"not json", receiver.key))).status_code == 400
            assert lease_seats(giver) == before
            assert giver.handover_counts()["given"] == 0

            # Signed by the receiver's own key: answered, and the same handover again for
            # the same request id.
            first = await post(body, sign_ask(body, receiver.key))
            again = await post(body, sign_ask(body, receiver.key))
            assert first.status_code == 200 and first.json() == again.json()
            assert giver.handover_counts()["given"] == 1


async def test_a_receiver_that_lost_the_answer_gets_the_same_handover_again(
    live_central: CentralThread, homes: Pair
) -> None:
    """The receiver wrote its ask and sent it; the giver committed and answered; the answer
    never got recorded (a crash, a dropped connection). The next time the receiver needs seats
    (here: the cashier opens the seat map with the lease run dry) it sends the open ask again
    under the same id, and the giver answers the handover it made: no second one."""
    async with opened(homes) as (giver, receiver):
        url = giver.serve_peers().url + PEER_PATH
        live_central.stop()
        giver.breaker.trip()
        receiver.breaker.trip()
        await sell_out_own_lease(receiver)
        if lease_seats(receiver):
            await receiver.sell(party(1))
        assert lease_seats(receiver) == []

        lost = Ask("lost-answer-0001", giver.settings.terminal_id, HOT, 1, 4, "open")
        handovers.open_ask(receiver.store, lost)
        body = ask_body(
            HandoverAsk(
                request_id=lost.request_id,
                cinema_id=receiver.settings.cinema_id,
                showtime_id=HOT,
                receiver_id=receiver.settings.terminal_id,
                key_id=receiver.settings.terminal_id,
                at_least=1,
                wanted=4,
                sent_at=receiver.now(),
            )
        )
        async with httpx.AsyncClient() as http:
            sent = await http.post(
                url, content=body, headers={SIGNATURE_HEADER: sign_ask(body, receiver.key)}
            )
        made = Handover.model_validate(sent.json())  # ... and the receiver never records it
        assert giver.handover_counts()["given"] == 1

        view = await receiver.seat_view(HOT)  # the lease is dry: the open ask goes again
        assert view.offline and view.mine == frozenset(made.seats)
        assert giver.handover_counts()["given"] == 1
        [received] = handovers.pending_uploads(receiver.store)
        assert received == made
        assert handovers.open_asks(receiver.store, HOT) == []


async def test_a_handover_made_while_the_outbox_drains_goes_up_before_its_sale(
    homes: Pair,
) -> None:
    """A counter coming back drains while its cashier still sells offline. Here a sale that
    needs a second handover is made while the drain is uploading the first: the second
    handover reaches the central before that sale does, and every sale is accepted once (the
    race the long drill found, made to happen every time)."""
    async with opened(homes) as (giver, receiver):
        giver.serve_peers()
        receiver.breaker.trip()  # the central answers, but this counter is still OFFLINE
        await sell_out_own_lease(receiver)
        while len(handovers.pending_uploads(receiver.store)) < 1 or lease_seats(receiver):
            await receiver.sell(party(1))  # the first handover, sold out
        upload = receiver.port.upload_handover
        during = []

        async def upload_while_selling(handover: Handover) -> object:
            if not during:
                during.append(await receiver.sell(party()))
            return await upload(handover)

        receiver.port.upload_handover = upload_while_selling  # type: ignore[method-assign]
        report = await receiver.sender.drain(now=True)
        assert [o.mode for o in during] == ["offline"]
        assert giver.handover_counts()["given"] == 2
        assert (report.conflicts, report.remaining, report.error) == (0, 0, None)
        assert all(s.state == "synced" for s in sales.list_sales(receiver.store))
