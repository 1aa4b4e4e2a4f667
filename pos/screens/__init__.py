"""The counter's screens, one per file. `shift.ShiftScreen` is left out on purpose: it brings
the printer stack with it, which must stay off the cold-start path (imported where opened)."""

from pos.screens.help import HelpScreen
from pos.screens.login import LoginScreen
from pos.screens.payment import PaymentScreen
from pos.screens.pickup import PickupScreen
from pos.screens.result import ResultScreen
from pos.screens.sales import SalesScreen
from pos.screens.schedule import ScheduleScreen
from pos.screens.seats import SeatsScreen
from pos.screens.supervisor import SupervisorScreen
from pos.screens.tickets import TicketsScreen

__all__ = [
    "HelpScreen",
    "LoginScreen",
    "PaymentScreen",
    "PickupScreen",
    "ResultScreen",
    "SalesScreen",
    "ScheduleScreen",
    "SeatsScreen",
    "SupervisorScreen",
    "TicketsScreen",
]
