"""The paper itself: a strip of fixed-width lines, QR codes, feeds and cuts.

`compose` turns a layout into these blocks once; the ESC/POS renderer and both previews read the
same blocks, so the preview cannot disagree with the bytes about what the paper says.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    """One printed line, already padded to the paper's width (half of it when `big`)."""

    text: str
    bold: bool = False
    big: bool = False
    """Double width and height: for the film title and marks a door attendant must not miss."""


@dataclass(frozen=True, slots=True)
class QR:
    data: str


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    pass


@dataclass(frozen=True, slots=True)
class DrawerKick:
    """Open the cash drawer wired to the printer's kick-out connector `pin` (2 or 5): ESC p.
    Nothing shows on the paper; a cash sale's receipt starts with it, so the drawer opens for
    the change while the receipt prints."""

    pin: int


Block = Text | QR | Feed | Cut | DrawerKick
