"""The few errors a call to a central can end in; failover decides by their kind, the cashier
reads their message, IT searches their code. Shared by every adapter."""

from __future__ import annotations

from contract.errors import BoxOfficeError
from contract.models import ErrorBody


class CentralError(BoxOfficeError):
    """The central could not be used for this call. `maybe_done` says whether it might have
    acted anyway (the request left us): such a sale must be cancelled by its key later."""

    maybe_done = True


class Unreachable(CentralError):
    maybe_done = False


class CentralTimeout(CentralError):
    pass


class BadAnswer(CentralError):
    pass


class ServerFault(CentralError):
    pass


class Rejected(CentralError):
    """The central understood and said no (4xx); it did nothing."""

    maybe_done = False

    def __init__(self, status: int, body: ErrorBody):
        super().__init__(body.code, body.message, body.detail)
        self.status = status


class Conflict(Rejected):
    pass


class Unauthorized(Rejected):
    pass
