"""The OpenAPI description of the mailing lists API (`endpoint/optin.py`): list descriptions
(public), sign-up (public, double opt-in), a member's lists and its subscriber export (the
member's token). Kept beside `api_docs.py` so each module stays one screen of schema."""
from __future__ import annotations

MEMBER_TOKEN = [{"memberToken": []}]
_PATH = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in ("member", "list_id")]

MAILING_LIST = {
    "type": "object", "required": ["member", "id", "name", "iri", "subscribe", "consent_text"],
    "properties": {
        "member": {"type": "string"}, "id": {"type": "string"}, "name": {"type": "string"},
        "member_name": {"type": "string"},
        "descriptions": {"type": "object", "additionalProperties": {"type": "string"},
                         "description": "By language: en, fr, es."},
        "language": {"type": ["string", "null"]}, "topics": {"type": "array", "items": {"type": "string"}},
        "frequency": {"type": ["string", "null"]}, "postal_address": {"type": ["string", "null"]},
        "contact": {"type": "string"}, "iri": {"type": "string", "format": "iri"},
        "subscribe": {"type": "string", "format": "uri"},
        "consent_text": {"type": "string", "description": "The consent wording a sign-up form must show (CASL)."},
        "subscribers": {"type": "integer", "description": "Confirmed subscribers; only when the member allows it."},
        "webhook_secret": {"type": "string", "description": "In the answer that made the webhook, once."},
    },
}

_LIST_FIELDS = {"type": "object", "properties": {
    "name": {"type": "string"}, "descriptions": {"type": "object", "additionalProperties": {"type": "string"}},
    "language": {"type": "string"}, "topics": {"type": "array", "items": {"type": "string"}},
    "frequency": {"type": "string"}, "postal_address": {"type": "string"}, "contact": {"type": "string"},
    "public_count": {"type": "boolean"}, "webhook_url": {"type": "string", "format": "uri"}}}

_SUBSCRIBER = {"type": "object", "properties": {
    "email": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "confirmed", "unsubscribed", "suppressed"]},
    "source": {"type": ["string", "null"]}, "requested": {"type": "string"},
    "confirmed": {"type": ["string", "null"]}, "unsubscribed": {"type": ["string", "null"]}}}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def paths() -> dict[str, object]:
    return {
        "/api/lists": {"get": {
            "summary": "Every member's mailing lists (descriptions only, never subscribers)",
            "responses": {"200": _json("The lists.", {"type": "object", "properties": {
                "lists": {"type": "array", "items": MAILING_LIST}}})}}},
        "/api/lists/{member}/{list_id}": {
            "parameters": _PATH,
            "get": {"summary": "One mailing list", "responses": {
                "200": _json("The list.", MAILING_LIST), "404": {"description": "No such list."}}},
            "put": {"summary": "Create or change a member's list (the member or an administrator)",
                    "security": MEMBER_TOKEN,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": _LIST_FIELDS}}},
                    "responses": {"200": _json("Changed.", MAILING_LIST), "201": _json("Made.", MAILING_LIST),
                                  "400": {"description": "A field the body names is wrong."},
                                  "401": {"description": "No token."}, "403": {"description": "Another member's list."}}},
            "delete": {"summary": "Remove a list (its consent records are kept)", "security": MEMBER_TOKEN,
                       "responses": {"204": {"description": "Removed."}, "401": {"description": "No token."},
                                     "403": {"description": "Another member's list."}, "404": {"description": "No such list."}}},
        },
        "/api/lists/{member}/{list_id}/subscribe": {
            "parameters": _PATH,
            "post": {
                "summary": "Ask to subscribe an address (double opt-in)",
                "description": "Nothing is subscribed: a signed, expiring confirmation link (its URL contains "
                               "`confirm`) is mailed to the address. The answer is the same whether or not the "
                               "address is known; a few confirmation mails a day at most go to one address.",
                "requestBody": {"required": True, "content": {m: {"schema": {
                    "type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}}}
                    for m in ("application/json", "application/x-www-form-urlencoded")}},
                "responses": {"202": _json("Accepted.", {"type": "object", "properties": {
                    "status": {"type": "string"}, "message": {"type": "string"}}}),
                    "400": {"description": "The address is malformed (the body says how) or missing."},
                    "404": {"description": "No such list."},
                    "429": {"description": "Too many sign-ups from this address or network."}}},
        },
        "/api/lists/{member}/{list_id}/subscribers": {
            "parameters": _PATH,
            "get": {
                "summary": "A member's export of its list's subscribers, in every status",
                "description": "CSV by default, JSON with `Accept: application/json`. Only the list's own "
                               "member: not another member, not an administrator.",
                "security": MEMBER_TOKEN,
                "responses": {"200": {"description": "One row per address with its status and consent timestamps.",
                                      "content": {"text/csv": {}, "application/json": {"schema": {
                                          "type": "object", "properties": {
                                              "list": {"type": "string"},
                                              "subscribers": {"type": "array", "items": _SUBSCRIBER}}}}}},
                              "401": {"description": "No token."}, "403": {"description": "Not this list's member."},
                              "404": {"description": "No such list."}}},
        },
    }
