"""Reusable widgets of the counter TUI, and the one dialog several screens open."""

from pos.tui.widgets.fields import Field
from pos.tui.widgets.key_bar import KeyBar
from pos.tui.widgets.seat_legend import SeatLegend
from pos.tui.widgets.seat_map import SeatMap
from pos.tui.widgets.status_bar import StatusBar
from pos.tui.widgets.supervisor_dialog import SupervisorDialog
from pos.tui.widgets.words import Words

__all__ = ["Field", "KeyBar", "SeatLegend", "SeatMap", "StatusBar", "SupervisorDialog", "Words"]
