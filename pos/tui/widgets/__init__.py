"""Reusable widgets of the counter TUI, and the dialogs several screens or the app open."""

from pos.tui.widgets.cash_dialog import CashDialog, CashMove
from pos.tui.widgets.confirm_dialog import ConfirmDialog
from pos.tui.widgets.discount_dialog import DiscountDialog
from pos.tui.widgets.fields import Field
from pos.tui.widgets.key_bar import KeyBar
from pos.tui.widgets.refund_dialog import Refund, RefundDialog, give_back
from pos.tui.widgets.seat_legend import SeatLegend
from pos.tui.widgets.seat_map import SeatMap
from pos.tui.widgets.status_bar import StatusBar
from pos.tui.widgets.supervisor_dialog import SupervisorDialog
from pos.tui.widgets.table import Table
from pos.tui.widgets.words import Words

__all__ = [
    "CashDialog",
    "CashMove",
    "ConfirmDialog",
    "DiscountDialog",
    "Field",
    "KeyBar",
    "Refund",
    "RefundDialog",
    "SeatLegend",
    "SeatMap",
    "StatusBar",
    "SupervisorDialog",
    "Table",
    "Words",
    "give_back",
]
