"""What sending needs from a mail service: hand over one delivery, and say whether one already went.

Two transports implement it: ``reporter.send.graph_mail`` (Microsoft Graph,
Exchange Online) and ``reporter.send.smtp`` (any SMTP relay). Their failures
come in three kinds, because the ledger must treat them differently:

- ``DeliveryRefused``: this delivery failed for good (a refused recipient, a
  message too large); the others can go on. The ledger records it as failed.
- ``DeliveryUnknown``: the message may or may not have gone (the connection
  broke after it was handed over). The ledger keeps it pending; with Graph, Sent
  Items settles it; with SMTP it is reported as unknown and not resent.
- any other ``SendError``: nothing can be sent (wrong password, missing
  permission, no such mailbox, daily limit); the send stops and says why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from reporter.errors import SendError
from reporter.send.message import Delivery


class DeliveryRefused(SendError):
    """This one delivery was refused; the others may go on."""


class DeliveryUnknown(SendError):
    """This delivery may have gone: the answer was lost on the way back."""


class LimitReached(SendError):
    """The mail service's own sending limit (a day's recipients) is reached: nothing more goes until it says."""


class MailTransport(Protocol):
    name: str
    """``graph`` or ``smtp``, for the ledger and messages."""
    can_look_up: bool
    """Whether ``was_delivered`` can tell (Graph's Sent Items); SMTP cannot."""
    concurrency: int
    """How many deliveries may be handed over at the same time (Graph: 4 per mailbox; SMTP: 1)."""

    def open(self) -> None:
        """Connect and sign in, so that wrong credentials stop a send before anything is planned to go."""
        ...

    def deliver(self, delivery: Delivery, handing_over: Callable[[], None] | None = None) -> None:
        """Hand ``delivery`` over; returns once the service accepted it, else raises a ``SendError``.

        ``handing_over()`` is called just before the request that hands the message over (after
        any upload), so that the ledger knows from when Sent Items may show it.
        """
        ...

    def was_delivered(self, delivery: Delivery) -> bool | None:
        """Whether a message with ``delivery.message_id`` is in the sender's Sent Items; None if it cannot tell."""
        ...

    def close(self) -> None: ...
