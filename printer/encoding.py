"""Our own text encoding layer: python-escpos's magic encoder cannot be trusted with Chinese.

python-escpos 3.1 encodes a chunk with Han characters as GB18030 but never sends `FS &` (so a
printer outside Chinese mode prints mojibake) and turns punctuation-only chunks into `?`. Here
every character is placed explicitly:

- ASCII goes out as is, in single-byte mode;
- wide characters (Chinese, full-width punctuation) go inside `FS &` ... `FS .` in the printer's
  double-byte encoding (GBK first; four-byte GB18030 only for ideographs, and only when the
  printer is set to GB18030);
- other characters use code page 437, the table `ESC @` selects (it has ¥ and é).

When any character has no byte form, `encode` returns None and the caller draws the line as an
image instead; nothing is ever replaced by `?`.
"""

from __future__ import annotations

import unicodedata

from printer.settings import CjkEncoding
from printer.textwidth import char_width

FS_CHINESE_ON = b"\x1c&"
FS_CHINESE_OFF = b"\x1c."
SINGLE_BYTE_CODEPAGE = "cp437"


class TextEncoder:
    def __init__(self, cjk: CjkEncoding | None) -> None:
        self.cjk = cjk

    def encode(self, text: str) -> bytes | None:
        """Bytes for one line of text, or None if the printer's fonts cannot show all of it."""
        if text.isascii():
            return text.encode("ascii")
        out = bytearray()
        in_chinese = False
        for ch in text:
            wide = char_width(ch) == 2
            raw = self._wide(ch) if wide else self._narrow(ch)
            if raw is None:
                return None
            if wide != in_chinese:
                out += FS_CHINESE_ON if wide else FS_CHINESE_OFF
                in_chinese = wide
            out += raw
        if in_chinese:
            out += FS_CHINESE_OFF
        return bytes(out)

    def _wide(self, ch: str) -> bytes | None:
        if self.cjk is None:
            return None
        try:
            return ch.encode("gbk")
        except UnicodeEncodeError:
            pass
        # Four-byte GB18030 only for ideographs: printer fonts have those, not emoji.
        if self.cjk == "gb18030" and unicodedata.name(ch, "").startswith("CJK"):
            return ch.encode("gb18030")
        return None

    @staticmethod
    def _narrow(ch: str) -> bytes | None:
        try:
            return ch.encode("ascii" if ch.isascii() else SINGLE_BYTE_CODEPAGE)
        except UnicodeEncodeError:
            return None
