"""The mail settings taken from the configuration (`smtp_url`, `mail_from`, `dkim_*`)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


class MailConfigError(ValueError):
    """A mail setting cannot be used; the message names the key."""


@dataclass(frozen=True)
class MailSettings:
    smtp_url: str | None = None
    mail_from: str | None = None
    dkim_domain: str | None = None
    dkim_selector: str | None = None
    dkim_key_file: str | None = None

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        return cls(
            smtp_url=getattr(config, "smtp_url", None), mail_from=getattr(config, "mail_from", None),
            dkim_domain=getattr(config, "dkim_domain", None),
            dkim_selector=getattr(config, "dkim_selector", None),
            dkim_key_file=getattr(config, "dkim_key_file", None),
        )

    @property
    def configured(self) -> bool:
        return bool(self.smtp_url)

    def sender(self, base: str) -> str:
        """The From address: `mail_from`, else no-reply at the base's host."""
        if self.mail_from:
            return self.mail_from
        host = urlsplit(base).hostname or "localhost"
        return f"no-reply@{host}"

    def dkim_key(self) -> bytes | None:
        """The DKIM private key (PEM), or None when DKIM is not configured; all three keys or
        none of them."""
        given = [self.dkim_domain, self.dkim_selector, self.dkim_key_file]
        if not any(given):
            return None
        if not all(given):
            raise MailConfigError("DKIM needs dkim_domain, dkim_selector and dkim_key_file together")
        try:
            return Path(self.dkim_key_file).read_bytes()
        except OSError as e:
            raise MailConfigError(f"dkim_key_file {self.dkim_key_file!r}: {e.strerror}") from None

    def smtp(self) -> "SmtpEndpoint":
        """`smtp://host:port` (plain; `?starttls=1` or `smtp+starttls://` upgrades with
        STARTTLS) or `smtps://user:pass@host:465` (TLS from the start)."""
        if not self.smtp_url:
            raise MailConfigError("smtp_url is not set: the commons cannot send mail")
        url = urlsplit(self.smtp_url)
        scheme = url.scheme.lower()
        if scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise MailConfigError(f"smtp_url {self.smtp_url!r}: the scheme must be smtp, smtp+starttls or smtps")
        if not url.hostname:
            raise MailConfigError(f"smtp_url {self.smtp_url!r} names no host")
        starttls = scheme == "smtp+starttls" or "starttls=1" in url.query or "starttls=true" in url.query
        default_port = 465 if scheme == "smtps" else (587 if starttls else 25)
        return SmtpEndpoint(
            host=url.hostname, port=url.port or default_port, tls=scheme == "smtps", starttls=starttls,
            user=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
        )


@dataclass(frozen=True)
class SmtpEndpoint:
    host: str
    port: int
    tls: bool
    starttls: bool
    user: str | None
    password: str | None
