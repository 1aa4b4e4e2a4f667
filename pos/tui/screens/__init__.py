"""The counter's screens, one per file. `shift.ShiftScreen` is left out on purpose: it brings
the printer stack with it, which must stay off the cold-start path (imported where opened)."""

from pos.tui.screens.help import HelpScreen
from pos.tui.screens.login import LoginScreen
from pos.tui.screens.payment import PaymentScreen
from pos.tui.screens.pickup import PickupScreen
from pos.tui.screens.result import ResultScreen
from pos.tui.screens.sales import SalesScreen
from pos.tui.screens.schedule import ScheduleScreen
from pos.tui.screens.seats import SeatsScreen
from pos.tui.screens.supervisor import SupervisorScreen
from pos.tui.screens.tickets import TicketsScreen

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
