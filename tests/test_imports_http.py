"""A member reviews an import over HTTP before anything is written, commits or discards it, sees
its history and rolls back; administrators review uncertain matches. Real server, real tokens."""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode

from datacommons.audience import ADMIN

from .conftest import BASE, CORE_CSV, Server
from .test_reconcile import BETA, PHONE, RED_DOOR
from .webclient import Reply, bearer, fetch

CHANGED = CORE_CSV.replace("Red Door Bakery Co-op", "Red Door Bakery Cooperative").replace(
    "rd-2,Prairie Harvest", "rd-9,Prairie Harvest"
)
NAMES = "SELECT ?n WHERE { ?s <http://purl.org/goodrelations/v1#name> ?n }"


def multipart(fields: dict[str, str], files: dict[str, tuple[str, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    for name, (filename, text) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n{text}\r\n')
    body = ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8")
    return body, f"multipart/form-data; boundary={boundary}"


def upload(server: Server, token: str, text: str, name: str = "coops.csv", **fields: str) -> Reply:
    body, content_type = multipart(fields, {"file": (name, text)})
    return fetch(f"{server.url}/api/imports", data=body, method="POST",
                 headers={**bearer(token), "Content-Type": content_type})


def names(server: Server) -> set[str]:
    return {r["n"].value for r in server.world.commons.query(NAMES, ADMIN)}


def test_a_member_previews_an_upload_then_commits_it(server: Server) -> None:
    token = server.world.tokens["alpha"]
    reply = upload(server, token, CHANGED)
    assert reply.status == 201, reply.text
    preview = json.loads(reply.body)
    assert (preview["diff"]["added"], preview["diff"]["removed"], preview["diff"]["changed"]) == (1, 1, 1)
    assert ["->", "rd-1"] == preview["diff"]["rows"][1][:2] or any(r[0] == "->" for r in preview["diff"]["rows"])
    assert "Red Door Bakery Cooperative" not in names(server)  # nothing written yet

    again = fetch(f"{server.url}/api/imports/previews/{preview['preview']}", headers=bearer(token))
    assert json.loads(again.body)["diff"]["summary"] == preview["diff"]["summary"]
    committed = fetch(preview["commit"], method="POST", headers=bearer(token), data=b"")
    assert committed.status == 200, committed.text
    assert json.loads(committed.body)["number"] == 2
    assert "Red Door Bakery Cooperative" in names(server)
    history = json.loads(fetch(f"{server.url}/api/imports", headers=bearer(token)).body)
    assert [i["number"] for i in history["imports"]] == [2, 1]


def test_a_discarded_preview_cannot_be_committed(server: Server) -> None:
    token = server.world.tokens["alpha"]
    preview = json.loads(upload(server, token, CHANGED).body)
    assert fetch(preview["discard"], method="DELETE", headers=bearer(token)).status == 204
    reply = fetch(preview["commit"], method="POST", headers=bearer(token), data=b"")
    assert reply.status == 410 and "upload the file again" in reply.text
    assert "Red Door Bakery Cooperative" not in names(server)


def test_a_stale_preview_is_refused_with_a_clear_message(server: Server) -> None:
    token = server.world.tokens["alpha"]
    first = json.loads(upload(server, token, CHANGED).body)
    second = json.loads(upload(server, token, CORE_CSV.replace("Grain growers", "Grain"), "b.csv").body)
    assert fetch(first["commit"], method="POST", headers=bearer(token), data=b"").status == 200
    reply = fetch(second["commit"], method="POST", headers=bearer(token), data=b"")
    assert reply.status == 409
    assert "changed since this preview was made" in reply.text and "nothing was written" in reply.text


def test_another_member_can_neither_see_nor_commit_my_preview(server: Server) -> None:
    preview = json.loads(upload(server, server.world.tokens["alpha"], CHANGED).body)
    beta = bearer(server.world.tokens["beta"])
    assert fetch(f"{server.url}/api/imports/previews/{preview['preview']}", headers=beta).status == 403
    assert fetch(preview["commit"], method="POST", headers=beta, data=b"").status == 403
    assert fetch(f"{server.url}/api/imports?member=alpha", headers=beta).status == 403
    assert upload(server, "dct_not-a-token", CHANGED).status == 401


def test_an_invalid_file_shows_its_errors_and_cannot_be_committed(server: Server) -> None:
    token = server.world.tokens["alpha"]
    bad = CHANGED + "rd-10,Broken Co-op,,,,,,,,,,95.0,10.0,,,,,,,\n"
    preview = json.loads(upload(server, token, bad).body)
    assert preview["committable"] is False
    assert {"position": "row 5", "field": "latitude"}.items() <= preview["errors"][0].items()
    reply = fetch(preview["commit"], method="POST", headers=bearer(token), data=b"")
    assert reply.status == 422 and "nothing was written" in reply.text


def test_a_member_sees_each_imports_diff_and_rolls_back_as_a_new_import(server: Server) -> None:
    token = server.world.tokens["alpha"]
    fetch(json.loads(upload(server, token, CHANGED).body)["commit"], method="POST", headers=bearer(token), data=b"")
    past = json.loads(fetch(f"{server.url}/api/imports/alpha/2", headers=bearer(token)).body)
    assert past["diff"]["summary"].startswith("1 added, 1 removed, 1 changed")
    assert fetch(f"{server.url}/api/imports/alpha/2", headers=bearer(server.world.tokens["beta"])).status == 403

    rollback = fetch(f"{server.url}/api/imports/alpha/1/rollback", method="POST", headers=bearer(token), data=b"")
    assert rollback.status == 201, rollback.text
    preview = json.loads(rollback.body)
    assert (preview["diff"]["added"], preview["diff"]["removed"], preview["diff"]["changed"]) == (1, 1, 1)
    assert fetch(preview["commit"], method="POST", headers=bearer(token), data=b"").status == 200
    assert "Red Door Bakery Co-op" in names(server) and "Red Door Bakery Cooperative" not in names(server)
    history = json.loads(fetch(f"{server.url}/api/imports", headers=bearer(token)).body)
    assert history["imports"][0]["number"] == 3 and history["imports"][0]["source"] == "rollback to import 1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a browser's 303 is answered by the test itself, so Set-Cookie is seen


def post_form(url: str, fields: dict[str, str] | None = None, *, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> Reply:
    """POST without following the redirect (fetch follows it and drops Set-Cookie)."""
    data = body if body is not None else urlencode(fields or {}).encode()
    request = urllib.request.Request(url, data=data, headers=headers or {}, method="POST")
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as r:
            return Reply(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Reply(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def test_an_expired_preview_is_refused(server: Server) -> None:
    from loaders.history import history_of

    token = server.world.tokens["alpha"]
    preview = json.loads(upload(server, token, CHANGED).body)
    history_of(server.world.commons)._rows(  # a day passes
        "UPDATE previews SET expires = '2000-01-01T00:00:00+00:00' WHERE id = ?", (preview["preview"],))
    reply = fetch(preview["commit"], method="POST", headers=bearer(token), data=b"")
    assert reply.status == 410 and "expired" in reply.text
    assert "Red Door Bakery Cooperative" not in names(server)


def _cookie(reply: Reply) -> str:
    return reply.headers["set-cookie"].split(";", 1)[0]


def test_a_person_signs_in_in_the_browser_and_commits_with_csrf_protection(server: Server) -> None:
    form = fetch(f"{server.url}/imports")
    anonymous = {"Cookie": _cookie(form)}
    form_csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    token = server.world.tokens["alpha"]
    assert post_form(f"{server.url}/imports/sign-in", {"token": token}, headers=anonymous).status == 403
    signed_in = post_form(f"{server.url}/imports/sign-in", {"token": token, "csrf": form_csrf}, headers=anonymous)
    assert signed_in.status == 303
    flags = signed_in.headers["set-cookie"].lower()
    assert "httponly" in flags and "secure" in flags and "samesite=strict" in flags
    cookie = {"Cookie": _cookie(signed_in)}
    page = fetch(f"{server.url}/imports", headers=cookie)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    body, content_type = multipart({"member": "alpha"}, {"file": ("coops.csv", CHANGED)})
    forged = post_form(f"{server.url}/imports/upload", body=body,
                       headers={**cookie, "Content-Type": content_type})
    assert forged.status == 403  # no CSRF token: refused

    body, content_type = multipart({"member": "alpha", "csrf": csrf}, {"file": ("coops.csv", CHANGED)})
    uploaded = post_form(f"{server.url}/imports/upload", body=body,
                         headers={**cookie, "Content-Type": content_type})
    assert uploaded.status == 303
    preview_page = fetch(server.url + uploaded.headers["location"].removeprefix(server.url), headers=cookie).text
    assert "1 added, 1 removed, 1 changed" in preview_page and "<table" in preview_page
    assert "Red Door Bakery Cooperative" not in names(server)
    commit_url = re.search(r'action="([^"]+/commit)"', preview_page).group(1)
    committed = post_form(server.url + commit_url, {"csrf": csrf}, headers=cookie)
    assert committed.status == 303
    assert "Red Door Bakery Cooperative" in names(server)


def test_administrators_review_uncertain_matches_and_decisions_survive_reimports(server: Server) -> None:
    tokens = server.world.tokens
    assert upload(server, tokens["beta"], BETA, "beta.csv").status == 201
    preview = json.loads(upload(server, tokens["beta"], BETA, "beta.csv").body)
    fetch(preview["commit"], method="POST", headers=bearer(tokens["beta"]), data=b"")
    assert fetch(f"{server.url}/api/review").status == 401
    assert fetch(f"{server.url}/api/review", headers=bearer(tokens["alpha"])).status == 403
    queue = json.loads(fetch(f"{server.url}/api/review", headers=bearer(tokens["admin"])).body)["pairs"]
    assert len(queue) == 1
    pair = queue[0]
    assert [r["member"] for r in pair["records"]] == ["alpha", "beta"]
    assert [r["values"]["name"] for r in pair["records"]] == [["Prairie Harvest Cooperative"], ["Prairie Harvest Co-operative"]]
    assert pair["records"][0]["values"]["phone"] == ["tel:+13065550100"]  # administrators see every level
    assert {"what": "same locality", "points": 1.0} in pair["evidence"]
    admin = {"Accept": "text/html", **bearer(tokens["admin"])}
    page = fetch(f"{server.url}/review", headers=admin).text
    assert "Prairie Harvest Co-operative" in page and "same locality" in page and "Reject" in page
    decided = fetch(f"{server.url}/api/review/decisions", method="POST",
                    data=json.dumps({"a": pair["a"], "b": pair["b"], "decision": "reject"}).encode(),
                    headers={**bearer(tokens["admin"]), "Content-Type": "application/json"})
    assert decided.status == 200, decided.text
    again = json.loads(upload(server, tokens["beta"], BETA.replace("Saskatoon,SK,,CA", "Saskatoon,SK,S7K 1J5,CA"), "beta.csv").body)
    fetch(again["commit"], method="POST", headers=bearer(tokens["beta"]), data=b"")
    assert json.loads(fetch(f"{server.url}/api/review", headers=bearer(tokens["admin"])).body)["pairs"] == []


def test_the_canonical_coop_page_never_shows_a_members_only_phone_to_the_public(server: Server) -> None:
    tokens = server.world.tokens
    preview = json.loads(upload(server, tokens["beta"], BETA, "beta.csv").body)
    fetch(preview["commit"], method="POST", headers=bearer(tokens["beta"]), data=b"")
    path = RED_DOOR[len(BASE):]
    public = fetch(f"{server.url}{path}", headers={"Accept": "text/turtle"})
    assert public.status == 200 and "Red Door Bakery Cooperative" in public.text
    assert "tel:" not in public.text
    page = fetch(f"{server.url}{path}", headers={"Accept": "text/html"})
    assert page.status == 200 and "Red Door Bakery Cooperative" in page.text
    assert "5550142" not in page.text and "555-0142" not in page.text
    member = fetch(f"{server.url}{path}", headers={"Accept": "application/n-quads", **bearer(tokens["beta"])})
    assert "tel:+16125550142" in member.text and "tel:+16125550199" in member.text
    sparql = fetch(f"{server.url}/sparql?" + urlencode({"query": f"SELECT ?p WHERE {{ <{RED_DOOR}> <{PHONE}> ?p }}"}),
                   headers={"Accept": "application/sparql-results+json"})
    assert json.loads(sparql.body)["results"]["bindings"] == []
    search = fetch(f"{server.url}/api/search?" + urlencode({"q": "Red Door"}))
    assert search.status == 200 and RED_DOOR in search.text
    assert "5550142" not in search.text and "5550199" not in search.text


def test_the_canonical_coop_page_shows_where_members_disagree(server: Server) -> None:
    tokens = server.world.tokens
    preview = json.loads(upload(server, tokens["beta"], BETA, "beta.csv").body)
    fetch(preview["commit"], method="POST", headers=bearer(tokens["beta"]), data=b"")
    page = fetch(server.url + RED_DOOR[len(BASE):], headers={"Accept": "text/html", **bearer(tokens["beta"])})
    phone = page.text.split(">Phone", 1)[1].split("</dt>", 1)[0]
    assert "members disagree" in phone  # two members, two numbers: both shown, flagged
    locality = page.text.split(">Locality", 1)[1].split("</dt>", 1)[0]
    assert "members disagree" not in locality  # both say Minneapolis
    public = fetch(server.url + RED_DOOR[len(BASE):], headers={"Accept": "text/html"})
    assert ">Phone" not in public.text


def test_another_member_cannot_read_my_import_history_on_the_web(server: Server) -> None:
    tokens = server.world.tokens
    page = {"Accept": "text/html"}
    other = fetch(f"{server.url}/imports?member=alpha", headers={**page, **bearer(tokens["beta"])})
    assert other.status == 403 and "coops.csv" not in other.text
    assert fetch(f"{server.url}/imports?member=nobody", headers={**page, **bearer(tokens["beta"])}).status in (403, 404)
    own = fetch(f"{server.url}/imports?member=alpha", headers={**page, **bearer(tokens["alpha"])})
    assert own.status == 200
    admin = fetch(f"{server.url}/imports?member=alpha", headers={**page, **bearer(tokens["admin"])})
    assert admin.status == 200
