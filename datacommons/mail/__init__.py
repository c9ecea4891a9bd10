"""Mail the commons sends itself (confirmations, notices): composed with RFC 2369/8058 list
headers, DKIM-signed, queued in the system area and delivered over SMTP with retries.

Members' newsletters are not sent from here: members take their subscribers out by export
and webhooks and keep their own tools.
"""
from .message import compose
from .outbox import Outbox
from .settings import MailSettings
from .smtp import SmtpTransport

__all__ = ["MailSettings", "Outbox", "SmtpTransport", "compose"]
