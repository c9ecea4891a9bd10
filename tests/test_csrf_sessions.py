"""A signed-in browser cannot be made to write by another site, and its cookie is a session
the server can end, not the member's API token (issue 11, finding 7). Real server, real
cookies."""
from __future__ import annotations

import json
import re

from flask.sessions import SecureCookieSessionInterface

from .conftest import CORE_CSV, Server
from .test_imports_http import _cookie, multipart, names, post_form, upload
from .test_reconcile import BETA
from .webclient import bearer, fetch

EVIL = {"Origin": "https://evil.example"}
CHANGED = CORE_CSV.replace("Red Door Bakery Co-op", "Red Door Bakery Cooperative")


def sign_in(server: Server, token: str) -> tuple[dict[str, str], str, str]:
    """Sign in through the form as a browser does: (cookie header, CSRF token, raw cookie)."""
    form = fetch(f"{server.url}/imports")
    form_csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    signed_in = post_form(f"{server.url}/imports/sign-in", {"token": token, "csrf": form_csrf},
                          headers={"Cookie": _cookie(form)})
    assert signed_in.status == 303, signed_in.text
    cookie = {"Cookie": _cookie(signed_in)}
    page = fetch(f"{server.url}/imports", headers=cookie)
    return cookie, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1), _cookie(signed_in)


def test_another_site_cannot_import_roll_back_or_decide_with_the_signed_in_cookie(server: Server) -> None:
    tokens = server.world.tokens
    cookie, csrf, _ = sign_in(server, tokens["alpha"])
    body, content_type = multipart({"member": "alpha"}, {"file": ("coops.csv", CHANGED)})
    forged_upload = fetch(f"{server.url}/api/imports", method="POST", data=body,
                          headers={**cookie, **EVIL, "Content-Type": content_type})
    assert forged_upload.status == 403, forged_upload.text
    rollback = fetch(f"{server.url}/api/imports/alpha/1/rollback", method="POST", data=b"",
                     headers={**cookie, **EVIL})
    assert rollback.status == 403, rollback.text

    preview = json.loads(upload(server, tokens["alpha"], CHANGED).body)
    forged_commit = fetch(preview["commit"], method="POST", data=b"", headers={**cookie, **EVIL})
    assert forged_commit.status == 403
    no_token = fetch(preview["commit"], method="POST", data=b"", headers=cookie)  # same site, no token
    assert no_token.status == 403
    assert fetch(preview["discard"], method="DELETE", headers={**cookie, **EVIL}).status == 403
    assert "Red Door Bakery Cooperative" not in names(server)  # nothing written
    # a stolen CSRF token from another origin is refused too
    assert fetch(preview["commit"], method="POST", data=b"",
                 headers={**cookie, **EVIL, "X-CSRF-Token": csrf}).status == 403
    # the member's own page script: same site, the session's token
    committed = fetch(preview["commit"], method="POST", data=b"", headers={**cookie, "X-CSRF-Token": csrf})
    assert committed.status == 200, committed.text
    assert "Red Door Bakery Cooperative" in names(server)

    # an administrator's review decision, forged
    beta = json.loads(upload(server, tokens["beta"], BETA, "beta.csv").body)
    fetch(beta["commit"], method="POST", headers=bearer(tokens["beta"]), data=b"")
    pair = json.loads(fetch(f"{server.url}/api/review", headers=bearer(tokens["admin"])).body)["pairs"][0]
    admin_cookie, admin_csrf, _ = sign_in(server, tokens["admin"])
    decision = json.dumps({"a": pair["a"], "b": pair["b"], "decision": "reject"}).encode()
    forged = fetch(f"{server.url}/api/review/decisions", method="POST", data=decision,
                   headers={**admin_cookie, **EVIL, "Content-Type": "application/json"})
    assert forged.status == 403, forged.text
    assert len(json.loads(fetch(f"{server.url}/api/review", headers=bearer(tokens["admin"])).body)["pairs"]) == 1
    # a bearer token needs no CSRF token: browsers never send one on their own
    decided = fetch(f"{server.url}/api/review/decisions", method="POST", data=decision,
                    headers={**bearer(tokens["admin"]), **EVIL, "Content-Type": "application/json"})
    assert decided.status == 200, decided.text


def test_the_session_cookie_holds_no_token_and_signing_out_ends_the_session(server: Server) -> None:
    token = server.world.tokens["alpha"]
    cookie, csrf, raw = sign_in(server, token)
    content = SecureCookieSessionInterface().get_signing_serializer(server.app).loads(raw.split("=", 1)[1])
    assert token not in json.dumps(content) and "sid" in content

    assert fetch(f"{server.url}/api/imports", headers=cookie).status == 200
    assert post_form(f"{server.url}/imports/sign-out", {"csrf": csrf}, headers=cookie).status == 303
    replayed = fetch(f"{server.url}/api/imports", headers=cookie)  # the old cookie, kept by a thief
    assert replayed.status == 401, replayed.text


def test_revoking_the_token_ends_its_browser_sessions(server: Server) -> None:
    cookie, _, _ = sign_in(server, server.world.tokens["alpha"])
    assert fetch(f"{server.url}/api/imports", headers=cookie).status == 200
    server.world.commons.system.revoke_tokens("alpha")
    assert fetch(f"{server.url}/api/imports", headers=cookie).status == 401
