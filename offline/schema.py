"""The store's schema as an ordered list of numbered steps.

Steps run through `sqlite_utils.Migrations` under the set name "offline", so the print queue
(printer/) can keep its own migration set in the same file without the two numbering schemes
colliding. A step, once released, is never edited: change the schema by appending a step
(for example "0002_shifts"). Tables are STRICT, so a float can never slip into a money column.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database, Migrations

MIGRATION_SET = "offline"

_INITIAL = (
    # --- cache of what the central told us, for selling and checking while offline ---------
    """CREATE TABLE schedules (
        business_date TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        etag TEXT,
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE seat_maps (
        showtime_id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE bookings (
        code TEXT PRIMARY KEY,
        showtime_id TEXT NOT NULL,
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        picked_up_at TEXT,
        picked_up_by TEXT
    ) STRICT""",
    "CREATE INDEX bookings_showtime ON bookings (showtime_id)",
    """CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE public_keys (
        key_id TEXT PRIMARY KEY,
        public_key TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    ) STRICT""",
    # --- sales ------------------------------------------------------------------------------
    """CREATE TABLE sales (
        id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        showtime_id TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('online', 'offline')),
        state TEXT NOT NULL CHECK (state IN ('draft', 'held', 'paid', 'printed', 'synced',
                                             'voided', 'refunded', 'cancelled')),
        cashier_id TEXT NOT NULL,
        shift_id TEXT,
        hold_id TEXT,
        lease_id TEXT,
        central_sale_id TEXT,
        lines TEXT NOT NULL,
        total INTEGER NOT NULL CHECK (total >= 0),
        tendered INTEGER NOT NULL DEFAULT 0 CHECK (tendered >= 0),
        change INTEGER NOT NULL DEFAULT 0 CHECK (change >= 0),
        refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= total),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
    "CREATE INDEX sales_state ON sales (state)",
    "CREATE INDEX sales_created ON sales (created_at)",
    """CREATE TABLE sale_tickets (
        id TEXT PRIMARY KEY,
        sale_id TEXT NOT NULL REFERENCES sales (id),
        seat TEXT NOT NULL,
        ticket_type TEXT NOT NULL,
        price INTEGER NOT NULL CHECK (price >= 0),
        code TEXT NOT NULL,
        refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded IN (0, 1))
    ) STRICT""",
    "CREATE INDEX sale_tickets_sale ON sale_tickets (sale_id)",
    """CREATE TABLE sale_payments (
        id INTEGER PRIMARY KEY,
        sale_id TEXT NOT NULL REFERENCES sales (id),
        method TEXT NOT NULL CHECK (method IN ('cash', 'card')),
        amount INTEGER NOT NULL CHECK (amount >= 0),
        reference TEXT
    ) STRICT""",
    "CREATE INDEX sale_payments_sale ON sale_payments (sale_id)",
    # --- leases: seats the central set aside for this terminal's offline sales -------------
    """CREATE TABLE leases (
        id TEXT PRIMARY KEY,
        showtime_id TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
    "CREATE INDEX leases_showtime ON leases (showtime_id)",
    """CREATE TABLE lease_seats (
        showtime_id TEXT NOT NULL,
        seat TEXT NOT NULL,
        lease_id TEXT NOT NULL REFERENCES leases (id),
        state TEXT NOT NULL CHECK (state IN ('available', 'sold', 'released')),
        sale_id TEXT REFERENCES sales (id),
        updated_at TEXT NOT NULL,
        PRIMARY KEY (showtime_id, seat)
    ) STRICT""",
    "CREATE INDEX lease_seats_lease ON lease_seats (lease_id)",
    # --- outbox: operations the central must still hear about ------------------------------
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL CHECK (kind IN ('sale', 'cancel', 'refund', 'pickup', 'release',
                                           'report')),
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        result TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
    "CREATE INDEX outbox_ready ON outbox (state, next_attempt_at, id)",
    # --- journal: hash-chained record of every money or seat event -------------------------
    """CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        sale_id TEXT,
        amount INTEGER NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    ) STRICT""",
)

_SHIFTS = (
    # --- shifts: a cashier's drawer from float to blind count --------------------------------
    """CREATE TABLE shifts (
        id TEXT PRIMARY KEY,
        cashier_id TEXT NOT NULL,
        business_date TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
        float_total INTEGER NOT NULL CHECK (float_total >= 0),
        float_counts TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        counted INTEGER CHECK (counted >= 0),
        counts TEXT,
        expected INTEGER,
        variance INTEGER
    ) STRICT""",
    # One open shift per cashier at this terminal, enforced by the file itself.
    "CREATE UNIQUE INDEX shifts_one_open ON shifts (cashier_id) WHERE state = 'open'",
    """CREATE TABLE business_days (
        business_date TEXT PRIMARY KEY,
        closed_at TEXT NOT NULL,
        closed_by TEXT,
        override INTEGER NOT NULL CHECK (override IN (0, 1)),
        reason TEXT NOT NULL,
        open_shifts TEXT NOT NULL,
        outbox_items INTEGER NOT NULL
    ) STRICT""",
    # --- Z reports as closed and uploaded (the central's answer is the outbox item's result) -
    """CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('shift', 'day')),
        scope TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (kind, scope)
    ) STRICT""",
)

_PIN_LOCKOUTS = (
    # --- wrong PINs per staff id, kept here so the lock holds across the CLI and the TUI -----
    """CREATE TABLE pin_lockouts (
        staff_id TEXT PRIMARY KEY,
        failures INTEGER NOT NULL CHECK (failures >= 0),
        lockouts INTEGER NOT NULL CHECK (lockouts >= 0),
        locked_until TEXT
    ) STRICT""",
)

_REFUNDED_TICKETS = (
    # --- tickets refunded or voided anywhere, as the central last listed them: the door's list -
    """CREATE TABLE refunded_tickets (
        ticket_id TEXT PRIMARY KEY,
        business_date TEXT NOT NULL,
        fetched_at TEXT NOT NULL
    ) STRICT""",
)

_CODE_PAYMENTS = (
    # --- payment codes (Alipay, WeChat Pay): the merchant order number exists before the first
    # try, beside the sale draft it pays for; a crash resolves each row to captured or reversed.
    # sale_payments is rebuilt because its CHECK named only cash and card.
    """CREATE TABLE sale_payments_new (
        id INTEGER PRIMARY KEY,
        sale_id TEXT NOT NULL REFERENCES sales (id),
        method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'alipay', 'wechat')),
        amount INTEGER NOT NULL CHECK (amount >= 0),
        reference TEXT
    ) STRICT""",
    "INSERT INTO sale_payments_new SELECT id, sale_id, method, amount, reference"
    " FROM sale_payments",
    "DROP TABLE sale_payments",
    "ALTER TABLE sale_payments_new RENAME TO sale_payments",
    "CREATE INDEX sale_payments_sale ON sale_payments (sale_id)",
    """CREATE TABLE code_payments (
        out_trade_no TEXT PRIMARY KEY,
        provider TEXT NOT NULL CHECK (provider IN ('alipay', 'wechat')),
        amount INTEGER NOT NULL CHECK (amount > 0),
        sale_id TEXT NOT NULL REFERENCES sales (id),
        state TEXT NOT NULL CHECK (state IN ('charging', 'paid', 'captured', 'reversing',
                                             'reversed', 'declined')),
        trade_no TEXT,
        refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0 AND refunded <= amount),
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
    "CREATE INDEX code_payments_state ON code_payments (state)",
    """CREATE TABLE code_refunds (
        out_request_no TEXT PRIMARY KEY,
        out_trade_no TEXT NOT NULL REFERENCES code_payments (out_trade_no),
        amount INTEGER NOT NULL CHECK (amount > 0),
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
)

_HANDOVERS = (
    # --- seats handed between counters of the cinema while the central was away -------------
    # One row per handover, on both sides: `given` (the seats left this terminal's lease
    # `lease_id`) or `received` (they are this terminal's lease `id` now). The row is also the
    # handover's upload queue: it must reach the central before the receiver's sales of it.
    """CREATE TABLE handovers (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('given', 'received')),
        request_id TEXT NOT NULL,
        giver_id TEXT NOT NULL,
        receiver_id TEXT NOT NULL,
        showtime_id TEXT NOT NULL,
        lease_id TEXT NOT NULL,
        seats TEXT NOT NULL,
        document TEXT NOT NULL,
        upload TEXT NOT NULL CHECK (upload IN ('pending', 'done', 'failed')),
        result TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (receiver_id, request_id)
    ) STRICT""",
    "CREATE INDEX handovers_lease ON handovers (lease_id)",
    "CREATE INDEX handovers_upload ON handovers (upload, created_at)",
    # Asks this terminal sent to a peer, written before the first try: an ask whose answer
    # was lost is asked again under the same id, and the peer answers the same handover.
    """CREATE TABLE handover_asks (
        request_id TEXT PRIMARY KEY,
        peer_id TEXT NOT NULL,
        showtime_id TEXT NOT NULL,
        at_least INTEGER NOT NULL CHECK (at_least >= 1),
        wanted INTEGER NOT NULL CHECK (wanted >= at_least),
        state TEXT NOT NULL CHECK (state IN ('open', 'answered', 'refused')),
        handover_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
    "CREATE INDEX handover_asks_open ON handover_asks (state, peer_id)",
)

STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("0001_initial", _INITIAL),
    ("0002_shifts", _SHIFTS),
    ("0003_pin_lockouts", _PIN_LOCKOUTS),
    ("0004_refunded_tickets", _REFUNDED_TICKETS),
    ("0005_code_payments", _CODE_PAYMENTS),
    ("0006_handovers", _HANDOVERS),
)
"""(name, statements) in order; append here to extend the schema."""

SCHEMA_VERSION = len(STEPS)
STEP_NAMES = frozenset(name for name, _ in STEPS)


def _step(statements: tuple[str, ...]) -> Callable[[Database], None]:
    def run(db: Database) -> None:
        for statement in statements:
            db.execute(statement)

    return run


MIGRATIONS = Migrations(MIGRATION_SET)
for _name, _statements in STEPS:
    MIGRATIONS(name=_name)(_step(_statements))
