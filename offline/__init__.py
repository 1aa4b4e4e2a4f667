"""The terminal's local durable store (SQLite, via sqlite-utils), usable with no network.

One job per module: `store` (open, check, migrate, transactions), `schema` (numbered steps),
`cache` (what the central last said), `leases` (seats leased for offline sale), `outbox`
(operations still to send), `journal` (hash-chained money and seat events), `sales` (the sale
state machine). Business decisions (when to go offline, which seats to lease) belong to the
caller; this package never imports textual, `pos` or `central`.
"""
