"""How a call to a payment provider can end besides an answer about the trade. The flow decides
by kind: `ProviderUnreachable` means the request never left (nothing can have been charged);
`ProviderUnknown` means it may have been acted on (query, then cancel); `ProviderRefused` means
the provider understood and did nothing (bad signature, bad merchant settings)."""

from __future__ import annotations

from contract.errors import BoxOfficeError


class PaymentError(BoxOfficeError):
    code = "PAYMENT_ERROR"
    maybe_done = True


class BadPaymentCode(PaymentError):
    maybe_done = False

    def __init__(self, message: str) -> None:
        super().__init__("BAD_PAYMENT_CODE", message)


class ProviderUnreachable(PaymentError):
    maybe_done = False


class ProviderUnknown(PaymentError):
    pass


class ProviderRefused(PaymentError):
    maybe_done = False
