"""The delivery ledger and the daily allowance: the records exactly-once rests on."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reporter.errors import OutputError
from reporter.send.ledger import Ledger, State
from reporter.send.pace import DailyAllowance, Pacer

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def begin(
    ledger: Ledger, key: str, *, resend: int = 0, recipients: tuple[str, ...] = ("a@x.example",), at: datetime = T0
) -> None:
    ledger.begin(
        period="2026-11",
        key=key,
        resend=resend,
        message_id=f"<{key}.{resend}@x.example>",
        transport="smtp",
        sender="reports@x.example",
        recipients=recipients,
        attachments=["ab" * 32],
        now=at,
    )


def test_a_pending_row_is_on_disk_before_the_hand_over_and_settles_later(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.sqlite"
    with Ledger(path) as ledger:
        begin(ledger, "t1")
        # another connection (another process after a crash) already sees it
        with sqlite3.connect(path) as other:
            assert other.execute("SELECT state FROM deliveries").fetchall() == [("pending",)]
        ledger.finish("2026-11", "t1", 0, State.SENT, T0 + timedelta(seconds=2))
    with Ledger(path) as again:
        record = again.latest_by_key("2026-11").get("t1")
    assert record is not None
    assert record.state is State.SENT
    assert record.message_id == "<t1.0@x.example>"
    assert record.recipients == ("a@x.example",)
    assert record.finished_at == T0 + timedelta(seconds=2)


def test_the_latest_attempt_wins_and_forget_drops_only_pending_rows(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        begin(ledger, "t1")
        ledger.finish("2026-11", "t1", 0, State.SENT, T0)
        begin(ledger, "t1", resend=1)
        assert ledger.latest_by_key("2026-11")["t1"].resend == 1
        ledger.forget("2026-11", "t1", 1)
        assert ledger.latest_by_key("2026-11")["t1"].resend == 0
        ledger.forget("2026-11", "t1", 0)  # sent: kept
        assert ledger.latest_by_key("2026-11").get("t1") is not None
        assert ledger.latest_by_key("2026-10").get("t1") is None


def test_a_file_that_is_not_a_ledger_gets_one_line(tmp_path: Path) -> None:
    path = tmp_path / "deliveries.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutputError, match="delivery ledger") as caught:
        Ledger(path).__enter__()
    assert "\n" not in str(caught.value)


def test_recipients_in_the_last_day_count_against_the_limit(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        begin(ledger, "old", recipients=("a@x.example",) * 1, at=T0 - timedelta(hours=30))
        begin(ledger, "t1", recipients=("a@x.example", "b@x.example"), at=T0 - timedelta(hours=20))
        begin(ledger, "t2", recipients=("c@x.example",), at=T0 - timedelta(hours=1))
        ledger.finish("2026-11", "t2", 0, State.FAILED, T0)  # nothing went: not counted
        history = ledger.recipients_since(T0 - timedelta(days=1))
    assert [n for _, n in history] == [2]
    allowance = DailyAllowance(3, history)
    assert allowance.take(1, T0)
    assert not allowance.take(1, T0)
    assert allowance.next_room(1, T0) == T0 - timedelta(hours=20) + timedelta(days=1)
    assert allowance.take(1, T0 + timedelta(hours=4, seconds=1))  # the first two left the 24 hours


class StepClock:
    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds

    def now(self) -> datetime:
        return T0 + timedelta(seconds=self.t)


def test_the_pacer_spaces_hand_overs_evenly() -> None:
    clock = StepClock()
    pacer = Pacer(30, clock)
    for _ in range(4):
        pacer.wait_turn()
    assert clock.slept == [2.0, 2.0, 2.0]
    assert pacer.seconds_for(400) == pytest.approx(798.0)  # 400 customers at 30 a minute: 13 minutes


def test_the_send_says_how_long_it_will_take_before_it_starts() -> None:
    import io

    from reporter.send.progress import LineProgress

    stream = io.StringIO()
    LineProgress(stream, 30).begin(400, Pacer(30, StepClock()).seconds_for(400))
    assert stream.getvalue() == "sending 400 message(s) at 30 a minute: about 13 minutes\n"
