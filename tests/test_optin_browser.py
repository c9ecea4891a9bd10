"""The whole opt-in story in a real browser (Debian's Chromium, driven by Playwright): a person on
one member's own website (another origin) signs up to another member's list through the
embedded form, reads the confirmation mail from the real SMTP server, confirms in the browser,
shows up in the member's export, unsubscribes with an RFC 8058 one-click POST, and the member's
webhook receiver and the consent log see every step."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from .live import static_site
from .optin_world import OptinWorld, form_post, optin_world  # noqa: F401
from .test_browser import CHROMIUM, browser, page  # noqa: F401
from .webclient import bearer, fetch

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (scripts/test installs it)"
)

PERSON = "Worker.Person@Example.org"
PERSON_NORMAL = "worker.person@example.org"


@pytest.fixture
def alpha_site(tmp_path: Path, optin_world: OptinWorld) -> Iterator[str]:
    """Alpha's own website, on another origin, with beta's sign-up form in an iframe."""
    site = tmp_path / "alpha-site"
    site.mkdir()
    (site / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alpha Federation</title></head><body>
<h1>Hear from our sister federation</h1>
<iframe src="{optin_world.url}/lists/embed?list=beta/updates" title="Mailing list sign-up"
        width="600" height="600"></iframe>
</body></html>""", encoding="utf-8")
    with static_site(site) as url:
        yield url


def test_a_person_signs_up_from_another_members_site_confirms_and_unsubscribes_in_one_click(
    optin_world: OptinWorld, alpha_site: str, page,  # noqa: F811
) -> None:
    w = optin_world
    page.goto(alpha_site)
    form = page.frame_locator("iframe[title='Mailing list sign-up']")
    box = form.get_by_role("checkbox")
    assert box.count() == 1 and not box.is_checked()  # never pre-ticked
    consent = form.locator("[data-consent='beta/updates']").inner_text()
    assert "Consent is sought by Commons Operators Co-op" in consent and "withdraw" in consent
    box.check()
    form.get_by_label("Your email address").fill(PERSON)
    form.get_by_role("button", name="Send me a confirmation link").click()
    form.get_by_role("status").wait_for()
    assert form.locator("h1").inner_text() == "Check your inbox"
    assert page.context.cookies() == []  # the embedded form sets no (third-party) cookie
    assert w.optin.subscribers("beta/updates")[0]["status"] == "pending"

    # The confirmation mail arrives at the real SMTP server; the person follows its link.
    confirm_link = w.local(w.link_in(PERSON_NORMAL, "confirm"))
    assert "confirm" in confirm_link
    page.goto(confirm_link)
    page.get_by_role("button", name="Yes, subscribe me").click()
    page.get_by_text("You are subscribed to: Beta Updates").wait_for()

    # The member sees the person in its export, with the consent timestamps.
    export = fetch(f"{w.url}/api/lists/beta/updates/subscribers", headers=bearer(w.tokens["beta"]))
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["email"], r["status"]) for r in rows] == [(PERSON_NORMAL, "confirmed")]
    assert rows[0]["requested"] and rows[0]["confirmed"] and not rows[0]["unsubscribed"]
    site_origin = alpha_site.rsplit("/", 1)[0] + "/"
    assert rows[0]["source"] == f"form /lists/embed?list=beta/updates on {site_origin}"  # which site's form

    # The mail provider's one-click POST (RFC 8058): no cookie, no CSRF token, 200.
    notice = w.mails_to(PERSON_NORMAL)[-1].message
    one_click = w.local(notice["List-Unsubscribe"].strip("<>"))
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    reply = form_post(one_click, {"List-Unsubscribe": "One-Click"})
    assert reply.status == 200

    w.deliver()  # the member's webhook receiver hears of both steps, signed
    assert [(e["event"], e["email"]) for e in w.receiver.events] == [
        ("subscribe", PERSON_NORMAL), ("unsubscribe", PERSON_NORMAL)]
    assert w.receiver.bad_signatures == 0
    trail = w.optin.log.entries(PERSON_NORMAL)
    assert [e.event for e in trail] == ["subscribe", "confirm", "unsubscribe"]
    assert "Beta Updates" in w.optin.log.wording_text(trail[0].wording)
