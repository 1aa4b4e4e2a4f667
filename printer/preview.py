"""What the paper will say and look like, without a printer.

Both previews read the same paper blocks the ESC/POS renderer prints, and the PNG draws text
with the same code that rasterises Chinese for printers without Chinese fonts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw

from printer.compose import compose
from printer.fonts import draw_line, find_cjk_font
from printer.layout import Layout
from printer.paper import QR, Block, Cut, DrawerKick, Feed, Text
from printer.settings import DOTS_PER_COLUMN, LINE_DOTS, PrintSettings
from printer.textwidth import pad

LINE_PITCH = 30
"""Dots from one text line to the next at the printer's default line spacing."""
MARGIN = 16


def text_preview(layouts: Layout | Iterable[Layout], settings: PrintSettings) -> list[str]:
    """The paper as text lines; a QR code shows as `[QR <start of code>]`, a cut as `~~~`."""
    columns = settings.columns
    lines: list[str] = []
    for block in _blocks(layouts, settings):
        if isinstance(block, Text):
            shown = pad(block.text.strip(), columns, "center") if block.big else block.text
            lines.append(shown.rstrip())
        elif isinstance(block, QR):
            lines.append(pad(f"[QR {_shorten(block.data, columns - 5)}]", columns, "center"))
        elif isinstance(block, Feed):
            lines += [""] * block.lines
        elif isinstance(block, Cut):
            lines.append("~" * columns)
    return lines


def png_preview(layouts: Layout | Iterable[Layout], settings: PrintSettings) -> Image.Image:
    """The paper at one pixel per printer dot (203 dpi), white roll with dashed cut lines."""
    font = find_cjk_font(settings.font_path)
    blocks = _blocks(layouts, settings)
    qr_images = {id(b): _qr_image(b.data, settings.qr_module) for b in blocks if isinstance(b, QR)}
    height = MARGIN * 2 + sum(_height(b, qr_images) for b in blocks)
    paper = Image.new("L", (settings.dots + MARGIN * 2, height), 255)
    draw = ImageDraw.Draw(paper)
    y = MARGIN
    for block in blocks:
        if isinstance(block, Text):
            cell = DOTS_PER_COLUMN * (2 if block.big else 1)
            draw_line(draw, block.text, (MARGIN, y), font, cell, block.bold)
        elif isinstance(block, QR):
            image = qr_images[id(block)]
            paper.paste(image, (MARGIN + (settings.dots - image.width) // 2, y))
        elif isinstance(block, Cut):
            middle = y + LINE_PITCH // 2
            for x in range(0, paper.width, 12):
                draw.line((x, middle, x + 6, middle), fill=128, width=2)
        y += _height(block, qr_images)
    return paper


def save_png(layouts: Layout | Iterable[Layout], settings: PrintSettings, path: Path) -> None:
    png_preview(layouts, settings).save(path, format="PNG")


def _blocks(layouts: Layout | Iterable[Layout], settings: PrintSettings) -> list[Block]:
    if not isinstance(layouts, Iterable):
        layouts = [layouts]
    return [block for layout in layouts for block in compose(layout, settings)]


def _height(block: Block, qr_images: dict[int, Image.Image]) -> int:
    if isinstance(block, Text):
        return LINE_PITCH + (LINE_DOTS if block.big else 0)
    if isinstance(block, QR):
        return qr_images[id(block)].height
    if isinstance(block, Feed):
        return LINE_PITCH * block.lines
    if isinstance(block, DrawerKick):  # opens the drawer, prints nothing
        return 0
    return LINE_PITCH


def _qr_image(data: str, module: int) -> Image.Image:
    """Drawn the way the printer does it: error correction M, `module` dots per module."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
