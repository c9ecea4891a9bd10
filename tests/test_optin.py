"""People opt in to members' mailing lists: lists as linked data, double opt-in through real
mail (aiosmtpd), consent records, one-click unsubscribe, export, webhooks, erasure, and the
leak matrix (no subscriber address reaches any SPARQL answer, dump, page or search)."""
from __future__ import annotations

import base64
import io
import json
import re
import sqlite3
import subprocess
from email import message_from_bytes, policy
from pathlib import Path
from datetime import timedelta
from urllib.parse import quote

import pytest

from cli import main as cli
from datacommons.optin import CONFIRMATIONS_PER_DAY, FORGET_UNCONFIRMED_DAYS, Optin
from datacommons.tables import now

from .optin_world import OptinWorld, form_post, form_token, optin_world  # noqa: F401
from .smtp_server import free_port
from .webclient import bearer, fetch

ADA = "Ada.Lovelace@Example.org"
ADA_NORMAL = "ada.lovelace@example.org"


def subscribe(w: OptinWorld, address: str = ADA, lst: str = "alpha/news", **headers) -> object:
    member, list_id = lst.split("/")
    return fetch(f"{w.url}/api/lists/{member}/{list_id}/subscribe", method="POST",
                 data=json.dumps({"email": address}).encode(),
                 headers={"Content-Type": "application/json", **headers})


def confirm(w: OptinWorld, address: str = ADA_NORMAL):
    link = w.local(w.link_in(address, "confirm"))
    page = fetch(link)
    assert page.status == 200 and "Yes, subscribe me" in page.text
    return form_post(link, {"form_token": form_token(page.text)})


def subscribed(w: OptinWorld, address: str = ADA, lst: str = "alpha/news") -> None:
    assert subscribe(w, address, lst).status == 202
    assert confirm(w, address.lower()).status == 200


# --- (a) lists ---------------------------------------------------------------------------
def test_a_list_made_with_only_a_name_is_public_linked_data_with_a_page(optin_world: OptinWorld) -> None:
    w = optin_world
    reply = fetch(f"{w.url}/id/list/alpha/news", headers={"Accept": "text/turtle"})
    assert reply.status == 200
    assert "coop-commons/vocab#MailingList" in reply.text or "coop:MailingList" in reply.text
    assert "Nouvelles" in reply.text
    page = fetch(f"{w.url}/id/list/beta/updates", headers={"Accept": "text/html"})
    assert page.status == 200 and "Beta Updates" in page.text


def test_the_cli_adds_shows_sets_and_removes_a_list(tmp_path, capsys) -> None:
    store = ["--store", str(tmp_path / "store")]
    assert cli.main(["member", "add", "alpha", "--name", "Alpha Federation", *store]) == 0
    assert cli.main(["list", "add", "alpha", "jobs", "--name", "Alpha Jobs", *store]) == 0
    assert cli.main(["list", "set", "alpha", "jobs", "--topic", "jobs", "--frequency", "weekly",
                     "--description-es", "Empleos", *store]) == 0
    assert cli.main(["list", "show", "alpha", "jobs", *store]) == 0
    out = capsys.readouterr().out
    assert "alpha/jobs\tAlpha Jobs" in out and "Empleos" in out and "weekly" in out
    assert cli.main(["list", "set", "alpha", "jobs", "--frequency", "sometimes", *store]) == 2
    assert "frequency" in capsys.readouterr().err
    assert cli.main(["list", "remove", "alpha", "jobs", *store]) == 0
    assert cli.main(["list", "show", "alpha", "jobs", *store]) == 2


def test_the_cli_delivers_queued_mail_over_smtp_and_records_bounces(tmp_path, capsys, monkeypatch) -> None:
    from .smtp_server import smtp_server

    store = ["--store", str(tmp_path / "store")]
    assert cli.main(["member", "add", "alpha", "--name", "Alpha Federation", *store]) == 0
    assert cli.main(["list", "add", "alpha", "jobs", "--name", "Alpha Jobs", *store]) == 0
    monkeypatch.delenv("DATACOMMONS_SMTP_URL", raising=False)
    assert cli.main(["mail", "deliver", *store]) == 2
    assert "smtp_url is not set" in capsys.readouterr().err
    with smtp_server() as mailbox:
        monkeypatch.setenv("DATACOMMONS_SMTP_URL", mailbox.url)
        commons = cli._open(cli.parser().parse_args(["mail", "deliver", *store]))
        optin = Optin(commons, cli.Config())
        optin.request(ADA, ["alpha/jobs"], source="test", ip=None)
        optin.close()
        commons.close()
        assert cli.main(["mail", "deliver", *store]) == 0
        assert "1 messages sent" in capsys.readouterr().out
        assert "/lists/confirm/" in mailbox.to(ADA_NORMAL)[0].body
    assert cli.main(["mail", "bounce", ADA_NORMAL, "--reason", "550 no such user", *store]) == 0
    commons = cli._open(cli.parser().parse_args(["mail", "deliver", *store]))
    optin = Optin(commons, cli.Config())
    assert [r for _, r in optin.outbox.bounces(ADA_NORMAL)] == ["550 no such user"]
    optin.close()
    commons.close()


def test_a_member_makes_its_list_through_the_api_and_not_another_members(optin_world: OptinWorld) -> None:
    w = optin_world
    body = json.dumps({"name": "Alpha Jobs", "topics": ["jobs"], "frequency": "monthly"}).encode()
    made = fetch(f"{w.url}/api/lists/alpha/jobs", method="PUT", data=body,
                 headers={"Content-Type": "application/json", **bearer(w.tokens["alpha"])})
    assert made.status == 201, made.text
    refused = fetch(f"{w.url}/api/lists/alpha/other", method="PUT", data=body,
                    headers={"Content-Type": "application/json", **bearer(w.tokens["beta"])})
    assert refused.status == 403
    bad = fetch(f"{w.url}/api/lists/alpha/jobs", method="PUT", data=b'{"frequency": "often"}',
                headers={"Content-Type": "application/json", **bearer(w.tokens["alpha"])})
    assert bad.status == 400 and "frequency" in bad.text
    assert "Alpha Jobs" in fetch(f"{w.url}/api/lists").text
    assert fetch(f"{w.url}/api/lists/alpha/jobs").status == 200


def test_a_signed_in_member_adds_a_list_on_its_page_only_with_the_csrf_token(optin_world: OptinWorld) -> None:
    w = optin_world
    signin = fetch(f"{w.url}/member/lists")
    cookie = {"Cookie": signin.headers["set-cookie"].split(";", 1)[0]}
    csrf = re.search(r'name="csrf" value="([^"]+)"', signin.text).group(1)
    signed_in = form_post(f"{w.url}/imports/sign-in", {"token": w.tokens["alpha"], "csrf": csrf}, headers=cookie)
    cookie = {"Cookie": signed_in.headers["set-cookie"].split(";", 1)[0]}
    page = fetch(f"{w.url}/member/lists", headers=cookie).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    fields = {"id": "digest", "name": "Alpha Digest"}
    assert form_post(f"{w.url}/member/lists", fields, headers=cookie).status == 403  # forged: no token
    assert w.optin.lists.get("alpha", "digest") is None
    assert form_post(f"{w.url}/member/lists", {**fields, "csrf": csrf}, headers=cookie).status == 303
    assert w.optin.lists.get("alpha", "digest").name == "Alpha Digest"


def test_lists_are_in_void_and_dcat(optin_world: OptinWorld) -> None:
    w = optin_world
    void = fetch(f"{w.url}/void", headers={"Accept": "text/turtle"}).text
    assert "MailingList" in void
    catalog = fetch(f"{w.url}/catalog", headers={"Accept": "text/turtle"}).text
    assert "/api/lists" in catalog


def test_member_ids_that_clash_with_list_urls_are_reserved(optin_world: OptinWorld) -> None:
    for reserved in ("list", "lists", "confirm", "unsubscribe", "manage", "never"):
        with pytest.raises(ValueError, match="reserved"):
            optin_world.commons.add_member(reserved, "Clash")


# --- (b) mail ----------------------------------------------------------------------------
def test_every_mail_carries_one_click_list_unsubscribe_headers(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    mails = w.mails_to(ADA_NORMAL)
    assert len(mails) == 2  # the confirmation, then the notice that it is done
    for mail in mails:
        m = mail.message
        assert m["List-Unsubscribe"].startswith(f"<{w.commons.uris.base}/lists/")
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = m["List-Unsubscribe"].strip("<>")
        assert link in mail.body
    assert "/lists/never/" in mails[0].message["List-Unsubscribe"]  # not list mail
    assert "/lists/unsubscribe/" in mails[1].message["List-Unsubscribe"]


def _dkim_key(tmp_path) -> tuple[Path, bytes]:
    """A fresh RSA key (openssl) and its DNS TXT record, as an operator would publish it."""
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", str(key), "2048"], check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return key, b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)


def test_mail_is_dkim_signed_with_both_list_unsubscribe_headers_in_the_signature(optin_world: OptinWorld, tmp_path) -> None:
    import dkim

    w = optin_world
    key, record = _dkim_key(tmp_path)
    config = w.app.config["DATACOMMONS"].with_(dkim_domain="commons.example", dkim_selector="dc1",
                                               dkim_key_file=str(key))
    signing = Optin(w.commons, config)  # the same system area, as `serve` with DKIM configured
    assert subscribe(w).status == 202
    signing.deliver_due()
    raw = w.mailbox.to(ADA_NORMAL)[-1].raw
    header = message_from_bytes(raw, policy=policy.default)["DKIM-Signature"]
    signed = {h.strip().lower() for h in re.search(r"h=([^;]+)", header).group(1).split(":")}
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= signed
    lookup = lambda name, timeout=5: record if name == b"dc1._domainkey.commons.example." else None  # noqa: E731
    assert dkim.verify(raw, dnsfunc=lookup)
    tampered = raw.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                           b"List-Unsubscribe-Post: List-Unsubscribe=Nope")
    assert not dkim.verify(tampered, dnsfunc=lookup)
    signing.close()


def test_queued_mail_survives_a_restart_and_is_retried_with_backoff(optin_world: OptinWorld) -> None:
    w = optin_world
    down = w.app.config["DATACOMMONS"].with_(smtp_url=f"smtp://127.0.0.1:{free_port()}")
    before = Optin(w.commons, down)  # a commons whose SMTP server is down
    assert subscribe(w).status == 202
    assert before.deliver_due() == (0, 0)
    queued = [q for q in before.outbox.queued() if q.recipient == ADA_NORMAL]
    assert len(queued) == 1 and queued[0].attempts == 1 and queued[0].sent is None
    assert queued[0].last_error.startswith("ConnectionRefusedError")
    before.close()
    after = Optin(w.commons, w.app.config["DATACOMMONS"])  # restarted, the SMTP server back
    assert after.deliver_due() == (0, 0)  # the retry waits its backoff
    assert w.mailbox.to(ADA_NORMAL) == []
    assert after.deliver_due(at=now() + timedelta(minutes=2))[0] == 1
    assert len(w.mailbox.to(ADA_NORMAL)) == 1 and "/confirm/" in w.mailbox.to(ADA_NORMAL)[0].body
    after.close()


def test_serve_warns_when_mail_is_on_and_the_unsubscribe_links_would_not_be_https(optin_world: OptinWorld, capsys) -> None:
    from endpoint.serve import _start_delivery

    w = optin_world
    assert w.commons.uris.base.startswith("http://")
    _start_delivery(w.app, w.commons)
    w.optin.stop_delivery()
    assert "not https" in capsys.readouterr().err


def test_two_server_processes_delivering_at_once_send_each_message_once(optin_world: OptinWorld) -> None:
    from datacommons.mail.smtp import SmtpTransport

    w = optin_world
    other = Optin(w.commons, w.app.config["DATACOMMONS"])  # a second `serve` on the same store

    class SecondWorkerMidSend(SmtpTransport):
        """Sends for real; while the first message goes out, the other worker runs its round."""

        def send(self, sender: str, recipient: str, raw: bytes) -> None:
            super().send(sender, recipient, raw)
            if not hasattr(self, "raced"):
                self.raced = other.deliver_due()

    assert subscribe(w).status == 202
    assert subscribe(w, "grace.hopper@example.org").status == 202
    transport = SecondWorkerMidSend(w.optin.mail)
    first = w.optin.outbox.deliver_due(transport=transport)
    assert first + transport.raced[0] == 2
    assert len(w.mailbox.to(ADA_NORMAL)) == 1 and len(w.mailbox.to("grace.hopper@example.org")) == 1
    other.close()


# --- (c) subscribing -----------------------------------------------------------------------
def test_subscribing_answers_the_same_whether_or_not_the_address_is_known(optin_world: OptinWorld) -> None:
    w = optin_world
    first = subscribe(w)
    subscribed(w)
    again = subscribe(w)
    stranger = subscribe(w, "someone.else@example.org")
    assert first.status == again.status == stranger.status == 202
    assert first.body == again.body == stranger.body


def test_nothing_is_subscribed_until_the_confirmation_link_is_followed(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribe(w)
    assert [r["status"] for r in w.optin.subscribers("alpha/news")] == ["pending"]
    link = w.link_in(ADA_NORMAL, "confirm")
    assert "confirm" in link
    confirm(w)
    assert [r["status"] for r in w.optin.subscribers("alpha/news")] == ["confirmed"]


def test_a_confirmation_link_works_once(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribe(w)
    link = w.local(w.link_in(ADA_NORMAL, "confirm"))
    token = form_token(fetch(link).text)
    assert form_post(link, {"form_token": token}).status == 200
    replay = form_post(link, {"form_token": token})
    assert replay.status == 410 and "already been used" in replay.text


def test_an_address_that_never_confirms_is_forgotten_after_thirty_days(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)  # Ada confirms; the other never does
    assert subscribe(w, "Never.Confirms@Example.org").status == 202
    w.deliver()
    w.optin.deliver_due(at=now() + timedelta(days=FORGET_UNCONFIRMED_DAYS - 1))
    assert {r["email"] for r in w.optin.subscribers("alpha/news")} == {ADA_NORMAL, "never.confirms@example.org"}
    w.optin.deliver_due(at=now() + timedelta(days=FORGET_UNCONFIRMED_DAYS + 1))
    assert [r["email"] for r in w.optin.subscribers("alpha/news")] == [ADA_NORMAL]
    w.optin.tables.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = (w.commons.path / "system.sqlite3").read_bytes()
    assert b"never.confirms@example.org" not in raw  # its mail went too (kept 30 days)
    assert [e.event for e in w.optin.log.entries("never.confirms@example.org")] == ["subscribe"]  # the proof stays


def test_a_forged_or_expired_confirmation_link_is_refused(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribe(w)
    link = w.local(w.link_in(ADA_NORMAL, "confirm"))
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert fetch(forged).status == 404
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class ThreeDaysAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int((now() - timedelta(days=3)).timestamp())

    request_id = w.optin._serializer("confirm", timed=True).loads(link.rsplit("/", 1)[1])
    old = URLSafeTimedSerializer(w.optin._secret, salt="datacommons-optin-confirm", signer=ThreeDaysAgo)
    expired = old.dumps(request_id)
    reply = fetch(f"{w.url}/lists/confirm/{expired}")
    assert reply.status == 410 and "expired" in reply.text
    assert [r["status"] for r in w.optin.subscribers("alpha/news")] == ["pending"]


def test_repeated_requests_send_at_most_a_few_confirmation_mails_a_day(optin_world: OptinWorld) -> None:
    w = optin_world
    for _ in range(CONFIRMATIONS_PER_DAY + 4):
        assert subscribe(w).status == 202
    assert len(w.mails_to(ADA_NORMAL)) == CONFIRMATIONS_PER_DAY


def test_a_malformed_address_gets_a_clear_answer_and_nothing_is_stored(optin_world: OptinWorld) -> None:
    w = optin_world
    reply = subscribe(w, "not-an-address@")
    assert reply.status == 400 and "email" in reply.text
    assert w.optin.subscribers("alpha/news") == []


def test_a_flood_of_sign_ups_from_one_address_is_rate_limited(optin_world: OptinWorld) -> None:
    w = optin_world
    w.app.extensions.pop("signup_limiter", None)
    w.app.config["DATACOMMONS"] = w.app.config["DATACOMMONS"].with_(subscribe_rate_limit="3/hour")
    answers = [subscribe(w, f"person{i}@example.org").status for i in range(5)]
    assert answers == [202, 202, 202, 429, 429]
    assert len(w.optin.subscribers("alpha/news")) == 3


def test_every_consent_request_names_operator_and_member_with_addresses_and_contacts(optin_world: OptinWorld) -> None:
    w = optin_world
    for path in ("/lists", "/lists/alpha/news", "/lists/embed"):
        page = fetch(w.url + path).text
        assert "Consent is sought by Commons Operators Co-op" in page
        assert "on behalf of Alpha Federation" in page
        assert "1 Commons Way, Ottawa" in page and "hello@commons.example" in page
        assert "10 Alpha St, Winnipeg" in page and "news@alpha.example" in page
        assert "withdraw your consent at any time" in page


def test_the_public_form_needs_its_form_token(optin_world: OptinWorld) -> None:
    w = optin_world
    reply = form_post(f"{w.url}/lists/subscribe", {"email": ADA, "list": "alpha/news"})
    assert reply.status == 403
    assert w.optin.subscribers("alpha/news") == []


# --- (d) consent log -----------------------------------------------------------------------
def test_the_consent_log_records_wording_source_and_truncated_addresses(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    entries = w.optin.log.entries(ADA_NORMAL)
    assert [e.event for e in entries] == ["subscribe", "confirm"]
    text = w.optin.log.wording_text(entries[0].wording)
    assert "Consent is sought by Commons Operators Co-op" in text
    assert entries[0].ip == "127.0.0.0/24" and entries[1].ip == "127.0.0.0/24"
    assert entries[0].source.startswith("api")


def test_the_consent_log_refuses_updates_and_deletes(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    db = sqlite3.connect(w.commons.path / "system.sqlite3")
    for sql in ("UPDATE consent_log SET event = 'confirm'", "DELETE FROM consent_log",
                "DELETE FROM consent_wordings"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only|kept as shown"):
            db.execute(sql)
    db.close()
    assert len(w.optin.log.entries(ADA_NORMAL)) == 2


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribe(w, headers_address := "first@example.org", **{"X-Forwarded-For": "203.0.113.9"})
    assert w.optin.log.entries(headers_address)[0].ip == "127.0.0.0/24"
    w.app.config["DATACOMMONS"] = w.app.config["DATACOMMONS"].with_(trusted_proxies=frozenset({"127.0.0.1"}))
    subscribe(w, "second@example.org", **{"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    assert w.optin.log.entries("second@example.org")[0].ip == "203.0.113.0/24"


def test_a_person_downloads_a_signed_consent_receipt_from_the_manage_link(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    manage = w.local(w.link_in(ADA_NORMAL, "manage"))
    receipt = json.loads(fetch(manage + "/receipt.json").text)
    assert receipt["receipt"]["address"] == ADA_NORMAL
    assert [e["event"] for e in receipt["receipt"]["entries"]] == ["subscribe", "confirm"]
    assert w.optin.check_receipt(receipt)
    receipt["receipt"]["entries"].pop()
    assert not w.optin.check_receipt(receipt)


def test_erasure_keeps_only_a_keyed_hmac_and_the_unsubscribe_is_honoured(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w, lst="beta/updates")
    manage = w.local(w.link_in(ADA_NORMAL, "manage"))
    page = fetch(manage).text
    assert form_post(manage + "/erase", {"form_token": form_token(page)}).status == 200
    w.deliver()  # the member's webhook learns of the unsubscribe; then nothing holds the address
    assert w.receiver.events[-1] == {**w.receiver.events[-1], "event": "unsubscribe", "email": ADA_NORMAL}
    wal = w.commons.path / "system.sqlite3-wal"
    w.optin.tables.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = (w.commons.path / "system.sqlite3").read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert ADA_NORMAL.encode() not in raw
    import hashlib

    assert hashlib.sha256(ADA_NORMAL.encode()).hexdigest().encode() not in raw  # no plain hash
    assert w.optin.is_suppressed(ADA_NORMAL)
    before = len(w.mailbox.to(ADA_NORMAL))
    assert subscribe(w, ADA, "beta/updates").status == 202
    assert len(w.mails_to(ADA_NORMAL)) == before  # never emailed again
    assert fetch(manage).status == 404


# --- (e) unsubscribing ---------------------------------------------------------------------
def test_one_click_unsubscribe_needs_no_cookie_or_csrf_answers_200_and_is_idempotent(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    notice = w.mails_to(ADA_NORMAL)[-1].message
    url = w.local(notice["List-Unsubscribe"].strip("<>"))
    first = form_post(url, {"List-Unsubscribe": "One-Click"})
    assert first.status == 200 and "location" not in first.headers and "set-cookie" not in first.headers
    assert [r["status"] for r in w.optin.subscribers("alpha/news")] == ["unsubscribed"]
    again = form_post(url, {"List-Unsubscribe": "One-Click"})
    assert again.status == 200
    assert [e.event for e in w.optin.log.entries(ADA_NORMAL)] == ["subscribe", "confirm", "unsubscribe"]


def test_opening_the_unsubscribe_link_only_shows_a_button(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    url = w.local(w.link_in(ADA_NORMAL, "unsubscribe"))
    page = fetch(url)
    assert page.status == 200 and "<button" in page.text
    assert [r["status"] for r in w.optin.subscribers("alpha/news")] == ["confirmed"]


def test_unsubscribe_and_manage_links_still_work_after_sixty_days(optin_world: OptinWorld) -> None:
    """The links carry no expiry: a token made 400 days ago (signed with the same key) works."""
    w = optin_world
    subscribed(w)
    sub_id = w.optin.subscriptions_of(1)[0].id
    token = w.optin.link("unsubscribe", sub_id).rsplit("/", 1)[1]
    assert w.optin._load("unsubscribe", token) == sub_id  # untimed: age is never checked
    assert form_post(f"{w.url}/lists/unsubscribe/{token}", {"List-Unsubscribe": "One-Click"}).status == 200


def test_a_person_manages_every_subscription_across_members_from_one_link(optin_world: OptinWorld) -> None:
    w = optin_world
    assert subscribe(w).status == 202
    page = fetch(f"{w.url}/lists").text
    reply = form_post(f"{w.url}/lists/subscribe", [("form_token", form_token(page)), ("email", ADA),
                                                   ("list", "beta/updates")])
    assert reply.status == 200 and "Check your inbox" in reply.text
    for link in w.links_in(ADA_NORMAL, "confirm"):
        link = w.local(link)
        assert form_post(link, {"form_token": form_token(fetch(link).text)}).status == 200
    manage = w.local(w.link_in(ADA_NORMAL, "manage"))
    page = fetch(manage).text
    assert 'data-list="alpha/news"' in page and 'data-list="beta/updates"' in page
    form_post(manage + "/unsubscribe", {"form_token": form_token(page), "list": "beta/updates"})
    statuses = {s.list: s.status for s in w.optin.subscriptions_of(1)}
    assert statuses == {"alpha/news": "confirmed", "beta/updates": "unsubscribed"}


# --- (f) export and webhooks ---------------------------------------------------------------
def test_a_member_exports_every_status_with_consent_timestamps_as_csv_and_json(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    subscribe(w, "pending.person@example.org")
    url = f"{w.url}/api/lists/alpha/news/subscribers"
    csv_reply = fetch(url, headers=bearer(w.tokens["alpha"]))
    assert csv_reply.status == 200 and csv_reply.headers["content-type"].startswith("text/csv")
    lines = csv_reply.text.splitlines()
    assert lines[0] == "email,status,source,requested,confirmed,unsubscribed"
    assert any(l.startswith(f"{ADA_NORMAL},confirmed,") for l in lines)
    assert any(l.startswith("pending.person@example.org,pending,") for l in lines)
    rows = json.loads(fetch(url, headers={**bearer(w.tokens["alpha"]), "Accept": "application/json"}).text)["subscribers"]
    ada = next(r for r in rows if r["email"] == ADA_NORMAL)
    assert ada["requested"] and ada["confirmed"] and ada["unsubscribed"] is None


def test_another_member_the_public_and_admins_cannot_export_a_members_subscribers(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    url = f"{w.url}/api/lists/alpha/news/subscribers"
    assert fetch(url).status == 401
    assert fetch(url, headers=bearer(w.tokens["beta"])).status == 403
    assert fetch(url, headers=bearer(w.tokens["admin"])).status == 403


def test_webhooks_are_signed_retried_and_shown_until_acknowledged(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w, lst="beta/updates")
    w.deliver()
    assert [e["event"] for e in w.receiver.events] == ["subscribe"]
    w.receiver.status = 500  # the member's receiver is down
    url = w.local(w.link_in(ADA_NORMAL, "unsubscribe"))
    form_post(url, {"List-Unsubscribe": "One-Click"})
    w.deliver()
    pending = w.optin.webhooks.unacknowledged("beta")
    assert [p["email"] for p in pending] == [ADA_NORMAL] and pending[0]["attempts"] == 1
    page = fetch(f"{w.url}/member/lists", headers=bearer(w.tokens["beta"])).text
    assert ADA_NORMAL in page and "not acknowledged" in page
    w.receiver.status = 200
    w.optin.deliver_due()  # too early: the retry waits its backoff
    assert len(w.receiver.events) == 1
    w.optin.deliver_due(at=now() + timedelta(minutes=2))
    assert [e["event"] for e in w.receiver.events] == ["subscribe", "unsubscribe"]
    assert w.receiver.bad_signatures == 0
    assert w.optin.webhooks.unacknowledged("beta") == []


# --- (h) the leak matrix -----------------------------------------------------------------
AUDIENCES = ("public", "alpha", "beta", "admin")


def _headers(w: OptinWorld, audience: str) -> dict:
    return {} if audience == "public" else bearer(w.tokens[audience])


@pytest.mark.parametrize("audience", AUDIENCES)
def test_no_subscriber_address_reaches_any_read_path(optin_world: OptinWorld, audience: str) -> None:
    w = optin_world
    subscribed(w)
    subscribed(w, "Grace.Hopper@Example.org", "beta/updates")
    secrets_ = [ADA_NORMAL, "grace.hopper@example.org", "lovelace", "hopper", w.receiver.secret.lower()]
    h = _headers(w, audience)
    query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    paths = [
        f"/sparql?query={quote(query)}",
        f"/sparql?query={quote('CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }')}",
        "/dumps/commons.nq.gz", "/id/list/alpha/news", "/id/list/beta/updates", "/id/member/alpha",
        "/api/lists", "/api/lists/alpha/news", "/lists", "/lists/alpha/news", "/lists/embed",
        "/search?q=lovelace", "/api/search?q=lovelace", "/api/search?q=ada", "/void", "/catalog",
        "/member/lists", "/sitemap.xml",
    ]
    for path in paths:
        reply = fetch(w.url + path, headers={**h, "Accept": "*/*"})
        body = reply.body
        if path.endswith(".gz") and reply.status == 200:
            import gzip

            body = gzip.decompress(body)
        text = body.decode("utf-8", "replace").lower()
        for secret in secrets_:
            if "q=" in path and secret in path:
                continue  # a search page shows the words searched for; the address must not appear
            if audience == "alpha" and path == "/member/lists" and secret == ADA_NORMAL:
                continue  # a member reads its own subscribers on its own page (none here: no unsubscribes)
            assert secret not in text, (audience, path, secret)
    out = io.BytesIO()
    from datacommons.audience import ADMIN, ANONYMOUS, member_audience

    for who in (ANONYMOUS, ADMIN, member_audience("alpha"), member_audience("beta")):
        w.commons.dump(out, who)
    assert not any(s.encode() in out.getvalue().lower() for s in secrets_)


def test_admins_see_counts_not_addresses_on_the_member_page(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    page = fetch(f"{w.url}/member/lists", headers=bearer(w.tokens["admin"])).text
    assert 'data-list="alpha/news"' in page and ADA_NORMAL not in page


def test_the_public_sees_a_subscriber_count_only_when_the_member_allows_it(optin_world: OptinWorld) -> None:
    w = optin_world
    subscribed(w)
    assert "subscribers" not in json.loads(fetch(f"{w.url}/api/lists/alpha/news").text)
    w.optin.lists.set("alpha", "news", public_count=True)
    assert json.loads(fetch(f"{w.url}/api/lists/alpha/news").text)["subscribers"] == 1
