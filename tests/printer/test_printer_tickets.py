"""Tickets printed to a fake network printer, read back from the bytes it received."""

from __future__ import annotations

import pytest
from escpos_decoder import decode
from fake_printer import FakePrinter
from printer_helpers import KEY_ID, make_ticket

from contract.ticket_code import Ed25519PrivateKey, Verdict, b64d, check_ticket_code
from printer.device import Printer
from printer.errors import CjkFontMissingError, PrinterConnectionError
from printer.preview import text_preview
from printer.render import render_layout
from printer.settings import PrintSettings
from printer.status import PrinterState

EXPECTED_80MM_EN = [
    "Peace Cinema",
    "** OFFLINE **",
    "-" * 48,
    "Dune: Part Two",
    "-" * 48,
    "Auditorium" + " " * 37 + "3",
    "Seat" + " " * 31 + "Row H, Seat 7",
    "Date" + " " * 34 + "2026-06-13",
    "Starts" + " " * 37 + "19:45",
    "Ticket type" + " " * 32 + "Adult",
    "Price" + " " * 37 + "¥60.00",
    "",
    "Ticket T-000001",
    "",
    "",
    "",
]


def test_ticket_on_the_wire_decodes_to_the_expected_lines(
    fake: FakePrinter, signing_key: Ed25519PrivateKey
) -> None:
    ticket = make_ticket(signing_key, offline=True)
    printer = Printer(fake.url)

    after = printer.print_layout(ticket)

    assert after.state is PrinterState.ONLINE
    paper = fake.decoded()
    assert [line.strip() for line in paper.lines] == EXPECTED_80MM_EN
    assert paper.lines[0] == " " * 18 + "Peace Cinema"  # centred by padding, not ESC a
    assert paper.cuts == 1
    assert paper.qr == [ticket.code]
    assert paper.status_queries[:2] == [1, 4]
    assert "?" not in paper.text


def test_qr_payload_is_the_signed_code_and_any_flipped_byte_fails(
    signing_key: Ed25519PrivateKey,
) -> None:
    ticket = make_ticket(signing_key)
    payload = decode(render_layout(ticket, PrintSettings()))
    (code,) = payload.qr
    keys = {KEY_ID: signing_key.public_key()}

    check = check_ticket_code(code, keys)
    assert check.verdict is Verdict.VALID
    assert check.claim is not None and check.claim.ticket_id == ticket.ticket_id

    raw = code.encode()
    for i in range(len(raw)):
        flipped = raw[:i] + bytes([raw[i] ^ 0x01]) + raw[i + 1 :]
        text = flipped.decode("utf-8", errors="replace")
        if check_ticket_code(text, keys).verdict is Verdict.VALID:
            # Only the unused low bits of a base64 group's last character: same signed bytes.
            assert _signed_bytes(text) == _signed_bytes(code), i


def _signed_bytes(code: str) -> list[bytes]:
    return [b64d(part) for part in code.split(".")[1:]]


def test_text_preview_says_what_the_bytes_say(signing_key: Ed25519PrivateKey) -> None:
    for settings in (PrintSettings(paper_mm=58), PrintSettings(lang="zh")):
        ticket = make_ticket(signing_key, title="流浪地球 2：带你看看中国的宇宙", reprint=True)
        printed = decode(render_layout(ticket, settings)).lines
        preview = [ln for ln in text_preview(ticket, settings) if not ln.strip().startswith("[QR")]
        assert [ln.strip() for ln in printed] == [ln.strip() for ln in preview[:-1]]
        assert preview[-1] == "~" * settings.columns


def test_chinese_title_is_gb18030_inside_chinese_mode_on_a_cjk_printer(
    signing_key: Ed25519PrivateKey,
) -> None:
    ticket = make_ticket(signing_key, title="流浪地球 2")
    data = render_layout(ticket, PrintSettings(cjk="gb18030", lang="zh"))
    paper = decode(data)

    assert "流浪地球".encode("gb18030") in b"".join(paper.chinese_bytes)
    assert b"\x1c&" + "流浪地球".encode("gb18030") + b"\x1c. 2" in data
    assert any(line.strip() == "流浪地球 2" for line in paper.lines)
    assert any(line.startswith("影厅") for line in paper.lines)
    assert paper.images == []
    assert b"?" not in data.replace(b"\x1d(k", b"")


def test_gbk_printer_gets_punctuation_in_chinese_mode_not_question_marks(
    signing_key: Ed25519PrivateKey,
) -> None:
    ticket = make_ticket(signing_key, title="《你好，李焕英》！")
    paper = decode(render_layout(ticket, PrintSettings(cjk="gbk")))
    assert any(line.strip() == "《你好，李焕英》！" for line in paper.lines)
    assert "?" not in paper.text


def test_chinese_title_is_an_image_on_a_printer_without_chinese_fonts(
    signing_key: Ed25519PrivateKey,
) -> None:
    ticket = make_ticket(signing_key, title="流浪地球 2")
    data = render_layout(ticket, PrintSettings(cjk=None, paper_mm=58))
    paper = decode(data)

    assert paper.chinese_bytes == []
    assert (384, 48) in paper.images  # the big title line, full paper width
    assert "[image 384x48]" in paper.lines
    assert "Peace Cinema" in paper.lines[0]
    assert "?" not in paper.text
    assert "流浪地球".encode("gb18030") not in data


def test_chinese_without_any_font_is_a_clear_error_not_mojibake(
    signing_key: Ed25519PrivateKey, tmp_path
) -> None:
    ticket = make_ticket(signing_key, title="流浪地球 2")
    settings = PrintSettings(cjk=None, font_path=str(tmp_path / "missing.ttc"))
    with pytest.raises(CjkFontMissingError, match="流浪地球 2") as caught:
        render_layout(ticket, settings)
    assert caught.value.code == "PRINTER_NO_CJK_FONT"
    # Latin-only tickets still print on that printer without any font.
    assert decode(render_layout(make_ticket(signing_key), settings)).images == []


def test_control_characters_in_a_title_cannot_inject_commands(
    signing_key: Ed25519PrivateKey,
) -> None:
    ticket = make_ticket(signing_key, title="Evil\x1d\x56\x00Film\n")
    paper = decode(render_layout(ticket, PrintSettings()))
    assert paper.cuts == 1
    assert any(line.strip() == "Evil V Film" for line in paper.lines)


@pytest.mark.parametrize(
    ("setup", "state", "code"),
    [
        ({"paper_out": True}, PrinterState.PAPER_OUT, "PRINTER_PAPER_OUT"),
        ({"cover_open": True}, PrinterState.COVER_OPEN, "PRINTER_COVER_OPEN"),
        ({"silent": True}, PrinterState.UNKNOWN, "PRINTER_NO_ANSWER"),
        ({}, PrinterState.ONLINE, "PRINTER_OK"),
    ],
)
def test_status_is_read_from_dle_eot_replies(
    fake: FakePrinter, setup: dict[str, bool], state: PrinterState, code: str
) -> None:
    for name, value in setup.items():
        setattr(fake, name, value)
    status = Printer(fake.url).status()
    assert (status.state, status.code) == (state, code)
    assert status.message("en") and status.message("zh")


def test_paper_low_still_prints_but_says_so(fake: FakePrinter) -> None:
    fake.paper_low = True
    status = Printer(fake.url).status()
    assert status.ok and status.paper_low
    assert "running low" in status.message()


def test_switched_off_printer_is_unreachable_not_an_exception(
    fake: FakePrinter, signing_key: Ed25519PrivateKey
) -> None:
    fake.power_off()
    printer = Printer(fake.url)
    status = printer.status()
    assert (status.state, status.code) == (PrinterState.OFFLINE, "PRINTER_UNREACHABLE")
    with pytest.raises(PrinterConnectionError):
        printer.print_layout(make_ticket(signing_key))
