"""Benchmark: sale requests per second the reference central takes on loopback from two client
threads (two counters), against GET /v1/health round trips measured the same way in the same
run. Run: `.venv/bin/python tests/bench/bench_central.py` (tests/bench is not collected)."""

from __future__ import annotations

import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

ROOT = Path(__file__).resolve().parent.parent.parent
THREADS = 2
SECONDS = 3.0
GOAL_SALES_PER_S = 50.0
"""A festival morning: 40 counters each finishing a sale every 2 s is 20 sales/s; 50 leaves room."""


def _tomorrow() -> Any:
    return (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).date()


def _enroll(url: str, code: str) -> str:
    from contract.ticket_code import new_private_key, public_key_text

    body = {"code": code, "public_key": public_key_text(new_private_key())}
    answer = httpx.post(f"{url}/v1/enrollments", json=body)
    answer.raise_for_status()
    return answer.json()["token"]


def _rate(url: str, tokens: list[str], requests: list[list[tuple[str, Any]]]) -> float:
    """Requests per second, each thread with its own client sending its list until time is up."""
    done = [0] * len(tokens)
    barrier = threading.Barrier(len(tokens) + 1)
    stop = threading.Event()

    def work(i: int) -> None:
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {tokens[i]}"}, timeout=10
        ) as client:
            client.get("/v1/health")  # connect before the clock starts
            barrier.wait()
            for path, body in requests[i]:
                if stop.is_set():
                    break
                if body is None:
                    resp = client.get(path)
                else:
                    resp = client.post(
                        path, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}
                    )
                resp.raise_for_status()
                done[i] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - started)


def run() -> list[dict[str, Any]]:
    from central.server import CentralThread

    with (
        tempfile.TemporaryDirectory() as tmp,
        CentralThread(
            Path(tmp) / "central.db", ROOT / "seeds", business_date=_tomorrow()
        ) as server,
    ):
        codes = [t["enrollment_code"] for t in server.info()["terminals"][:THREADS]]
        tokens = [_enroll(server.url, c) for c in codes]
        client = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {tokens[0]}"})
        sched = client.get("/v1/schedule").json()
        # One single-seat sale per free standard seat, across all showtimes, dealt to threads.
        sales: list[tuple[str, Any]] = []
        for st in sched["showtimes"]:
            layout = client.get(f"/v1/showtimes/{st['id']}/seats").json()
            free = {s["label"] for s in layout["seats"] if s["state"] == "free"}
            price = st["prices"]["adult"]
            for seat in layout["auditorium"]["seats"]:
                if seat["kind"] == "standard" and seat["label"] in free:
                    body = {
                        "showtime_id": st["id"],
                        "cashier_id": "c01",
                        "lines": [{"seat": seat["label"], "ticket_type": "adult", "price": price}],
                        "payments": [{"method": "cash", "amount": price}],
                    }
                    sales.append(("/v1/sales", body))
        client.close()
        health = [[("/v1/health", None)] * 100_000 for _ in range(THREADS)]
        baseline = _rate(server.url, tokens, health)
        value = _rate(server.url, tokens, [sales[i::THREADS] for i in range(THREADS)])
    return [
        {
            "figure": f"sale requests per second, {THREADS} client threads, loopback",
            "value": round(value, 1),
            "baseline": round(baseline, 1),
            "ratio": round(value / baseline, 3),
            "goal": GOAL_SALES_PER_S,
            "passed": value >= GOAL_SALES_PER_S,
        }
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in run():
        print(row)
