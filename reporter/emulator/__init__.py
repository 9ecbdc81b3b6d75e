"""An emulator of Entra ID, the Graph partner security endpoints and Exchange Online mail, over real HTTPS.

``Emulator`` serves a generated world (``build_world``) with Graph's quirks
(``Quirks``) and injected faults (``Faults``); ``reporter emulate`` runs one
from the command line, and the tests and ``reporter demo`` run one in-process::

    with Emulator(EmulatorOptions(customers=200, page_size=50, faults=Faults(rate_429=0.1))) as emu:
        emu.graph_url, emu.authority_url      # https://127.0.0.1:PORT (one server, routed by path)
        emu.tenant_id, emu.client_id, emu.client_secret
        emu.ca_pem, emu.write_ca(path)        # the CA that signed the server certificate
        emu.client_ssl_context()              # an ssl.SSLContext trusting only that CA
        emu.world                             # what is served, as raw Graph JSON (quirks applied)
        emu.stats                             # requests, pages and faults per path
        emu.mailbox, emu.mailbox_id           # the one mailbox that sends (MailOptions)
        emu.mail.delivered()                  # the messages it delivered, as email.message.EmailMessage

Entra ID (authority ``{authority_url}/{tenant_id}``; use msal with ``instance_discovery=False``):

- ``GET /{tenant}/v2.0/.well-known/openid-configuration``; an unknown tenant gets 400 ``invalid_tenant``
  (AADSTS90002), which msal reports as "Unable to get authority configuration".
- ``POST /{tenant}/oauth2/v2.0/token``, ``grant_type=client_credentials``, scope
  ``https://graph.microsoft.com/.default``, with ``client_secret`` or a certificate ``client_assertion``
  (RS256 with ``x5t`` or PS256 with ``x5t#S256``, as msal signs them; the certificate is
  ``EmulatorOptions.client_certificate_pem``). As in Entra, a bad credential is 401 ``invalid_client``
  (AADSTS7000215 wrong secret, AADSTS700027 unknown key or bad signature, AADSTS700024 expired
  assertion); an unknown client is 400 ``unauthorized_client`` (AADSTS700016); an unknown tenant 400
  ``invalid_request`` (AADSTS90002); a bad scope 400 ``invalid_scope``. Tokens are opaque and expire
  after ``token_lifetime`` seconds.

Graph (every answer has ``request-id``, echoes ``client-request-id`` and is JSON):

- ``/beta/security/partner/securityScore`` (``$expand=requirements,history``; wrapped in ``value``
  with ``Quirks(wrapped_singleton=True)``), its ``requirements``, ``history`` and ``customerInsights``,
  ``/beta/security/partner/securityAlerts`` (``$count=true`` adds ``@odata.count``; ``$select`` works) and
  ``/v1.0/contracts``: server-side paging by ``@odata.nextLink`` with an opaque ``$skiptoken``,
  ``page_size`` items a page. ``$top``/``$skip`` on customerInsights, ``$filter``/``$orderby``
  anywhere and a foreign ``$skiptoken`` are 400 ``BadRequest``; ``$top`` elsewhere is ignored.
- Missing or unknown bearer token: 401 ``InvalidAuthenticationToken``; expired: 401 "Lifetime
  validation failed, the token is expired."; unknown path: 400 "Resource not found for the segment".

Exchange Online mail (``reporter.emulator.mail`` has the details): ``/v1.0/users/{mailbox}/sendMail``,
drafts with attachments and upload sessions (whose pre-authenticated ``PUT`` URLs live under ``/api/v2.0/``),
``send``, and Sent Items searched by ``internetMessageId``; Exchange's limits (``MailOptions``: messages a
minute, recipients a day, 4 requests at a time, the 4 MB request and the tenant's message size) and its
errors. Delivered messages are kept (``emu.mail``) and written as ``.eml`` files to ``MailOptions.folder``.

Faults (``Faults``): ``latency_ms`` on every request; 429 (``Retry-After`` in whole seconds, or an HTTP
date), 503 and dropped connections (headers, a third of the body, then the connection closes) drawn
per Graph request from a seeded generator, never more than ``max_consecutive`` times in a row for one
URL; ``forbidden`` (403 ``Authorization_RequestDenied`` on every Graph call), ``contracts_forbidden``,
``alerts_failing`` (500); ``malformed_page`` breaks the second customerInsights page (the first if
there is only one) on every request, either ``truncated`` (valid status and Content-Length, JSON cut in
half) or ``missing-tenant-id`` (its first item lacks ``tenantId``); ``repeat_next_link`` makes that
same page's ``@odata.nextLink`` point to itself. The ``mail_*`` faults (access denied, no mailbox, a refused
recipient, a 429 or a lost answer at the Nth message) are described in ``reporter.emulator.mail``.
"""

from reporter.emulator.customers import CustomerOverride
from reporter.emulator.faults import EmulatorStats, Fault
from reporter.emulator.options import EmulatorOptions, Faults, MailOptions, Quirks
from reporter.emulator.server import Emulator
from reporter.emulator.world import World, build_world

__all__ = [
    "CustomerOverride",
    "Emulator",
    "EmulatorOptions",
    "EmulatorStats",
    "Fault",
    "Faults",
    "MailOptions",
    "Quirks",
    "World",
    "build_world",
]
