"""Selling for a scanned payment code (Alipay, WeChat Pay), with the money taken exactly when the
tickets are handed over.

The merchant order number is made, and written beside the sale draft in one transaction, before
the first request leaves. Then the charge: an immediate yes, a "customer still confirming" that is
polled with the provider's query until `wait_seconds`, or no answer at all, which is queried too.
Anything short of a yes within the deadline is cancelled (Alipay) or reversed (WeChat Pay) before
the cashier hears it failed. Only then is the sale made (online, or from the lease), in the
transaction that marks the charge captured; a sale that fails after the charge gives the money
back. A crash anywhere leaves at most a row `recover()` settles at the next start: a completed
sale captured its charge in the sale's own commit, so an open row is one without tickets, and
it is cancelled or reversed. Refunds of code-paid tickets go back through the
provider under a request number made before the first try, retried until the provider agrees."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from contract.business_day import Clock
from offline import code_payments, sales
from offline.code_payments import CodePayment
from offline.store import Store
from pos.counter.errors import CounterError
from pos.counter.payments import CODE_METHODS, Tender, cash_back_of
from pos.counter.selling import Order, Outcome, Seller
from pos.ports.payments import (
    CodePaySettings,
    CodeProvider,
    PaymentError,
    ProviderRefused,
    ProviderUnknown,
    ProviderUnreachable,
    Trade,
    TradeStatus,
    providers_for,
)

SUBJECT = "Cinema tickets"
BEIJING = ZoneInfo("Asia/Shanghai")
"""Both providers bill by the day in Beijing time."""
NAMES = {"alipay": "Alipay", "wechat": "WeChat Pay"}


def order_number(terminal_id: str, clock: Clock) -> str:
    """A merchant order number: the terminal, the UTC second, 8 random hex digits; at most 32
    characters of [A-Za-z0-9], which both providers accept."""
    terminal = re.sub(r"[^A-Za-z0-9]", "", terminal_id)[:8]
    return f"{terminal}{clock():%Y%m%d%H%M%S}{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Difference:
    provider: str
    out_trade_no: str
    ours: int
    """Fen this terminal believes the merchant kept of the trade."""
    theirs: int
    """Fen the provider's statement says the merchant kept."""


@dataclass(frozen=True, slots=True)
class Reconciliation:
    kept: dict[str, int]
    """Fen kept per provider, by this terminal's books."""
    trades: dict[str, list[str]]
    """The providers' trade numbers of captured payments, per provider."""
    differences: list[Difference]

    def to_json(self) -> dict[str, object]:
        return dataclasses.asdict(self)


def _billing_day(stored: str) -> date:
    return datetime.fromisoformat(stored).astimezone(BEIJING).date()


class CodeTill:
    """Charges payment codes for the Seller's sales, settles what a crash left, refunds."""

    def __init__(
        self,
        store: Store,
        seller: Seller,
        settings: CodePaySettings | None,
        home: Path,
        *,
        terminal_id: str,
        clock: Clock,
        on_change: Callable[[], None],
    ) -> None:
        self.store = store
        self.seller = seller
        self.settings = settings or CodePaySettings()
        self.terminal_id = terminal_id
        self.clock = clock
        self.on_change = on_change
        self.setup_error: CounterError | None = None
        self.providers: dict[str, CodeProvider] = {}
        try:
            self.providers = providers_for(self.settings, home)
        except (OSError, ValueError, TypeError) as exc:  # a bad key stops codes, not cash
            self.setup_error = CounterError(
                "CODE_PAY_KEY",
                f"A payment-code key or certificate in {home} is missing or damaged"
                f" ({exc.__class__.__name__}); take cash and call IT.",
            )

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()

    def _provider(self, kind: str) -> CodeProvider:
        if self.setup_error is not None:
            raise self.setup_error
        provider = self.providers.get(kind)
        if provider is None:
            raise CounterError(
                "CODE_PAY_NOT_SET_UP", f"This till takes no {NAMES[kind]} payments: take cash."
            )
        return provider

    # --- the sale -----------------------------------------------------------------------------

    async def sell(self, order: Order, on_waiting: Callable[[], None] | None = None) -> Outcome:
        basket = self.seller.prepare(order)
        tender = next(t for t in order.tenders if t.method in CODE_METHODS)
        provider = self._provider(tender.method.value)
        out_trade_no = order_number(self.terminal_id, self.clock)
        with self.store.atomic():
            draft = sales.create_draft(
                self.store,
                showtime_id=order.showtime_id,
                cashier_id=order.cashier_id,
                mode="offline" if self.seller.breaker.is_open else "online",
                shift_id=order.shift_id,
            )
            code_payments.open_charge(
                self.store, out_trade_no, tender.method.value, tender.amount, draft.id
            )
        try:
            await self._charge(provider, out_trade_no, tender, draft, on_waiting)
        except asyncio.CancelledError:  # the cashier gave up waiting (or the till is closing)
            self._unwind(out_trade_no, draft)
            await asyncio.shield(self._reverse_quietly(out_trade_no))
            raise
        payments = [
            p.model_copy(update={"reference": out_trade_no}) if p.method == tender.method else p
            for p in basket.settlement.payments
        ]
        paid = basket._replace(settlement=dataclasses.replace(basket.settlement, payments=payments))
        try:
            outcome = await self.seller.complete(order, paid, draft)
        except BaseException:
            # Paid, but no tickets: the money goes back (now, or at the next start if the
            # provider does not answer or this task is being cancelled).
            self._unwind(out_trade_no, draft, central_may_know=True)
            await asyncio.shield(self._reverse_quietly(out_trade_no))
            raise
        self.on_change()
        return outcome

    async def _charge(
        self,
        provider: CodeProvider,
        no: str,
        tender: Tender,
        draft: sales.Sale,
        on_waiting: Callable[[], None] | None,
    ) -> None:
        """Returns once the money is taken; otherwise unwinds and raises a CounterError the
        cashier can act on."""
        name = NAMES[provider.kind]
        try:
            trade = await provider.pay(no, tender.reference or "", tender.amount, SUBJECT)
        except (ProviderUnreachable, ProviderRefused) as exc:  # nothing can have been taken
            self._unwind(no, draft, declined=exc.message)
            code = "PROVIDER_UNREACHABLE" if isinstance(exc, ProviderUnreachable) else exc.code
            raise CounterError(
                code, f"{name} cannot take this payment now ({exc.message}); take cash."
            ) from exc
        except ProviderUnknown:
            trade = None  # sent, no answer: query like a customer still confirming
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.wait_seconds
        while trade is None or trade.status == TradeStatus.PAYING:
            if trade is not None and on_waiting is not None:
                on_waiting()
            left = deadline - loop.time()
            if left <= 0:
                break
            await asyncio.sleep(min(self.settings.poll_seconds, left))
            trade = await self._query(provider, no, trade)
            if trade is not None and trade.status == TradeStatus.NOT_FOUND:
                break  # the charge never landed: cancelling closes the number for good
        if trade is not None and trade.status == TradeStatus.SUCCESS:
            code_payments.move(self.store, no, "paid", trade_no=trade.trade_no)
            return
        if trade is not None and trade.status in (TradeStatus.FAILED, TradeStatus.CLOSED):
            reason = trade.reason or trade.status.value
            self._unwind(no, draft, declined=reason)
            raise CounterError(
                "PAYMENT_DECLINED",
                f"{name} declined the payment ({reason}); take cash.",
                {"reason": reason},
            )
        self._unwind(no, draft)
        if await self._reverse_quietly(no):
            raise CounterError(
                "PAYMENT_TIMEOUT",
                f"The customer did not confirm in {name} in time; the payment was cancelled.",
            )
        raise CounterError(
            "PAYMENT_UNKNOWN",
            f"{name} did not answer; the payment is cancelled as soon as it does. Take cash.",
        )

    @staticmethod
    async def _query(provider: CodeProvider, no: str, last: Trade | None) -> Trade | None:
        try:
            return await provider.query(no)
        except PaymentError:
            return last  # still unknown: ask again within the deadline

    def _unwind(
        self,
        no: str,
        draft: sales.Sale,
        *,
        declined: str | None = None,
        central_may_know: bool = False,
    ) -> None:
        """In one transaction: the draft cancelled (and cancelled at the central by its key if
        the sale may have been sent) and the charge declined or marked for reversal."""
        with self.store.atomic():
            current = sales.get(self.store, draft.id)
            if current.state in ("draft", "held"):
                if current.mode == "online" and central_may_know:
                    self.seller.queue_cancel(current.idempotency_key)
                sales.advance(self.store, draft.id, "cancelled")
            row = code_payments.get(self.store, no)
            if declined is not None and row.state == "charging":
                code_payments.move(self.store, no, "declined", error=declined)
            elif row.state in ("charging", "paid"):
                code_payments.move(self.store, no, "reversing")

    async def _reverse_quietly(self, no: str) -> bool:
        """Cancel or reverse one charge; False (noted on the row) if the provider did not
        agree this time: `recover()` tries again."""
        row = code_payments.get(self.store, no)
        try:
            await self._provider(row.provider).cancel(no)
        except (PaymentError, CounterError) as exc:
            code_payments.note(self.store, no, exc.message)
            return False
        code_payments.move(self.store, no, "reversed")
        return True

    # --- after a crash, and refunds -----------------------------------------------------------

    async def recover(self) -> int:
        """Settle every charge a crash or a lost answer left open, and send pending refunds;
        returns how many are still open (the provider did not answer)."""
        open_left = 0
        for row in code_payments.unsettled(self.store):
            if not await self._settle(row):
                open_left += 1
        for refund in code_payments.pending_refunds(self.store):
            if not await self._send_refund(refund):
                open_left += 1
        if open_left == 0:
            self.on_change()
        return open_left

    async def _settle(self, row: CodePayment) -> bool:
        """An open row never has its sale: a sale and the capture of its charge are one
        commit, so a sale that was completed left no open row. What is open is undone: a
        charge the provider declined or closed is noted; anything else is cancelled or
        reversed (the draft itself was cancelled by the counter's start, `_resume_unfinished`)."""
        if row.state == "charging":
            try:
                trade = await self._provider(row.provider).query(row.out_trade_no)
            except (PaymentError, CounterError):
                return False
            if trade.status in (TradeStatus.FAILED, TradeStatus.CLOSED):
                code_payments.move(self.store, row.out_trade_no, "declined", error=trade.reason)
                return True
        code_payments.move(self.store, row.out_trade_no, "reversing")
        return await self._reverse_quietly(row.out_trade_no)

    def owed(self) -> int:
        """Reversals and refunds a provider has not confirmed: money a customer is owed."""
        return code_payments.owed(self.store)

    async def retry(self) -> int:
        """While the till runs: reversals and refunds the provider did not confirm before
        (never a charge still being made). Returns how many are still open."""
        left = 0
        for row in code_payments.listed(self.store, states=("reversing",)):
            if not await self._reverse_quietly(row.out_trade_no):
                left += 1
        return left + await self.send_refunds()

    def give_back(self, sale: sales.Sale, amount: int) -> None:
        """Of `amount` fen given back on a code-paid sale, the part that goes back to the
        customer's wallet (cash first, `cash_back_of`), recorded for the provider.
        Call inside the transaction that marks the tickets refunded or the sale voided; `sale`
        as it was before."""
        row = code_payments.for_sale(self.store, sale.id)
        if row is None:
            return
        cash = cash_back_of(sale, amount)
        if amount - cash > 0:
            code_payments.open_refund(self.store, uuid.uuid4().hex, row.out_trade_no, amount - cash)

    async def send_refunds(self) -> int:
        """Send what `give_back` recorded; returns how many the provider has not confirmed."""
        left = 0
        for refund in code_payments.pending_refunds(self.store):
            if not await self._send_refund(refund):
                left += 1
        return left

    async def _send_refund(self, refund: code_payments.CodeRefund) -> bool:
        row = code_payments.get(self.store, refund.out_trade_no)
        try:
            await self._provider(row.provider).refund(
                row.out_trade_no, refund.out_request_no, refund.amount, row.amount
            )
        except (PaymentError, CounterError) as exc:
            code_payments.refund_done(self.store, refund.out_request_no, error=exc.message)
            return False
        code_payments.refund_done(self.store, refund.out_request_no)
        return True

    # --- end of day -----------------------------------------------------------------------------

    async def bills(self, day: date) -> list[dict[str, object]]:
        """The day's bills of every provider this till charges through, as statement rows."""
        if self.setup_error is not None:
            raise self.setup_error
        return [
            {"provider": kind, "out_trade_no": line.out_trade_no, "kept": line.kept}
            for kind, provider in sorted(self.providers.items())
            for line in await provider.bill(day)
        ]

    def reconcile(
        self, statement: list[dict[str, object]], day: date | None = None
    ) -> Reconciliation:
        """This terminal's code payments (of `day` in Beijing time, the providers' billing
        day, when given) against a provider statement (rows with provider, out_trade_no,
        kept): every order number either side knows, compared."""
        ours: dict[tuple[str, str], int] = {}
        trades: dict[str, list[str]] = {}
        done = {r.out_request_no for r in code_payments.refunds(self.store) if r.state == "done"}
        refunded: dict[str, int] = {}
        for r in code_payments.refunds(self.store):
            if r.out_request_no in done:
                refunded[r.out_trade_no] = refunded.get(r.out_trade_no, 0) + r.amount
        for row in code_payments.listed(self.store):
            if day is not None and _billing_day(row.created_at) != day:
                continue
            kept = row.amount - refunded.get(row.out_trade_no, 0)
            ours[(row.provider, row.out_trade_no)] = kept if row.state == "captured" else 0
            if row.state == "captured" and row.trade_no:
                trades.setdefault(row.provider, []).append(row.trade_no)
        theirs = {
            (str(r["provider"]), str(r["out_trade_no"])): int(str(r["kept"])) for r in statement
        }
        differences = [
            Difference(provider, no, ours.get((provider, no), 0), theirs.get((provider, no), 0))
            for provider, no in sorted(ours.keys() | theirs.keys())
            if ours.get((provider, no), 0) != theirs.get((provider, no), 0)
        ]
        kept: dict[str, int] = {}
        for (provider, _), fen in ours.items():
            kept[provider] = kept.get(provider, 0) + fen
        return Reconciliation(kept=kept, trades=trades, differences=differences)
