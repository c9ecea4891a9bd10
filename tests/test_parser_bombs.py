"""A member's upload cannot make the server allocate without bound: RDF/XML with DTD entities
("billion laughs") is refused before any parser reads it, and no single value may exceed
65,536 characters. Both are sent over real HTTP to POST /api/imports; what was stored stays."""
from __future__ import annotations

import json
import uuid

from datacommons.audience import ADMIN

from .conftest import CORE_CSV, Server
from .webclient import Reply, bearer, fetch

NAMES = "SELECT ?n WHERE { ?s <http://purl.org/goodrelations/v1#name> ?n }"

# The classic: ten entities, each ten of the one before; "lol9" expands to 10^9 "lol"s (3 GB).
BILLION_LAUGHS = """\
<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ess="http://purl.org/essglobal/vocab/"
         xmlns:gr="http://purl.org/goodrelations/v1#">
 <ess:SSEInitiative rdf:about="http://example.org/laughs">
  <gr:name>&lol9;</gr:name>
 </ess:SSEInitiative>
</rdf:RDF>
"""


def upload(server: Server, member: str, name: str, data: bytes) -> Reply:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return fetch(f"{server.url}/api/imports", data=body, method="POST", headers={
        **bearer(server.world.tokens[member]), "Content-Type": f"multipart/form-data; boundary={boundary}",
    })


def names(server: Server) -> set[str]:
    return {r["n"].value for r in server.world.commons.query(NAMES, ADMIN)}


def test_a_billion_laughs_rdf_xml_upload_is_refused_before_it_is_parsed(server: Server) -> None:
    assert len(BILLION_LAUGHS) < 1100  # about a kilobyte
    before = names(server)
    reply = upload(server, "alpha", "laughs.rdf", BILLION_LAUGHS.encode())
    assert reply.status == 422, reply.text
    assert "laughs.rdf" in reply.text and "line 3" in reply.text and "ENTITY" in reply.text
    assert names(server) == before


def test_rdf_xml_without_entities_is_still_read(server: Server) -> None:
    plain = BILLION_LAUGHS.split("<rdf:RDF", 1)[1].replace("&lol9;", "Laughing Co-op")
    reply = upload(server, "beta", "plain.rdf", b'<?xml version="1.0"?>\n<rdf:RDF' + plain.encode())
    assert reply.status in (200, 201), reply.text
    assert "Laughing Co-op" in reply.text


def test_a_value_longer_than_the_cap_is_an_error_naming_its_row_and_field(server: Server) -> None:
    header, first, *rest = CORE_CSV.splitlines()
    cells = first.split(",")
    cells[2] = "x" * 70_000  # the description
    text = "\n".join([header, ",".join(cells), *rest]) + "\n"
    before = names(server)
    reply = upload(server, "alpha", "long.csv", text.encode())
    assert reply.status in (200, 201), reply.text
    preview = json.loads(reply.body)
    errors = preview["errors"]
    assert any(p["position"] == "row 2" and p["field"] == "description" and "70,000 characters" in p["message"]
               for p in errors), errors
    assert len(reply.body) < 20_000  # the preview does not carry the value back
    commit = fetch(f"{server.url}/api/imports/previews/{preview['preview']}/commit", method="POST",
                   headers=bearer(server.world.tokens["alpha"]), data=b"")
    assert commit.status == 422, commit.text
    assert names(server) == before
