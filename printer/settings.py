"""How paper and text are set up on one terminal's printer: width, language, Chinese support."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from printer.strings import LANGS, Lang

CjkEncoding = Literal["gb18030", "gbk"]

COLUMNS = {58: 32, 80: 48}
"""Characters per line at font A (12 dots a column) for each paper width."""

DOTS_PER_COLUMN = 12
LINE_DOTS = 24
"""Font A is 12x24 dots; a Chinese character takes two columns (24x24)."""


@dataclass(frozen=True, slots=True)
class PrintSettings:
    """What the layout and the encoder need to know about the paper and the printer's fonts.

    `cjk` names the double-byte encoding the printer's Chinese mode accepts (`FS &`), or None
    when its profile has no Chinese font: then Chinese text is sent as a raster image drawn
    with `font_path` (or a font found by `printer.fonts`).
    """

    paper_mm: int = 80
    lang: Lang = "en"
    cjk: CjkEncoding | None = "gb18030"
    font_path: str | None = None

    def __post_init__(self) -> None:
        if self.paper_mm not in COLUMNS:
            raise ValueError(f"paper width must be one of {sorted(COLUMNS)} mm")
        if self.lang not in LANGS:
            raise ValueError(f"language must be one of {LANGS}")
        if self.cjk not in (None, "gb18030", "gbk"):
            raise ValueError("cjk must be 'gb18030', 'gbk' or None")

    @property
    def columns(self) -> int:
        return COLUMNS[self.paper_mm]

    @property
    def dots(self) -> int:
        """Printable width in dots, the width of every raster image we send."""
        return self.columns * DOTS_PER_COLUMN

    @property
    def qr_module(self) -> int:
        """QR module size in dots: a ~250-character code still fits a 58 mm roll."""
        return 5 if self.paper_mm == 58 else 6
