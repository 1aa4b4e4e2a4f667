"""The door check: is this ticket code genuine, unaltered, for this showtime, still valid?

Works with no network at all: the central's and every enrolled terminal's public keys are
cached at the counter, and refunds made here are known locally."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from contract.ticket_code import PREFIX, Verdict, check_ticket_code, public_key_from_text


class DoorVerdict(StrEnum):
    VALID = "valid"
    FORGED = "forged"
    ALTERED = "altered"
    WRONG_SHOWTIME = "wrong_showtime"
    REFUNDED = "refunded"


@dataclass(frozen=True, slots=True)
class DoorCheck:
    verdict: DoorVerdict
    reason: str
    ticket_id: str | None = None
    showtime_id: str | None = None
    seat: str | None = None
    starts_at: datetime | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict.value,
            "valid": self.verdict == DoorVerdict.VALID,
            "reason": self.reason,
            "ticket_id": self.ticket_id,
            "showtime_id": self.showtime_id,
            "seat": self.seat,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
        }


def check_at_door(
    code: str,
    public_keys: dict[str, str],
    *,
    showtime_id: str | None = None,
    refunded_ticket_ids: set[str] | frozenset[str] = frozenset(),
) -> DoorCheck:
    keys = {}
    for key_id, text in public_keys.items():
        try:
            keys[key_id] = public_key_from_text(text)
        except ValueError:
            continue  # a damaged cache entry must not stop the door
    check = check_ticket_code(code, keys)
    claim = check.claim
    if check.verdict == Verdict.MALFORMED:
        looks_ours = code.strip().startswith(PREFIX + ".")
        return DoorCheck(DoorVerdict.ALTERED if looks_ours else DoorVerdict.FORGED, check.reason)
    assert claim is not None
    where = {
        "ticket_id": claim.ticket_id,
        "showtime_id": claim.showtime_id,
        "seat": claim.seat,
        "starts_at": datetime.fromtimestamp(claim.starts_at, UTC),
    }
    if check.verdict == Verdict.UNKNOWN_KEY:
        return DoorCheck(DoorVerdict.FORGED, check.reason, **where)
    if check.verdict == Verdict.BAD_SIGNATURE:
        return DoorCheck(DoorVerdict.ALTERED, check.reason, **where)
    if showtime_id is not None and claim.showtime_id != showtime_id:
        return DoorCheck(
            DoorVerdict.WRONG_SHOWTIME, f"ticket is for showtime {claim.showtime_id}", **where
        )
    if claim.ticket_id in refunded_ticket_ids:
        return DoorCheck(DoorVerdict.REFUNDED, "ticket was refunded or voided", **where)
    return DoorCheck(DoorVerdict.VALID, "genuine ticket", **where)
