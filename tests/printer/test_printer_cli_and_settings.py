"""`pos print preview`, the printer setting strings, and the word catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from contract import i18n
from contract.money import format_money
from pos.cli import main
from printer import strings
from printer.connection import ACCEPTED_FORMS, parse_setting
from printer.errors import PrinterSettingError


def test_pos_print_preview_demo_writes_text_and_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "f.png"
    assert main(["print", "preview", "--demo", "--png", str(png), "--width", "58"]) == 0

    out = capsys.readouterr().out
    assert "** OFFLINE **" in out and "Z report" in out and "¥60.00" in out
    assert max(len(line) for line in out.splitlines()) <= 32
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.width == 384 + 32  # 58 mm of dots plus the preview's margins
        assert image.height > 1000


def test_pos_print_preview_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["print", "preview", "--demo", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "流浪地球 2" in out and "** 离线 **" in out and "影厅" in out


@pytest.mark.parametrize(
    ("setting", "kind", "target", "port"),
    [
        ("tcp://10.0.0.5", "tcp", "10.0.0.5", 9100),
        ("tcp://printer.local:9101?timeout=0.5", "tcp", "printer.local", 9101),
        ("usb://04b8:0202", "usb", "", 0),
        ("usb://0x0416:0x5011?out_ep=0x03", "usb", "", 0),
        ("serial:///dev/ttyUSB0?baudrate=19200", "serial", "/dev/ttyUSB0", 0),
        ("cups://TM_T20", "cups", "TM_T20", 0),
        ("file:///dev/usb/lp0", "file", "/dev/usb/lp0", 9100),
        ("dummy:", "dummy", "", 9100),
    ],
)
def test_good_settings_parse(setting: str, kind: str, target: str, port: int) -> None:
    spec = parse_setting(setting)
    assert (spec.kind, spec.target, spec.port) == (kind, target, port)


def test_setting_details() -> None:
    assert (
        parse_setting("usb://04b8:0202").vendor_id,
        parse_setting("usb://04b8:0202").product_id,
    ) == (0x04B8, 0x0202)
    assert parse_setting("serial:///dev/ttyS0?baudrate=19200").options == {"baudrate": 19200}
    assert parse_setting("tcp://h").timeout == 2.0
    assert not parse_setting("tcp://h?status=off").reads_status
    assert not parse_setting("file:///dev/usb/lp0").reads_status


@pytest.mark.parametrize(
    "setting",
    [
        "",
        "lpt1",
        "tcp://",
        "tcp://h:99999",
        "tcp://h?foo=1",
        "usb://zz:01",
        "usb://04b8",
        "serial://dev",
        "file://relative",
        "cups://",
        "http://printer",
        "tcp://h?timeout=-1",
    ],
)
def test_bad_settings_give_one_clear_error(setting: str) -> None:
    with pytest.raises(PrinterSettingError) as caught:
        parse_setting(setting)
    assert ACCEPTED_FORMS in str(caught.value)
    assert caught.value.code == "PRINTER_SETTING"


def test_catalog_has_both_languages_for_every_paper_key() -> None:
    paper = {key for key in i18n.catalog("en") if key.startswith(strings.PREFIX)}
    assert paper and all(i18n.catalog(lang).get(key) for key in paper for lang in strings.LANGS)


def test_paper_words_come_from_the_shared_catalog() -> None:
    assert strings.text("row_seat", "zh", row=7, seat=12) == "7排12座"
    assert strings.text("auditorium", "en") == i18n.text("paper.auditorium", "en") == "Auditorium"
    assert strings.payment_label("WECHAT", "zh") == "微信支付"
    assert strings.payment_label("voucher", "zh") == "voucher"


@pytest.mark.parametrize(
    ("fen", "shown"),
    [(6000, "¥60.00"), (5, "¥0.05"), (-150, "-¥1.50"), (123456789, "¥1234567.89")],
)
def test_money_from_integer_fen(fen: int, shown: str) -> None:
    assert format_money(fen) == shown


def test_money_refuses_floats() -> None:
    with pytest.raises(TypeError):
        format_money(60.0)  # type: ignore[arg-type]
