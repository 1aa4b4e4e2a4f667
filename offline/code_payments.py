"""Payment codes (Alipay, WeChat Pay) as the store keeps them: one row per merchant order number.

    charging → paid → captured                  (the sale took the money, tickets exist)
    charging → declined                         (the provider said no: nothing was taken)
    charging/paid → reversing → reversed        (cancelled, reversed or refunded in full)

The row is written before the first request leaves, in the transaction that writes the sale
draft, so every order number the provider may have seen is known here; `unsettled()` lists what
a crash or a lost answer left open. `capture()` runs inside the transaction that records the
sale, so "paid with tickets" is one commit. Refunds of single tickets are `code_refunds` rows,
each with its own request number, made before the provider is asked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from offline import journal
from offline.errors import NotFound
from offline.sales import Sale
from offline.store import Store
from offline.values import fen

Provider = Literal["alipay", "wechat"]
PROVIDERS: tuple[Provider, ...] = ("alipay", "wechat")
CodeState = Literal["charging", "paid", "captured", "reversing", "reversed", "declined"]
_COLUMNS = (
    "out_trade_no, provider, amount, sale_id, state, trade_no, refunded, last_error,"
    " created_at, updated_at"
)
_MOVES: dict[str, frozenset[str]] = {
    "charging": frozenset({"paid", "declined", "reversing"}),
    "paid": frozenset({"captured", "reversing"}),
    "captured": frozenset(),
    "reversing": frozenset({"reversed"}),
    "reversed": frozenset(),
    "declined": frozenset(),
}


@dataclass(frozen=True, slots=True)
class CodePayment:
    out_trade_no: str
    provider: str
    amount: int
    sale_id: str
    state: str
    trade_no: str | None
    refunded: int
    last_error: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class CodeRefund:
    out_request_no: str
    out_trade_no: str
    amount: int
    state: str


def _row(row: tuple[Any, ...]) -> CodePayment:
    return CodePayment(*row)


def get(store: Store, out_trade_no: str) -> CodePayment:
    row = store.db.execute(
        f"SELECT {_COLUMNS} FROM code_payments WHERE out_trade_no = ?", [out_trade_no]
    ).fetchone()
    if row is None:
        raise NotFound(f"code payment {out_trade_no} is not in this terminal's store")
    return _row(row)


def listed(store: Store, *, states: tuple[str, ...] | None = None) -> list[CodePayment]:
    """Code payments, oldest first; only those in `states` when given."""
    where, params = "", []
    if states:
        where = f" WHERE state IN ({', '.join('?' * len(states))})"
        params = list(states)
    rows = store.db.execute(
        f"SELECT {_COLUMNS} FROM code_payments{where} ORDER BY created_at, out_trade_no", params
    ).fetchall()
    return [_row(r) for r in rows]


def unsettled(store: Store) -> list[CodePayment]:
    """What a crash or a lost answer left open: the next start queries and settles these."""
    return listed(store, states=("charging", "paid", "reversing"))


def open_charge(
    store: Store, out_trade_no: str, provider: Provider, amount: int, sale_id: str
) -> CodePayment:
    """Record the order number before the first try (call inside the draft's transaction)."""
    if provider not in PROVIDERS:
        raise ValueError(f"provider must be one of {PROVIDERS}, not {provider!r}")
    fen(amount, "code payment")
    now = store.now_iso()
    store.db.execute(
        f"INSERT INTO code_payments ({_COLUMNS}) VALUES (?, ?, ?, ?, 'charging', NULL, 0, NULL,"
        " ?, ?)",
        [out_trade_no, provider, amount, sale_id, now, now],
    )
    return get(store, out_trade_no)


def move(
    store: Store,
    out_trade_no: str,
    to_state: CodeState,
    *,
    trade_no: str | None = None,
    error: str | None = None,
) -> CodePayment:
    """One step of the state machine above; an illegal step raises ValueError."""
    with store.atomic():
        current = get(store, out_trade_no)
        if to_state == current.state:
            return current
        if to_state not in _MOVES[current.state]:
            raise ValueError(f"code payment {out_trade_no}: {current.state} → {to_state}")
        store.db.execute(
            "UPDATE code_payments SET state = ?, trade_no = coalesce(?, trade_no),"
            " last_error = ?, updated_at = ? WHERE out_trade_no = ?",
            [to_state, trade_no, error, store.now_iso(), out_trade_no],
        )
        if to_state in ("reversed", "declined"):
            journal.append(
                store,
                f"code_{to_state}",
                sale_id=current.sale_id,
                payload={"out_trade_no": out_trade_no, "provider": current.provider},
            )
    return get(store, out_trade_no)


def note(store: Store, out_trade_no: str, error: str) -> None:
    """Why the provider has not settled this charge yet (kept for IT; the state stays)."""
    store.db.execute(
        "UPDATE code_payments SET last_error = ?, updated_at = ? WHERE out_trade_no = ?",
        [error, store.now_iso(), out_trade_no],
    )


def capture(store: Store, out_trade_no: str, sale_id: str) -> bool:
    """The sale recorded with this payment: paid → captured, pointing at that sale (an online
    draft that failed over to the lease is another sale row). Call inside the sale's
    transaction. False when the row was not waiting to be captured (already captured)."""
    cursor = store.db.execute(
        "UPDATE code_payments SET state = 'captured', sale_id = ?, updated_at = ?"
        " WHERE out_trade_no = ? AND state = 'paid'",
        [sale_id, store.now_iso(), out_trade_no],
    )
    return cursor.rowcount == 1


def capture_sale(store: Store, sale: Sale) -> None:
    """Capture every payment-code charge the sale's payments name (by merchant order number)."""
    for payment in sale.payments:
        if payment.method in PROVIDERS and payment.reference:
            capture(store, payment.reference, sale.id)


def for_sale(store: Store, sale_id: str) -> CodePayment | None:
    """The captured code payment of a sale, if it was paid by payment code."""
    row = store.db.execute(
        f"SELECT {_COLUMNS} FROM code_payments WHERE sale_id = ? AND state = 'captured'",
        [sale_id],
    ).fetchone()
    return _row(row) if row else None


def trades_of(store: Store, sale_ids: list[str]) -> list[dict[str, Any]]:
    """The captured charges of these sales (a Z report's), with the providers' trade numbers
    and what went back through the provider, in order."""
    wanted = set(sale_ids)
    rows = store.db.execute(
        "SELECT c.provider, c.out_trade_no, c.trade_no, s.idempotency_key, c.amount,"
        " coalesce((SELECT sum(r.amount) FROM code_refunds r WHERE r.out_trade_no ="
        " c.out_trade_no AND r.state = 'done'), 0), c.sale_id"
        " FROM code_payments c JOIN sales s ON s.id = c.sale_id WHERE c.state = 'captured'"
        " ORDER BY c.created_at"
    ).fetchall()
    keys = ("provider", "out_trade_no", "trade_no", "sale_key", "amount", "refunded")
    return [dict(zip(keys, row[:6], strict=True)) for row in rows if row[6] in wanted]


def open_refund(store: Store, out_request_no: str, out_trade_no: str, amount: int) -> CodeRefund:
    """Money going back to the customer's wallet, recorded before the provider is asked (call
    inside the transaction that marks the tickets refunded)."""
    fen(amount, "code refund")
    now = store.now_iso()
    with store.atomic():
        store.db.execute(
            "UPDATE code_payments SET refunded = refunded + ?, updated_at = ?"
            " WHERE out_trade_no = ?",
            [amount, now, out_trade_no],
        )
        store.db.execute(
            "INSERT INTO code_refunds (out_request_no, out_trade_no, amount, state, created_at,"
            " updated_at) VALUES (?, ?, ?, 'pending', ?, ?)",
            [out_request_no, out_trade_no, amount, now, now],
        )
    return CodeRefund(out_request_no, out_trade_no, amount, "pending")


def owed(store: Store) -> int:
    """Charges being reversed and refunds the provider has not confirmed: money a customer is
    still owed through a provider (retried until it answers)."""
    row = store.db.execute(
        "SELECT (SELECT count(*) FROM code_payments WHERE state = 'reversing'),"
        " (SELECT count(*) FROM code_refunds WHERE state = 'pending')"
    ).fetchone()
    return int(row[0]) + int(row[1])


def pending_refunds(store: Store) -> list[CodeRefund]:
    rows = store.db.execute(
        "SELECT out_request_no, out_trade_no, amount, state FROM code_refunds"
        " WHERE state = 'pending' ORDER BY created_at"
    ).fetchall()
    return [CodeRefund(*r) for r in rows]


def refunds(store: Store) -> list[CodeRefund]:
    rows = store.db.execute(
        "SELECT out_request_no, out_trade_no, amount, state FROM code_refunds ORDER BY created_at"
    ).fetchall()
    return [CodeRefund(*r) for r in rows]


def refund_done(store: Store, out_request_no: str, error: str | None = None) -> None:
    """The provider confirmed the refund (or, with `error`, only note why it is still due)."""
    if error is not None:
        store.db.execute(
            "UPDATE code_refunds SET last_error = ?, updated_at = ? WHERE out_request_no = ?",
            [error, store.now_iso(), out_request_no],
        )
        return
    store.db.execute(
        "UPDATE code_refunds SET state = 'done', last_error = NULL, updated_at = ?"
        " WHERE out_request_no = ?",
        [store.now_iso(), out_request_no],
    )
