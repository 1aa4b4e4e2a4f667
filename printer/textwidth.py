"""Column arithmetic for a fixed-pitch printer: a Chinese character takes two columns.

Font A prints 12-dot half-width cells and 24-dot full-width cells, so everything that pads,
centres or wraps text counts East Asian Wide/Fullwidth characters as two columns.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Align = Literal["left", "center", "right"]


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def clean(text: str) -> str:
    """Control characters become spaces: a film title must never smuggle an ESC/POS command."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text)


def pad(text: str, columns: int, align: Align = "left") -> str:
    gap = max(columns - width(text), 0)
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def wrap(text: str, columns: int) -> list[str]:
    """Break at spaces where possible, anywhere inside a word too long for a line (and in CJK)."""
    lines: list[str] = []
    line = ""
    for word in _words(text):
        candidate = word if not line else line + word
        if width(candidate.rstrip()) <= columns:
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = ""
        for ch in word.lstrip() if lines else word:
            if width(line + ch) > columns:
                lines.append(line.rstrip())
                line = ""
            line += ch
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def pair(label: str, value: str, columns: int) -> list[str]:
    """`label ........ value` on one line, or the value right-aligned below a wrapped label."""
    if width(label) + 1 + width(value) <= columns:
        return [label + " " * (columns - width(label) - width(value)) + value]
    return wrap(label, columns) + [pad(v, columns, "right") for v in wrap(value, columns)]


def _words(text: str) -> list[str]:
    """Words keep their leading space; each wide character is a word of its own."""
    words: list[str] = []
    current = ""
    for ch in text:
        if ch == " " or char_width(ch) == 2:
            if current:
                words.append(current)
            current = ch
            if char_width(ch) == 2:
                words.append(current)
                current = ""
        else:
            current += ch
    if current:
        words.append(current)
    return words
