"""The counter's screens, one per file. Screens never import one another: each says what
happened with a message, and the app (pos/tui/app.py) decides which screen follows."""

from pos.tui.screens.help import HelpScreen
from pos.tui.screens.login import LoginScreen
from pos.tui.screens.payment import PaymentScreen
from pos.tui.screens.pickup import PickupScreen
from pos.tui.screens.result import ResultScreen
from pos.tui.screens.sales import SalesScreen
from pos.tui.screens.schedule import ScheduleScreen
from pos.tui.screens.seats import SeatsScreen
from pos.tui.screens.shift import ShiftScreen
from pos.tui.screens.tickets import TicketsScreen
from pos.tui.screens.x_report import XReportScreen

__all__ = [
    "HelpScreen",
    "LoginScreen",
    "PaymentScreen",
    "PickupScreen",
    "ResultScreen",
    "SalesScreen",
    "ScheduleScreen",
    "SeatsScreen",
    "ShiftScreen",
    "TicketsScreen",
    "XReportScreen",
]
