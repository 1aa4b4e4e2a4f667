"""Paper blocks to ESC/POS bytes, through python-escpos's Dummy printer.

Text goes through our own encoder (`printer.encoding`) and `_raw`; styles, native QR codes,
images and cuts use python-escpos. A line the printer's fonts cannot show is drawn with a CJK font
and sent through python-escpos's `image()` as a `GS v 0` raster image; if no font is at hand,
rendering fails loudly before any byte is sent.
"""

from __future__ import annotations

from escpos.capabilities import Profile, get_profile_class
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from printer.compose import compose
from printer.encoding import FS_CHINESE_OFF, TextEncoder
from printer.errors import UnprintableTextError
from printer.fonts import find_cjk_font, line_image
from printer.layout import Layout
from printer.paper import QR, Block, Cut, DrawerKick, Feed, Text
from printer.settings import PrintSettings

DPI = 203
"""Thermal receipt printers print 203 dots an inch, 8 a millimetre."""


def render_layout(layout: Layout, settings: PrintSettings) -> bytes:
    """The bytes of one job: a whole ticket, receipt or report, ending with a cut."""
    return render(compose(layout, settings), settings)


def render(blocks: list[Block], settings: PrintSettings) -> bytes:
    return _Renderer(settings).run(blocks)


class _Renderer:
    def __init__(self, settings: PrintSettings) -> None:
        self.settings = settings
        self.encoder = TextEncoder(settings.cjk)
        self.out = Dummy(profile=paper_profile(settings.dots))
        self.bold = False
        self.big = False

    def run(self, blocks: list[Block]) -> bytes:
        self.out.hw("INIT")
        if self.settings.cjk:
            # Many Chinese printers power up in Chinese mode; start from single-byte mode.
            self.out._raw(FS_CHINESE_OFF)
        for block in blocks:
            if isinstance(block, Text):
                self._text(block)
            elif isinstance(block, QR):
                self.out.set(align="center")
                self.out.qr(block.data, ec=QR_ECLEVEL_M, size=self.settings.qr_module, native=True)
                self.out.set(align="left")
            elif isinstance(block, Feed):
                self.out.print_and_feed(block.lines)
            elif isinstance(block, Cut):
                self._style(bold=False, big=False)
                self.out.cut(mode="PART", feed=False)
            elif isinstance(block, DrawerKick):
                self.out.cashdraw(block.pin)
        return self.out.output

    def _text(self, block: Text) -> None:
        line = block.text.rstrip()
        raw = self.encoder.encode(line)
        if raw is None:
            self._style(bold=False, big=False)
            self._image_line(block)
            return
        self._style(bold=block.bold, big=block.big)
        self.out._raw(raw + b"\n")

    def _style(self, bold: bool, big: bool) -> None:
        """Send style commands only on change, keeping tickets small on slow serial links."""
        if bold != self.bold:
            self.out.set(bold=bold)
            self.bold = bold
        if big != self.big:
            scale = 2 if big else 1
            self.out.set(custom_size=True, width=scale, height=scale)
            self.big = big

    def _image_line(self, block: Text) -> None:
        try:
            font = find_cjk_font(self.settings.font_path)
        except UnprintableTextError as exc:
            raise type(exc)(f"Cannot print {block.text.strip()!r}: {exc.message}") from exc
        image = line_image(block.text, self.settings.dots, font, big=block.big, bold=block.bold)
        self.out.image(image, impl="bitImageRaster")


def paper_profile(dots: int) -> Profile:
    """python-escpos's default profile, told the paper's printable width: `image()` checks every
    image against it (and, while the width is unknown, says so on stdout for each image)."""
    default = get_profile_class("default").profile_data
    profile = Profile(features=dict(default["features"]))
    profile.profile_data = {
        **default,
        "media": {"dpi": DPI, "width": {"mm": round(dots * 25.4 / DPI), "pixels": dots}},
    }
    return profile
