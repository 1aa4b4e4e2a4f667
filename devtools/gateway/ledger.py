"""The reference gateway's own books: every trade it was asked for, what it took and gave
back. Its statement is what the counter reconciles its Z report against."""

from __future__ import annotations

import itertools
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Drill(StrEnum):
    """How the gateway answers a charge; `pos gateway serve --drill MODE`."""

    INSTANT = "instant"
    USER_PAYING = "user-paying"
    """USERPAYING first; the customer confirms by the first query."""
    USER_PAYING_TIMEOUT = "user-paying-timeout"
    """USERPAYING, and the customer never confirms."""
    INSUFFICIENT_FUNDS = "insufficient-funds"
    RESET_AFTER_CHARGE = "reset-after-charge"
    """The charge is taken, then the connection is reset: the ambiguous case."""
    SLOW = "slow"
    """Charges answer after `slow_seconds` (longer than the till's read timeout)."""


@dataclass
class Trade:
    provider: str
    out_trade_no: str
    trade_no: str
    amount: int
    state: str
    """paying, success, failed, closed (never paid, cancelled), reversed (paid, money back)."""
    created_at: str
    refunded: int = 0
    refunds: dict[str, int] = field(default_factory=dict)
    merchant: str = ""
    """The Alipay app id or WeChat Pay merchant id that charged it (whose bill lists it)."""


class Ledger:
    """Thread-safe: uvicorn's loop and the test's thread both read it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._trades: dict[tuple[str, str], Trade] = {}
        self._numbers = itertools.count(1)

    def get(self, provider: str, out_trade_no: str) -> Trade | None:
        with self._lock:
            return self._trades.get((provider, out_trade_no))

    def open(
        self, provider: str, out_trade_no: str, amount: int, state: str, merchant: str = ""
    ) -> Trade:
        """A new trade, or the existing one for a repeated order number (never charged twice)."""
        with self._lock:
            found = self._trades.get((provider, out_trade_no))
            if found is not None:
                return found
            day = datetime.now(UTC)
            prefix = "2016" if provider == "alipay" else "4200"
            trade = Trade(
                provider,
                out_trade_no,
                f"{prefix}{day:%Y%m%d}{next(self._numbers):012d}",
                amount,
                state,
                day.isoformat(),
                merchant=merchant,
            )
            self._trades[(provider, out_trade_no)] = trade
            return trade

    def set_state(self, trade: Trade, state: str) -> None:
        with self._lock:
            trade.state = state

    def refund(self, trade: Trade, request_no: str, amount: int) -> bool:
        """False when the refund would give back more than was paid; a repeated request number
        is done once."""
        with self._lock:
            if request_no in trade.refunds:
                return trade.refunds[request_no] == amount
            if trade.state != "success" or trade.refunded + amount > trade.amount:
                return False
            trade.refunds[request_no] = amount
            trade.refunded += amount
            return True

    def trades(self) -> list[Trade]:
        with self._lock:
            return list(self._trades.values())

    def statement(self) -> list[dict[str, Any]]:
        """Every trade with what the merchant keeps of it (`kept`, fen)."""
        with self._lock:
            rows = []
            for trade in self._trades.values():
                row = asdict(trade)
                row["kept"] = trade.amount - trade.refunded if trade.state == "success" else 0
                rows.append(row)
            return rows
