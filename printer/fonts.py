"""Drawing text as dots, for printers without Chinese fonts and for the PNG preview.

The font comes, in this order, from the `font_path` setting, from the `noto-cjk-sans-otc` package
(a dependency: Noto Sans CJK, SIL OFL, installs from PyPI on any machine), or from the usual
system locations. Lines are drawn on the printer's own grid (12-dot cells, 24-dot cells for
wide characters, 24 dots high) so an image line lines up with text lines around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from printer.errors import CjkFontMissingError, UnprintableTextError
from printer.settings import DOTS_PER_COLUMN, LINE_DOTS
from printer.textwidth import char_width

SYSTEM_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)

GLYPH_SCALE = 0.9
"""Glyph size relative to the cell height, leaving a little air between lines."""


@dataclass(frozen=True, slots=True)
class FontChoice:
    path: str
    index: int
    """Face inside a .ttc collection: the Simplified Chinese one when the collection has it."""


@lru_cache(maxsize=8)
def find_cjk_font(explicit: str | None = None) -> FontChoice:
    """The font to draw Chinese with; raises CjkFontMissingError saying where it looked."""
    if explicit:
        if not Path(explicit).is_file():
            raise CjkFontMissingError(
                f"The configured CJK font {explicit} does not exist. Fix the font_path setting."
            )
        return FontChoice(explicit, _simplified_chinese_face(explicit))
    candidates = [*_packaged_fonts(), *SYSTEM_FONT_PATHS]
    for path in candidates:
        if Path(path).is_file():
            return FontChoice(path, _simplified_chinese_face(path))
    raise CjkFontMissingError(
        "No Chinese font found to print Chinese text as an image. Install the "
        "'noto-cjk-sans-otc' package, or set font_path. Looked in: " + ", ".join(candidates)
    )


def line_image(text: str, dots: int, font: FontChoice, big: bool = False, bold: bool = False):
    """One printed line as a 1-bit image `dots` wide, each character centred in its cell."""
    scale = 2 if big else 1
    cell, height = DOTS_PER_COLUMN * scale, LINE_DOTS * scale
    image = Image.new("1", (dots, height), 1)
    draw_line(ImageDraw.Draw(image), text, (0, 0), font, cell, bold)
    return image


def draw_line(
    draw: ImageDraw.ImageDraw,
    text: str,
    origin: tuple[int, int],
    font: FontChoice,
    cell: int,
    bold: bool = False,
) -> None:
    """Draw `text` on a fixed grid; refuses characters the font has no glyph for."""
    face = _face(font, round(cell * 2 * GLYPH_SCALE))
    x, y = origin
    for ch in text:
        span = cell * char_width(ch)
        if not ch.isspace():
            _require_glyph(font, ch)
            draw.text(
                (x + span / 2, y + cell),
                ch,
                font=face,
                fill=0,
                anchor="mm",
                stroke_width=1 if bold else 0,
                stroke_fill=0,
            )
        x += span


def _packaged_fonts() -> list[str]:
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return []
    return [str(noto_cjk_sans_otc.FONT_PATH)]


def _simplified_chinese_face(path: str) -> int:
    """Collections such as Noto Sans CJK hold JP, KR, SC, TC faces; Chinese wants SC."""
    if not path.lower().endswith(".ttc"):
        return 0
    index = 0
    while True:
        try:
            family, _style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            return 0
        if family and family.endswith(" SC"):
            return index
        index += 1


@lru_cache(maxsize=16)
def _face(font: FontChoice, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font.path, size, index=font.index)


def _glyph_dots(font: FontChoice, ch: str) -> bytes:
    image = Image.new("L", (32, 32), 0)
    ImageDraw.Draw(image).text((0, 0), ch, font=_face(font, 24), fill=255)
    return image.tobytes()


@lru_cache(maxsize=4096)
def _require_glyph(font: FontChoice, ch: str) -> None:
    """A missing glyph draws as the font's blank box: as silent as a `?`, so refuse it."""
    if ch.isascii():
        return
    if _glyph_dots(font, ch) == _glyph_dots(font, "\U0010fffd"):
        raise UnprintableTextError(
            f"The font {Path(font.path).name} has no glyph for {ch!r} (U+{ord(ch):04X})."
        )
