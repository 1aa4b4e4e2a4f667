"""Reusable widgets of the counter TUI."""

from pos.widgets.fields import Field
from pos.widgets.key_bar import KeyBar
from pos.widgets.seat_legend import SeatLegend
from pos.widgets.seat_map import SeatMap
from pos.widgets.status_bar import StatusBar
from pos.widgets.words import Words

__all__ = ["Field", "KeyBar", "SeatLegend", "SeatMap", "StatusBar", "Words"]
