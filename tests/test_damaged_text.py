"""A member who uploads a file with NUL bytes or broken UTF-8 is told which row and field hold
them, in the preview, before anything is written; nothing is dropped without a word, and the
rest of a UTF-8 file keeps its accents. Over real HTTP."""
from __future__ import annotations

import json
import uuid

from .conftest import Server
from .webclient import Reply, bearer, fetch

HEADER = b"id,name,locality,region,country\n"


def upload_bytes(server: Server, token: str, data: bytes, name: str = "coops.csv") -> Reply:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return fetch(f"{server.url}/api/imports", data=body, method="POST",
                 headers={**bearer(token), "Content-Type": f"multipart/form-data; boundary={boundary}"})


def _warnings(reply: Reply) -> list[dict]:
    assert reply.status == 201, reply.text
    return json.loads(reply.body)["warnings"]


def test_a_nul_byte_in_an_upload_is_reported_with_its_row_and_field(server: Server) -> None:
    data = HEADER + b"n-1,Nul\x00Bakery,Regina,SK,CA\nn-2,Plain Bakery,Regina,SK,CA\n"
    warnings = _warnings(upload_bytes(server, server.world.tokens["beta"], data))
    nul = [w for w in warnings if "NUL" in w["message"]]
    assert [(w["position"], w["field"]) for w in nul] == [("row 2", "name")]
    assert nul[0]["value"] == "NulBakery"


def test_broken_utf8_is_reported_with_its_row_and_field_and_the_accents_survive(server: Server) -> None:
    data = HEADER + "n-1,Café Solidaire,Montréal,QC,CA\n".encode() + b"n-2,Bad\xff Bakery,Regina,SK,CA\n"
    reply = upload_bytes(server, server.world.tokens["beta"], data)
    warnings = _warnings(reply)
    broken = [w for w in warnings if "not valid UTF-8" in w["message"]]
    assert [(w["position"], w["field"]) for w in broken] == [("row 3", "name")]
    preview = json.loads(reply.body)
    assert "Café Solidaire" in json.dumps(preview["diff"]["rows"], ensure_ascii=False)
    assert "CafÃ©" not in json.dumps(preview["diff"]["rows"], ensure_ascii=False)


