"""One send: settle what an earlier send left pending, then hand over every delivery still due, exactly once.

For each planned delivery the ledger's last row decides (``reporter.send.ledger``):

=====================  ==========================================================
no row, or ``failed``  sent now (``failed`` means nothing went: try again)
``sent``               left alone ("already sent"); ``--resend`` sends it again
``pending``            Graph: found in Sent Items → ``sent``; not found after the
                       grace period → sent again with the same Message-ID; SMTP:
                       becomes ``unknown``
``unknown``            left alone; ``--resend`` sends it again
=====================  ==========================================================

Hand-overs are paced (``reporter.send.pace``) and counted against the daily
recipient limit; reaching it stops the send cleanly, saying when it can go on.
A ``SendError`` that is not about one delivery (a refused login, a missing
permission, no such mailbox) stops the send at once: nothing more is tried.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from reporter.clock import Clock
from reporter.errors import AuthError, ConfigError, ReporterError, SendError
from reporter.send.ledger import Ledger, Record, State
from reporter.send.message import Delivery
from reporter.send.pace import DAY, DailyAllowance, Pacer
from reporter.send.plan import Planned, RunFolder, load, planned_message_id
from reporter.send.transport import DeliveryRefused, DeliveryUnknown, LimitReached, MailTransport

SENT = "sent"
ALREADY_SENT = "already sent"
FAILED = "failed"
UNKNOWN = "unknown"
PENDING = "pending"
NOT_SENT = "not sent"


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    customer: str
    status: str
    detail: str = ""
    message_id: str = ""
    when: datetime | None = None


class SendProgress(Protocol):
    def begin(self, total: int, seconds: float) -> None: ...

    def done(self, outcome: Outcome) -> None: ...

    def notice(self, text: str) -> None: ...

    def end(self) -> None: ...


class NullSendProgress:
    def begin(self, total: int, seconds: float) -> None:
        pass

    def done(self, outcome: Outcome) -> None:
        pass

    def notice(self, text: str) -> None:
        pass

    def end(self) -> None:
        pass


@dataclass
class SendReport:
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: str | None = None
    """Why the send stopped before the end (the daily limit), if it did."""
    error: ReporterError | None = None
    """The error that stopped everything, if one did."""

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def exit_code(self) -> int:
        """0: all done; 1: stopped by an error; 2: some failed or are unsettled; 3: the daily limit stopped it."""
        if self.error is not None:
            return self.error.exit_code
        if self.stopped is not None:
            return 3
        if any(o.status in (FAILED, UNKNOWN, PENDING) for o in self.outcomes):
            return 2
        return 0


@dataclass(frozen=True)
class SendLimits:
    rate_per_minute: float = 30.0
    daily_recipient_limit: int = 10_000
    pending_grace: float = 600.0


@dataclass(frozen=True, slots=True)
class _Due:
    item: Planned
    resend: int
    note: str = ""
    """Why it is sent again, if it is."""


def send_run(
    run: RunFolder,
    planned: Sequence[Planned],
    ledger: Ledger,
    transport: MailTransport,
    sender: str,
    limits: SendLimits,
    clock: Clock,
    *,
    resend: bool = False,
    progress: SendProgress | None = None,
) -> SendReport:
    """Send what is due of ``planned`` through ``transport``, recording each delivery in ``ledger``."""
    progress = progress or NullSendProgress()
    report = SendReport()
    due: list[_Due] = []
    latest = ledger.latest_by_key(run.period)
    for item in planned:
        if item.not_sent is not None:
            report.outcomes.append(Outcome(item.key, item.customer, NOT_SENT, item.not_sent))
            continue
        decided = _decide(run, item, latest.get(item.key), ledger, transport, sender, limits, clock, resend)
        if isinstance(decided, Outcome):
            report.outcomes.append(decided)
            if decided.status in (UNKNOWN, PENDING):
                progress.notice(f"{decided.customer}: {decided.status}: {decided.detail}")
        else:
            due.append(decided)
    if not due:
        return report
    stop = threading.Event()
    pacer = Pacer(limits.rate_per_minute, clock, stop)
    allowance = DailyAllowance(limits.daily_recipient_limit, ledger.recipients_since(clock.now() - DAY))
    progress.begin(len(due), pacer.seconds_for(len(due)))
    lock = threading.Lock()

    def record(outcome: Outcome) -> None:
        with lock:
            report.outcomes.append(outcome)
        progress.done(outcome)

    def work(entry: _Due) -> None:
        item = entry.item
        if stop.is_set():
            record(Outcome(item.key, item.customer, NOT_SENT, report.stopped or "the send stopped"))
            return
        try:
            outcome = _deliver(run, entry, ledger, transport, sender, clock, pacer, allowance, stop)
        except _LimitReached as limit:
            with lock:
                if report.stopped is None:
                    report.stopped = str(limit)
            stop.set()
            record(Outcome(item.key, item.customer, NOT_SENT, str(limit)))
            return
        except _Fatal as fatal:  # nothing more can be sent: stop here
            with lock:
                if report.error is None:
                    report.error = fatal.error
            stop.set()
            record(fatal.outcome)
            return
        except BaseException:  # a bug: no further delivery starts
            stop.set()
            raise
        record(outcome)

    try:
        with ThreadPoolExecutor(max_workers=max(1, transport.concurrency), thread_name_prefix="send") as pool:
            futures = [pool.submit(work, entry) for entry in due]
            try:
                for future in futures:
                    future.result()
            except BaseException:  # interrupted (Ctrl-C, SIGTERM): started deliveries finish, no new one starts
                stop.set()
                for future in futures:
                    future.cancel()
                with lock:
                    went = sum(1 for o in report.outcomes if o.status == SENT)
                progress.notice(f"stopped: {went} sent before the stop; reporter send --status lists every customer")
                raise
    finally:
        progress.end()
    return report


def _decide(
    run: RunFolder,
    item: Planned,
    last: Record | None,
    ledger: Ledger,
    transport: MailTransport,
    sender: str,
    limits: SendLimits,
    clock: Clock,
    resend: bool,
) -> _Due | Outcome:
    """What to do with ``item`` given its last ledger row: send it (and as which resend), or why not."""
    if last is not None and last.state is State.FAILED and last.resend > 0 and not resend:
        earlier = ledger.settled_before(run.period, item.key, last.resend)
        if earlier is not None:  # a deliberate resend failed: what went before stands
            last = earlier
    if last is None or last.state is State.FAILED:
        return _Due(item, last.resend if last is not None else 0)
    if resend and last.state in (State.SENT, State.UNKNOWN, State.PENDING):
        if last.state is State.PENDING:
            ledger.finish(run.period, item.key, last.resend, State.UNKNOWN, clock.now(), "sent again with --resend")
        return _Due(item, last.resend + 1)
    if last.state is State.SENT:
        current = planned_message_id(run, item, sender, last.resend)
        note = "" if current == last.message_id else " (an earlier version, or to other recipients)"
        return Outcome(
            item.key,
            item.customer,
            ALREADY_SENT,
            f"sent {_when(last.finished_at)}{note}",
            last.message_id,
            last.finished_at,
        )
    if last.state is State.UNKNOWN:
        return Outcome(item.key, item.customer, UNKNOWN, last.detail or "may have been delivered", last.message_id)
    # pending: an earlier send stopped between handing it over and hearing back
    if last.transport != transport.name or last.sender.lower() != sender.lower():
        detail = (
            f"an earlier send through {last.transport} as {last.sender} stopped while handing it over "
            f"({_when(last.started_at)}); it cannot be looked up now, so it is not sent again "
            "(--resend --only to send it anyway)"
        )
        ledger.finish(run.period, item.key, last.resend, State.UNKNOWN, clock.now(), detail)
        return Outcome(item.key, item.customer, UNKNOWN, detail, last.message_id)
    if not transport.can_look_up:
        detail = (
            f"an earlier send stopped while handing it over ({_when(last.started_at)}); the {transport.name} server "
            "cannot be asked whether it went, so it is not sent again (--resend --only to send it anyway)"
        )
        ledger.finish(run.period, item.key, last.resend, State.UNKNOWN, clock.now(), detail)
        return Outcome(item.key, item.customer, UNKNOWN, detail, last.message_id)
    if _was_delivered(transport, last):
        ledger.finish(run.period, item.key, last.resend, State.SENT, clock.now(), "found in Sent Items")
        return Outcome(item.key, item.customer, SENT, "found in Sent Items", last.message_id, clock.now())
    age = (clock.now() - last.started_at).total_seconds()
    if age < limits.pending_grace:
        return Outcome(
            item.key,
            item.customer,
            PENDING,
            f"handed over {_when(last.started_at)} but not in Sent Items yet; run send again after "
            f"{_when(last.started_at + timedelta(seconds=limits.pending_grace))}",
            last.message_id,
        )
    return _Due(item, last.resend, f"not found in Sent Items {limits.pending_grace:g} s after it was handed over")


def _was_delivered(transport: MailTransport, last: Record) -> bool:
    probe = Delivery(last.key, last.period, last.sender, (), (), "", "", "", (), last.message_id)
    found = transport.was_delivered(probe)
    if found is None:
        raise SendError(f"{transport.name} cannot say whether {last.message_id} was delivered")
    return found


class _LimitReached(Exception):
    pass


class _Fatal(Exception):
    """A failure that stops the send, with what became of the delivery at hand."""

    def __init__(self, outcome: Outcome, error: ReporterError) -> None:
        super().__init__(str(error))
        self.outcome = outcome
        self.error = error


def _deliver(
    run: RunFolder,
    entry: _Due,
    ledger: Ledger,
    transport: MailTransport,
    sender: str,
    clock: Clock,
    pacer: Pacer,
    allowance: DailyAllowance,
    stop: threading.Event,
) -> Outcome:
    item = entry.item
    message = planned_message_id(run, item, sender, entry.resend)
    try:
        try:
            delivery = load(run, item, sender, resend=entry.resend)
        except DeliveryRefused as refused:
            _record_failure(ledger, run, item, entry.resend, message, transport, sender, clock, str(refused))
            return Outcome(item.key, item.customer, FAILED, str(refused), message)
        count = len(delivery.recipients)
        if count > allowance.limit:
            detail = f"{count} recipients, more than the daily limit of {allowance.limit}"
            _record_failure(ledger, run, item, entry.resend, message, transport, sender, clock, detail)
            return Outcome(item.key, item.customer, FAILED, detail, message)
        pacer.wait_turn()
        if stop.is_set():  # the send stopped while this one waited its turn
            return Outcome(item.key, item.customer, NOT_SENT, "the send stopped")
        now = clock.now()
        if not allowance.take(count, now):
            room = allowance.next_room(count, now)
            raise _LimitReached(
                f"the daily limit of {allowance.limit:,} recipients is reached; run reporter send again after "
                f"{_when(room)} to send the rest"
            )
        _begin(ledger, run, item, entry.resend, message, transport, sender, now)
    except ReporterError as exc:  # before the hand-over: nothing went
        raise _Fatal(Outcome(item.key, item.customer, NOT_SENT, str(exc)), exc) from None

    def handing_over() -> None:  # the grace Sent Items is given counts from here (after any upload)
        ledger.handed_over(run.period, item.key, entry.resend, clock.now())

    try:
        transport.deliver(delivery, handing_over)
    except DeliveryRefused as refused:
        return _settle(ledger, run, item, entry.resend, State.FAILED, clock, str(refused), message)
    except DeliveryUnknown as unknown:
        if transport.can_look_up:
            detail = f"{unknown}; the next send looks it up in Sent Items"
            return Outcome(item.key, item.customer, PENDING, detail, message)
        outcome = _settle(ledger, run, item, entry.resend, State.UNKNOWN, clock, str(unknown), message)
        raise _Fatal(outcome, unknown) from None  # it cannot be looked up: stop before the next goes the same way
    except LimitReached as limit:  # the service's own daily limit: nothing went; stop cleanly, as for ours
        with contextlib.suppress(ReporterError):
            ledger.forget(run.period, item.key, entry.resend)
        raise _LimitReached(f"{limit}") from None
    except (SendError, AuthError, ConfigError) as exc:  # refused before it was handed over: nothing went
        with contextlib.suppress(ReporterError):  # else left pending: the next send settles it
            ledger.forget(run.period, item.key, entry.resend)
        raise _Fatal(Outcome(item.key, item.customer, NOT_SENT, str(exc)), exc) from None
    except ReporterError as exc:  # lost on the way (Graph unreachable mid-request): it may have gone
        detail = f"{exc}; it may have gone, the next send settles it"
        raise _Fatal(Outcome(item.key, item.customer, PENDING, detail, message), exc) from None
    try:
        ledger.finish(run.period, item.key, entry.resend, State.SENT, clock.now())
    except ReporterError as exc:  # it went, but the ledger could not say so: stop before anything else goes
        detail = f"delivered, but not recorded as sent ({exc}); the next send settles it"
        raise _Fatal(Outcome(item.key, item.customer, SENT, detail, message, clock.now()), exc) from None
    return Outcome(
        item.key, item.customer, SENT, f"sent again: {entry.note}" if entry.note else "", message, clock.now()
    )


def _settle(
    ledger: Ledger, run: RunFolder, item: Planned, resend: int, state: State, clock: Clock, detail: str, message: str
) -> Outcome:
    """Record ``state`` for a delivery that was handed over (or tried); a ledger that fails stops the send."""
    status = FAILED if state is State.FAILED else UNKNOWN
    try:
        ledger.finish(run.period, item.key, resend, state, clock.now(), detail)
    except ReporterError as exc:
        raise _Fatal(
            Outcome(item.key, item.customer, PENDING, f"{detail}; not recorded ({exc})", message), exc
        ) from None
    return Outcome(item.key, item.customer, status, detail, message)


def _record_failure(
    ledger: Ledger,
    run: RunFolder,
    item: Planned,
    resend: int,
    message_id: str,
    transport: MailTransport,
    sender: str,
    clock: Clock,
    detail: str,
) -> None:
    now = clock.now()
    _begin(ledger, run, item, resend, message_id, transport, sender, now)
    ledger.finish(run.period, item.key, resend, State.FAILED, now, detail)


def _begin(
    ledger: Ledger,
    run: RunFolder,
    item: Planned,
    resend: int,
    message_id: str,
    transport: MailTransport,
    sender: str,
    now: datetime,
) -> None:
    """The ledger's row for a delivery about to be handed over (or refused before it could be)."""
    ledger.begin(
        period=run.period,
        key=item.key,
        resend=resend,
        message_id=message_id,
        transport=transport.name,
        sender=sender,
        recipients=item.recipients,
        attachments=[ref.sha256 for ref in item.attachments],
        now=now,
    )


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "at an unknown time"


def status(run: RunFolder, planned: Sequence[Planned], ledger: Ledger | None) -> list[Outcome]:
    """What the ledger says of every planned delivery, without asking the mail service (no ledger: nothing sent)."""
    latest = ledger.latest_by_key(run.period) if ledger is not None else {}
    outcomes = []
    for item in planned:
        last = latest.get(item.key)
        if last is None:
            why = item.not_sent or "not sent yet"
            outcomes.append(Outcome(item.key, item.customer, NOT_SENT, why))
        elif last.state is State.SENT:
            outcomes.append(
                Outcome(item.key, item.customer, SENT, last.detail or "", last.message_id, last.finished_at)
            )
        elif last.state is State.PENDING:
            detail = f"handed over {_when(last.started_at)}, not confirmed; the next send settles it"
            outcomes.append(Outcome(item.key, item.customer, PENDING, detail, last.message_id, last.started_at))
        else:
            state = FAILED if last.state is State.FAILED else UNKNOWN
            outcomes.append(
                Outcome(item.key, item.customer, state, last.detail or "", last.message_id, last.finished_at)
            )
    return outcomes
