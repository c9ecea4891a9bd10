"""Normalisation: a raw record's text, checked and turned into typed, comparable values.

Whatever a member's export looked like, the same co-op must come out the same way (same id,
same URL spelling, E.164 phone, ISO country, concept IRIs, multi-valued fields sorted because
RDF keeps no order), so that re-imports diff cleanly and records from different members can
be matched. A value that cannot be understood is an error
naming the row, the field and the value, never silently dropped; the rules, and the reasons
for them, are listed in docs/mapping.md ("How values are cleaned").
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlsplit, urlunsplit

import phonenumbers

from datacommons.fields import EXTRA_COLUMNS, MULTI_VALUED, TEMPLATE_COLUMNS
from datacommons.market.offers import OfferError, parse_offers

from .concepts import ConceptIndex
from .mapping import split_values
from .record import Problem, RawRecord, Record

EARLIEST_YEAR = 1700
DERIVED_ID_LENGTH = 80

_CONCEPT_FIELDS: dict[str, str] = {
    "structure": "structure",
    "activities": "activity",
    "primary_activity": "activity",
    "legal_form": "legal_form",
    "membership_type": "membership_type",
    "qualifiers": "qualifier",
}
_KNOWN = frozenset(TEMPLATE_COLUMNS + EXTRA_COLUMNS)
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._~-]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9\u00a1-\uffff-]{1,63}(?<!-)$")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00a1-\uffff-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u00a1-\uffff-]+)*$")
_COUNT = re.compile(r"^(\d+|\d{1,3}([,\u00a0 ]\d{3})+)(\.0+)?$")
_TRUE = frozenset({"true", "yes", "y", "1", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f"})
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
# Already clean: http(s), lower-case ASCII host with a letter TLD, nothing to escape.
_CLEAN_URL = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?"
    r"(?:[/?#][A-Za-z0-9/%:@!$&'()*+,;=._~?#-]*)?$"
)


T = TypeVar("T")


class _Invalid(ValueError):
    """A value that cannot be used; the message says why, for a person."""


# --- single values ---------------------------------------------------------------------------------
def slug_id(text: str) -> str:
    """A local id as it appears in the record's URI: letters (case kept), digits and -._~.

    Case is kept because members' own ids ("R000123", "QC-77") are what they look records up
    by; anything else becomes "-" and accents are dropped, so the result is URL-safe and the
    same input always gives the same id. Applying it twice changes nothing.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _ID_UNSAFE.sub("-", text).strip("-._~")


def derived_id(name: str, locality: str | None) -> str:
    """The id of a record that has none: a lower-case slug of its name and locality, stable
    across imports as long as those do not change."""
    return slug_id(f"{name} {locality or ''}".lower())[:DERIVED_ID_LENGTH].rstrip("-._~")


def one_line(text: str) -> str:
    return " ".join(text.split())


def web_url(text: str) -> str:
    """An http(s) URL with its host lower-cased; https:// is assumed when no scheme is given."""
    text = text.strip()
    if text.startswith("//"):
        text = "https:" + text
    scheme = _SCHEME.match(text)
    if scheme is None or "." in scheme.group(1):
        text = "https://" + text
    elif scheme.group(1).lower() not in ("http", "https"):
        raise _Invalid(f"only http and https web addresses can be used, not {scheme.group(1)}:")
    if _CLEAN_URL.match(text):
        return text
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as e:
        raise _Invalid(f"not a web address ({e})") from None
    host = parts.hostname or ""
    if not _valid_host(host):
        raise _Invalid("not a web address: the host name is missing or malformed")
    netloc = host if port is None else f"{host}:{port}"
    return urlunsplit((
        parts.scheme.lower(),
        netloc,
        quote(parts.path, safe=_PATH_SAFE),
        quote(parts.query, safe=_PATH_SAFE + "?"),
        quote(parts.fragment, safe=_PATH_SAFE + "?#"),
    ))


def _valid_host(host: str) -> bool:
    labels = host.split(".")
    return (
        len(labels) >= 2
        and all(_HOST_LABEL.match(label) for label in labels)
        and (labels[-1].isalpha() or labels[-1].startswith("xn--"))
        and len(labels[-1]) >= 2
    )


def email_address(text: str) -> tuple[str, list[str]]:
    """An email address with its domain lower-cased (the local part is case-sensitive by the
    standard, so it is kept); returns the extra addresses a cell held, which are left out."""
    text = text.strip().strip("<>")
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):].split("?", 1)[0]
    found = [a.strip("<>") for a in re.split(r"[\s,;]+", text) if a.strip("<>")]
    if not found:
        raise _Invalid("not an email address")
    address = found[0]
    local, at, domain = address.rpartition("@")
    if not at or not _EMAIL_LOCAL.match(local) or not _valid_host(domain.lower()):
        raise _Invalid("not an email address (expected name@example.org)")
    return f"{local}@{domain.lower()}", found[1:]


def phone_number(text: str, country: str | None) -> tuple[str, str | None]:
    """The number in E.164 (+15145550100), read as dialled from `country`; returns also a
    dropped extension. Without a country only an international number (+44...) can be read:
    guessing the country would publish a wrong number as if it were right."""
    text = text.strip()
    if text.lower().startswith("tel:"):
        text = text[4:]
    if country is None and not text.lstrip().startswith(("+", "00")):
        raise _Invalid(
            "no country to read it from (the record has none, and neither the mapping's "
            "phone_country nor the member's default phone country is set)"
        )
    region = country or "ZZ"
    if country is None and text.lstrip().startswith("00"):
        text = "+" + text.lstrip()[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise _Invalid("not a phone number") from None
    if not _valid_phone(number, country):
        where = "" if text.startswith("+") else f" (read as dialled in {region})"
        raise _Invalid(f"not a valid phone number{where}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), number.extension


def _valid_phone(number: phonenumbers.PhoneNumber, country: str | None) -> bool:
    """Checking against the record's own country first is ten times faster than asking which
    of the 25 countries sharing +1 a North American number belongs to."""
    if country and phonenumbers.country_code_for_region(country) == number.country_code:
        if phonenumbers.is_valid_number_for_region(number, country):
            return True
    return phonenumbers.is_valid_number(number)


def coordinate(text: str, limit: int) -> Decimal:
    """A decimal degree; a comma decimal separator ("45,5") is read as a point."""
    text = text.strip().rstrip("°").strip()
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _Invalid("not a number") from None
    if not value.is_finite():
        raise _Invalid("not a number")
    if not -limit <= value <= limit:
        raise _Invalid(f"out of range: must be between -{limit} and {limit}")
    return value


_DATE_FORMATS = (
    "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y",
    "%b, %Y", "%B, %Y", "%b %Y", "%B %Y",
)


DATE_ORDERS = ("dmy", "mdy", "ymd")
# Countries whose people write numeric dates month first (the rest of the world writes the day
# first). Canada is here because English Canada and the North American software most
# directories are kept in write 11/8/1863 for November 8; a source that writes otherwise says
# so with date_order, or shows it by one date whose first number is over 12.
MONTH_FIRST_COUNTRIES = frozenset({"US", "CA", "PR", "GU", "VI", "AS", "MP", "UM", "FM", "MH", "PW", "PH"})
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ORDER_WORDS = {"dmy": "day first (d/m/y)", "mdy": "month first (m/d/y)", "ymd": "year first (y/m/d)"}


def country_date_order(country: str | None) -> str:
    """How numeric dates are written where the record is: the convention its country uses
    (month first in the US and a few others, day first elsewhere; month first when unknown,
    the commons template's convention)."""
    return "mdy" if country is None or country in MONTH_FIRST_COUNTRIES else "dmy"


def founding_date(
    text: str, today: date | None = None, order: str | None = None, fallback: str = "mdy"
) -> str:
    """A founding date as "YYYY", "YYYY-MM" or "YYYY-MM-DD".

    `order` is how the source says it writes numeric dates ("dmy", "mdy", "ymd"): "11/8/1863"
    is 11 August with "dmy" and November 8 with "mdy", and a date the order cannot give is an
    error. Without it, a date that can only be read one way ("25/12/1990") is read that way
    and one that could be read both ways is read in the `fallback` order.
    """
    today = today or date.today()
    text = one_line(text)
    year = month = day = None
    if m := re.fullmatch(r"(\d{4})(\.0)?", text):
        year = int(m.group(1))
    elif m := re.fullmatch(r"(\d{4})[-/](\d{1,2})", text):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})([T ]00:00(:00)?)?", text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text):
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        month, day = _numeric_date_order(first, second, order, fallback)
    elif m := re.fullmatch(r"(\d{1,2})/(\d{4})", text):
        month, year = int(m.group(1)), int(m.group(2))
    else:
        year, month, day = _worded_date(text)
    try:
        when = date(year, month or 1, day or 1)
    except ValueError:
        raise _Invalid("no such date") from None
    if year < EARLIEST_YEAR:
        raise _Invalid(f"before {EARLIEST_YEAR}: check the year")
    if when > today:
        raise _Invalid("in the future")
    if day is not None:
        return when.isoformat()
    return f"{year:04d}-{month:02d}" if month is not None else f"{year:04d}"


def _numeric_date_order(first: int, second: int, order: str | None, fallback: str) -> tuple[int, int]:
    """(month, day) of a numeric date, read in the source's order; a date the order cannot
    give is an error rather than silently read the other way."""
    if order == "ymd":
        raise _Invalid("the source writes dates year first (date_order = \"ymd\"); this one is not")
    if first > 12 and second <= 12:
        if order == "mdy":
            raise _Invalid(f"the source writes dates month first (date_order = \"mdy\"), and there is no month {first}")
        return second, first
    if second > 12 and first <= 12:
        if order == "dmy":
            raise _Invalid(f"the source writes dates day first (date_order = \"dmy\"), and there is no month {second}")
        return first, second
    return (second, first) if (order or fallback) == "dmy" else (first, second)


def settle_date_order(raws: list[RawRecord], concepts: ConceptIndex) -> list[Problem]:
    """Decide, for the `founded` column of a whole file, which way its numeric dates go.

    A source that says its order (a mapping's date_order) is read that way. Otherwise any
    date that can only be read one way ("23/6/1925") decides the column; a column of dates
    that could all be read both ways ("11/8/1863") is read by each record's country
    convention, and a warning says so. Each record that needs it is given the order as a
    hint, which the normaliser reads (and the import's memory of the record includes).
    """
    day_first: RawRecord | None = None
    month_first: RawRecord | None = None
    ambiguous: list[RawRecord] = []
    for raw in raws:
        if "date_order" in raw.hints:
            continue
        m = _NUMERIC_DATE.fullmatch(one_line(raw.values.get("founded", "")))
        if m is None:
            continue
        first, second = int(m.group(1)), int(m.group(2))
        if first > 12 and second <= 12:
            day_first = day_first or raw
        elif second > 12 and first <= 12:
            month_first = month_first or raw
        elif first != second:
            ambiguous.append(raw)
    if not ambiguous:
        return []
    if day_first is not None and month_first is None:
        for raw in ambiguous:
            raw.hints["date_fallback"] = "dmy"
        return []
    if month_first is not None and day_first is None:
        for raw in ambiguous:
            raw.hints["date_fallback"] = "mdy"
        return []
    by_order: dict[str, set[str]] = {"dmy": set(), "mdy": set()}
    for raw in ambiguous:
        country = concepts.resolve("country", raw.values.get("country", "").strip()) if raw.values.get("country", "").strip() else None
        order = raw.hints["date_fallback"] = country_date_order(country)
        by_order[order].add(country or "no country")
    read = "; ".join(
        f"{_ORDER_WORDS[o]} for {', '.join(sorted(cs))}" for o, cs in by_order.items() if cs
    )
    if day_first is not None:
        why = (f"the column has dates written day first ({day_first.position}: "
               f"{day_first.values['founded']!r}) and month first ({month_first.position}: "
               f"{month_first.values['founded']!r})")
    else:
        why = "no date in the column shows which way they go"
    first = ambiguous[0]
    return [Problem(
        first.position, "founded", first.values["founded"],
        f"{len(ambiguous)} founding date(s) could be day/month or month/day and {why}; read "
        f"by each record's country: {read}. Say how the source writes dates with "
        "date_order = \"dmy\" (or \"mdy\", \"ymd\") in the mapping's [source]",
        "warning",
    )]


def _worded_date(text: str) -> tuple[int, int | None, int | None]:
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text, flags=re.I)
    cleaned = re.sub(r"\b([A-Za-z]{3,})\.", r"\1", cleaned).replace("Sept ", "Sep ")
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
        return parsed.year, parsed.month, parsed.day if "%d" in fmt else None
    raise _Invalid(
        "not a date: use a year (1863), 1863-11-08, 11/8/1863 (month/day/year) or Nov 8, 1863"
    )


def head_count(text: str) -> int:
    """A number of people: a whole number, 0 or more; "1,200" and "1 200" are read as 1200."""
    text = text.strip()
    if not _COUNT.match(text):
        raise _Invalid("must be a whole number, 0 or more")
    return int(re.sub(r"[,\u00a0 ]", "", text).split(".")[0])


def flag(text: str) -> bool:
    """Yes/no cells as spreadsheets write them; blank means listed."""
    value = text.strip().lower()
    if value == "" or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _Invalid("must be true or false (yes/no, y/n, 1/0)")


def social_link(text: str) -> str:
    """A profile URL; a bare "@handle" is taken as a Twitter handle."""
    text = text.strip()
    if re.fullmatch(r"@[A-Za-z0-9_]{1,50}", text):
        return "https://twitter.com/" + text[1:]
    return web_url(text)


# --- records -----------------------------------------------------------------------------------------
def normalise(raw: RawRecord, concepts: ConceptIndex) -> tuple[Record | None, list[Problem]]:
    """One raw record as a Record, or None when any value is in error (all are reported)."""
    values = raw.values
    problems: list[Problem] = []

    def problem(field: str | None, value: str | None, message: str, severity: str = "error") -> None:
        problems.append(Problem(raw.position, field, value, message, severity))

    def check(field: str, parse: Callable[[str], T]) -> T | None:
        text = values.get(field, "").strip()
        if not text:
            return None
        try:
            return parse(text)
        except _Invalid as e:
            problem(field, text, str(e))
            return None

    as_written: list[str] = []

    def lenient(field: str, parse: Callable[[str], T], text: str | None = None) -> T | str | None:
        """A value that does no harm published as written: when it cannot be cleaned it is
        kept as written (a plain literal), with a warning naming it and why."""
        text = values.get(field, "").strip() if text is None else text
        if not text:
            return None
        try:
            return parse(text)
        except _Invalid as e:
            problem(field, text, f"{e}; kept as written", "warning")
            as_written.append(field)
            return one_line(text)

    def first_of(field: str, what: str) -> str | None:
        """A one-value field whose cell holds several values: the first, and a warning."""
        items = split_values(values.get(field, ""))
        if len(items) > 1:
            problem(field, values[field], f"{len(items)} {what} in a field that holds one: kept "
                    f"{items[0]!r}" + (", the others as further web pages of the co-op"
                                       if field == "website" else f", left out {', '.join(items[1:])}"),
                    "warning")
        return items[0] if items else None

    for key in values:
        if key not in _KNOWN:
            problem(key, None, "not a template field")

    name = one_line(values.get("name", ""))
    if not name:
        problem("name", None, "a record needs a name")
    locality = check("locality", one_line)
    given_id = values.get("id", "").strip()
    local_id = slug_id(given_id) if given_id else derived_id(name, locality) if name else ""
    if given_id and not local_id:
        problem("id", given_id, "an id needs at least one letter or digit")

    country = country_written = None
    if country_text := values.get("country", "").strip():
        try:
            country = _concept(concepts, "country", country_text)
        except _Invalid as e:
            if (guess := concepts.closest_country(country_text)) is not None:
                country = guess
                problem("country", country_text, f"not a country name; read as the closest, "
                        f"{concepts.country_label(guess)} ({guess}): write the ISO code if it is another", "warning")
            else:
                problem("country", country_text, f"{e}; kept as written, as the country's name", "warning")
                country_written = one_line(country_text)
    email = phone = None
    found_email = lenient("email", email_address)
    if isinstance(found_email, tuple):
        email, extra = found_email
        if extra:
            problem("email", values["email"], f"one address per record: kept {email}, left out "
                    f"{', '.join(extra)}", "warning")
    else:
        email = found_email
    dial_from = country or raw.hints.get("phone_country")
    found_phone = lenient("phone", lambda t: phone_number(t, dial_from), first_of("phone", "numbers"))
    if isinstance(found_phone, tuple):
        phone, extension = found_phone
        if extension:
            problem("phone", values["phone"], f"the extension ({extension}) was left out: "
                    "E.164 numbers have none", "warning")
    else:
        phone = found_phone
    websites = split_values(values.get("website", ""))
    website = lenient("website", web_url, first_of("website", "web addresses"))
    pages: set[str] = set()
    for extra in websites[1:]:
        try:
            pages.add(web_url(extra))
        except _Invalid as e:
            problem("website", extra, f"{e}; this further web address was left out", "warning")
    latitude = check("latitude", lambda t: coordinate(t, 90))
    longitude = check("longitude", lambda t: coordinate(t, 180))
    for present, missing in (("latitude", "longitude"), ("longitude", "latitude")):
        if values.get(present, "").strip() and not values.get(missing, "").strip():
            problem(missing, None, f"missing: a {present} needs a {missing}")

    concept_values: dict[str, list[str]] = {}
    for field, kind in _CONCEPT_FIELDS.items():
        items = split_values(values.get(field, ""))
        if len(items) > 1 and field not in MULTI_VALUED:
            problem(field, values[field], f"{field} holds one value; found {len(items)}")
            items = []
        resolved: set[str] = set()
        for item in items:
            try:
                resolved.add(_concept(concepts, kind, item))
            except _Invalid as e:
                problem(field, item, str(e))
        concept_values[field] = sorted(resolved)

    social: set[str] = set()
    for item in split_values(values.get("social", "")):
        try:
            social.add(social_link(item))
        except _Invalid as e:
            problem("social", item, str(e))

    offers = []
    try:
        offers = parse_offers(values.get("offers", ""))
    except OfferError as e:
        problem("offers", None, str(e))

    record = Record(
        position=raw.position,
        offers=offers,
        local_id=local_id,
        name=name,
        description=check("description", lambda t: t.replace("\r\n", "\n")),
        website=website,
        pages=sorted(pages - {website}),
        country_written=country_written,
        as_written=as_written,
        description_language=raw.hints.get("language:description"),
        translations=sorted(
            (key.split("@", 1)[1], text.replace("\r\n", "\n").strip())
            for key, text in raw.hints.items() if key.startswith("description@") and text.strip()
        ),
        email=email,
        phone=phone,
        street=check("street", one_line),
        locality=locality,
        region=check("region", one_line),
        postal_code=check("postal_code", lambda t: one_line(t).upper()),
        country=country,
        latitude=latitude,
        longitude=longitude,
        founded=check("founded", lambda t: founding_date(
            t, order=raw.hints.get("date_order"),
            fallback=raw.hints.get("date_fallback") or country_date_order(country))),
        structure=concept_values["structure"],
        activities=concept_values["activities"],
        primary_activity=next(iter(concept_values["primary_activity"]), None),
        legal_form=next(iter(concept_values["legal_form"]), None),
        membership_type=next(iter(concept_values["membership_type"]), None),
        qualifiers=concept_values["qualifiers"],
        workers=check("workers", head_count),
        members=check("members", head_count),
        offerings=sorted({one_line(v) for v in split_values(values.get("offerings", ""))}),
        social=sorted(social),
        registration_id=check("registration_id", one_line),
        opening_hours=check("opening_hours", one_line),
        alternate_name=sorted({n for v in split_values(values.get("alternate_name", "")) if (n := one_line(v)) and n != name}),
        listed=check("listed", flag) is not False,
    )
    if any(p.severity == "error" for p in problems):
        return None, problems
    return record, problems


def _concept(concepts: ConceptIndex, kind: str, text: str) -> str:
    found = concepts.resolve(kind, text)
    if found is None:
        close = concepts.suggest(kind, text)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        what = "country" if kind == "country" else f"{kind.replace('_', ' ')} concept"
        raise _Invalid(f"unknown {what}{hint}")
    return found


Recall = Callable[[RawRecord], "tuple[Record, list[Problem]] | None"]


def normalise_all(
    raws: Iterable[RawRecord], concepts: ConceptIndex, *, recall: Recall | None = None,
    origins: dict[int, tuple[RawRecord, list[Problem]]] | None = None,
) -> tuple[list[Record], list[Problem]]:
    """Every record of a file; an id used twice is an error naming both records.

    `recall(raw)` may answer for a record normalised before (a re-import's unchanged rows:
    its record, at this position, and its problems); `origins`, when given, receives for each
    record returned (by `id()`) the raw record it came from and its own problems.
    """
    raws = list(raws)
    problems: list[Problem] = settle_date_order(raws, concepts)
    records: list[Record] = []
    first_use: dict[str, tuple[str, bool]] = {}
    for raw in raws:
        found = recall(raw) if recall is not None else None
        record, own = found if found is not None else normalise(raw, concepts)
        problems += own
        if record is None:
            continue
        derived = not raw.values.get("id", "").strip()
        if record.local_id in first_use:
            position, first_derived = first_use[record.local_id]
            message = f"id {record.local_id!r} is used by {position} and {raw.position}"
            if derived and first_derived:
                message += (": neither has an id, and one made from name and locality is the "
                            "same; give them ids")
            problems.append(Problem(raw.position, "id", record.local_id, message))
            continue
        first_use[record.local_id] = (raw.position, derived)
        records.append(record)
        if origins is not None:
            origins[id(record)] = (raw, own)
    return records, problems
