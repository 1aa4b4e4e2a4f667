"""`pos gateway serve`: the reference payment gateway (Alipay, WeChat Pay) for demos, tests and
drills; `pos gateway join`: make this terminal one of its merchants; `pos gateway reconcile`:
this terminal's code payments against the providers' daily bills (`--day`, any provider) or a
reference gateway's whole statement (`--url`); exit 1 on a difference."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos.cli.common import add_common, emit, home_of, require_extra, with_counter

if TYPE_CHECKING:
    from pos.counter.service import Counter

DRILLS = (
    "instant",
    "user-paying",
    "user-paying-timeout",
    "insufficient-funds",
    "reset-after-charge",
    "slow",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gateway", help="run the reference payment gateway (Alipay, WeChat Pay payment codes)"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = actions.add_parser("serve", help="serve the gateway on loopback")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8800, help="0 picks a free port")
    serve.add_argument("--ready-file", type=Path, help="write {url, ...} here once up")
    serve.add_argument("--drill", choices=DRILLS, default="instant", help="how charges answer")
    serve.add_argument("--tls-cert", type=Path, help="serve https with this certificate (PEM)")
    serve.add_argument("--tls-key", type=Path, help="the certificate's private key (PEM)")
    serve.add_argument(
        "--client-ca", type=Path, help="ask for client certificates of this CA (WeChat /secapi/)"
    )
    serve.set_defaults(func=run_serve)
    join = actions.add_parser("join", help="make this terminal a merchant of a reference gateway")
    join.add_argument("--url", required=True, help="the gateway's URL")
    join.add_argument("--wait", type=float, default=30.0, help="seconds a customer may confirm")
    join.add_argument("--poll", type=float, default=2.0, help="seconds between queries")
    add_common(join)
    join.set_defaults(func=run_join)
    reconcile = actions.add_parser(
        "reconcile", help="compare this terminal's code payments with the providers' books"
    )
    source = reconcile.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--day", type=date.fromisoformat, help="the providers' bills of this day (Beijing time)"
    )
    source.add_argument("--url", help="a reference gateway's whole statement (drills, tests)")
    add_common(reconcile)
    reconcile.set_defaults(func=run_reconcile)


def run_serve(args: argparse.Namespace) -> int:
    require_extra("central", "fastapi", "uvicorn")
    from central.loopback import Tls
    from devtools.gateway.ledger import Drill  # only with the [central] extra
    from devtools.gateway.server import serve

    if (args.tls_cert is None) != (args.tls_key is None) or (
        args.client_ca is not None and args.tls_cert is None
    ):
        print("--tls-cert and --tls-key go together; --client-ca needs them", file=sys.stderr)
        return 2
    tls = None if args.tls_cert is None else Tls(args.tls_cert, args.tls_key, args.client_ca)

    def announce(info: dict) -> None:
        print(
            f"payment gateway listening on {info['url']} (drill: {info['drill']})", file=sys.stderr
        )
        print(json.dumps(info), flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        serve(
            args.host,
            args.port,
            drill=Drill(args.drill),
            ready_file=args.ready_file,
            announce=announce,
            tls=tls,
        )
    return 0


def run_join(args: argparse.Namespace) -> int:
    from devtools.gateway.join import join_gateway  # lazy, for start-up speed

    code_pay = join_gateway(home_of(args), args.url, wait_seconds=args.wait, poll_seconds=args.poll)
    result = {
        "alipay_app_id": code_pay.alipay.app_id if code_pay.alipay else None,
        "wechat_mch_id": code_pay.wechat.mch_id if code_pay.wechat else None,
    }
    emit(
        args,
        result,
        lambda r: (
            f"Payment codes on: Alipay app {r['alipay_app_id']}, WeChat Pay merchant"
            f" {r['wechat_mch_id']} (keys kept 0600 in the terminal's home)"
        ),
    )
    return 0


def run_reconcile(args: argparse.Namespace) -> int:
    from devtools.gateway.join import fetch_statement  # lazy, for start-up speed

    statement = fetch_statement(args.url) if args.url else None

    async def action(counter: Counter) -> Any:
        if statement is None:
            return (await counter.reconcile_code_bills(args.day)).to_json()
        return counter.reconcile_codes(statement).to_json()

    result = with_counter(args, action, recover=False)
    emit(
        args,
        result,
        lambda r: (
            "; ".join(f"{p}: kept {fen} fen" for p, fen in sorted(r["kept"].items()))
            + f"; {len(r['differences'])} difference(s)"
            + "".join(
                f"\n  {d['provider']} {d['out_trade_no']}: ours {d['ours']}, theirs {d['theirs']}"
                for d in r["differences"]
            )
        ),
    )
    return 1 if result["differences"] else 0
