"""End of day with payment codes: the Z report and its upload show code payments per provider
with the providers' trade numbers, and `pos gateway reconcile` matches them against the
providers' daily bills and the gateway's own statement — and says so when they differ.
Also: `pos gateway serve` as a process, and the terminal's secrets kept private."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from devtools.gateway.server import GatewayThread
from pos.counter.home import Home
from pos.counter.service import Counter
from pos.counter.zreport import reconciliation_request, report_id, to_csv, to_json
from tests.kit import args, pos, pos_json
from tests.payments.paykit import CODES, a_showtime, in_thread, sell_code


async def _shift_report(home: Home) -> dict:
    """c01's shift report (an X report while open) and its upload as the close would send it."""
    async with Counter(home) as counter:
        shift = counter.current_shift("c01")
        assert shift is not None
        report, _ = counter.shifts.shift_report(shift.id)
        upload = reconciliation_request(report_id("T01", report), report).model_dump(mode="json")
        return {"report": to_json(report), "upload": upload, "csv": to_csv(report)}


def test_z_report_and_reconciliation(home: Home, gateway: GatewayThread) -> None:
    st = a_showtime(home)
    price = st["prices"]["adult"]
    sold = {}
    for kind in ("alipay", "wechat"):
        sold[kind] = pos_json(
            *sell_code(home, st["id"], "auto:2", f"code={2 * price}:{CODES[kind]}")
        )
    pos_json(*sell_code(home, st["id"], "auto:1", "cash=1000.00"))
    ticket = sold["alipay"]["tickets"][0]["id"]
    pos_json(
        *args(home, "refund", sold["alipay"]["sale_id"], "--tickets", ticket),
        "--supervisor", "s01", "--pin", "9999",
    )  # fmt: skip
    shift = in_thread(_shift_report(home))
    report = shift["report"]
    assert report["by_payment"]["alipay"] == 2 * price
    assert report["by_payment"]["wechat"] == 2 * price
    assert report["given_back_by_payment"]["alipay"] == price
    statement = {t["out_trade_no"]: t for t in gateway.statement()}
    trades = {t["provider"]: t for t in report["code_trades"]}
    assert set(trades) == {"alipay", "wechat"}
    for kind, trade in trades.items():
        theirs = statement[trade["out_trade_no"]]
        assert (trade["trade_no"], trade["amount"]) == (theirs["trade_no"], theirs["amount"])
        assert trade["refunded"] == theirs["refunded"] == (price if kind == "alipay" else 0)
        kept = trade["amount"] - trade["refunded"]
        assert f"Payment codes,{kind} {trade['trade_no']},,{kept}" in shift["csv"]

    code, out, err = pos(*args(home, "gateway", "reconcile", "--url", gateway.url), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["kept"] == {"alipay": price, "wechat": 2 * price}
    assert answer["differences"] == []
    assert sorted(answer["trades"]["alipay"] + answer["trades"]["wechat"]) == sorted(
        t["trade_no"] for t in statement.values()
    )
    # the same from the providers' own daily bills (WeChat's downloadbill text, Alipay's CSV)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    code, out, err = pos(*args(home, "gateway", "reconcile", "--day", today), "--json")
    assert code == 0, err
    assert json.loads(out) == answer
    # a charge the provider has and this terminal never made is a difference, both ways
    mch_id = json.loads(home.config_path.read_text())["code_pay"]["wechat"]["mch_id"]
    gateway.gateway.ledger.open("wechat", "STRANGER0001", 500, "success", merchant=mch_id)
    for source in (["--url", gateway.url], ["--day", today]):
        code, out, _ = pos(*args(home, "gateway", "reconcile", *source))
        assert code == 1 and "STRANGER0001: ours 0, theirs 500" in out, source


def test_the_upload_carries_the_trade_numbers(home: Home, gateway: GatewayThread) -> None:
    st = a_showtime(home)
    pos_json(
        *sell_code(home, st["id"], "auto:1", f"code={st['prices']['adult']}:{CODES['wechat']}")
    )

    body = in_thread(_shift_report(home))["upload"]
    [trade] = body["code_trades"]
    assert trade["provider"] == "wechat" and trade["trade_no"].startswith("4200")
    assert body["by_payment"] == {"wechat": st["prices"]["adult"]}


def test_secrets_are_private_and_never_printed(home: Home, gateway: GatewayThread) -> None:
    config = json.loads(home.config_path.read_text())
    code_pay = config["code_pay"]
    for name in (code_pay["alipay"]["key_file"], code_pay["wechat"]["key_file"]):
        mode = stat.S_IMODE(os.stat(home.path / name).st_mode)
        assert mode == 0o600, oct(mode)
    secret = (home.path / code_pay["wechat"]["key_file"]).read_text().strip()
    assert secret not in home.config_path.read_text()
    st = a_showtime(home)
    for pay in (f"code={st['prices']['adult']}:{CODES['wechat']}", f"code=1:{CODES['wechat']}"):
        _, out, err = pos(*sell_code(home, st["id"], "auto:1", pay), "--json")
        assert secret not in out + err and "PRIVATE KEY" not in out + err
    assert [t["state"] for t in gateway.statement()] == ["success"]


def test_gateway_serve_join_and_sell_from_the_cli(tmp_path: Path, home: Home) -> None:
    """`pos gateway serve` in its own process, `pos gateway join`, then a code sale against it
    (the customer confirms at the first query: the served drill)."""
    ready = tmp_path / "ready.json"
    child = subprocess.Popen(
        [sys.executable, "-m", "pos.cli", "gateway", "serve", "--port", "0",
         "--ready-file", str(ready), "--drill", "user-paying"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            if ready.exists():
                break
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        assert info["drill"] == "user-paying"
        health = httpx.get(f"{info['url']}/dev/health", timeout=5).json()
        assert health == {"status": "ok", "drill": "user-paying"}
        code, out, err = pos(*args(home, "gateway", "join", "--url", info["url"], "--poll", "0.1"))
        assert code == 0 and "keys kept 0600" in out, err
        st = a_showtime(home)
        pay = f"code={st['prices']['adult']}:{CODES['wechat']}"
        code, out, err = pos(*sell_code(home, st["id"], "auto:1", pay), "--json")
        assert code == 0 and "Waiting for the customer" in err, err
        [trade] = httpx.get(f"{info['url']}/dev/statement", timeout=5).json()
        assert trade["kept"] == json.loads(out)["total"]
    finally:
        child.terminate()
        child.wait(10)
    code, out, _ = pos("--help")
    assert code == 0 and "gateway" in out


def test_a_damaged_key_stops_codes_not_cash(home: Home, gateway: GatewayThread) -> None:
    (home.path / "alipay_app.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\nbroken\n")
    st = a_showtime(home)
    pay = f"code={st['prices']['adult']}:{CODES['alipay']}"
    code, out, err = pos(*sell_code(home, st["id"], "auto:1", pay))
    assert code == 2 and "CODE_PAY_KEY" in err and "broken" not in out + err
    code, _, err = pos(*sell_code(home, st["id"], "auto:1", "cash=1000.00"))
    assert code == 0, err
    assert gateway.statement() == []
