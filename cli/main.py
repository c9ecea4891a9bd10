"""The `datacommons` command: load, validate, publish, dump and serve a commons.

The top floor: the only module that imports every other floor (core, loaders,
reconciliation, the demo and the web application).

Exit codes: 0 done; 1 the input has errors (nothing was written); 2 the command was wrong;
3 the store could not be used.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pyoxigraph import RdfFormat

from datacommons import licences
from datacommons.audience import ADMIN, ANONYMOUS, Audience, member_audience
from datacommons.config import Config
from datacommons.fields import FIELDS, Level
from datacommons.lists import ListError, MailingList
from datacommons.optin import Optin
from datacommons.store import Commons, StoreError
from datacommons.system import SystemError_
from demo.load import load_demo
from endpoint.sparql.rate_limits import RateLimitConfigError
from endpoint.serve import serve
from loaders.mapping import builtin_mappings, load_mapping, mapping_path
from loaders.pipeline import ImportRefused, commit_import, plan_import, republish, validate_file
from loaders.previews import rollback_plan
from loaders.record import InputError
from reconciliation.reconcile import reconcile_all, state_of

EXIT_INPUT, EXIT_USAGE, EXIT_STORE = 1, 2, 3


class CommandError(Exception):
    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _open(args: argparse.Namespace) -> Commons:
    return Commons(args.store, base=args.base)


def cmd_member_add(args: argparse.Namespace) -> None:
    commons = _open(args)
    try:
        token = commons.add_member(args.id, args.name, args.homepage)
    except (ValueError, SystemError_) as e:
        raise CommandError(str(e)) from None
    if args.phone_country:
        commons.system.set_setting(f"phone-country:{args.id}", args.phone_country)
    print(f"member {args.id} added: {commons.uris.member(args.id)}")
    print(f"API token (shown once, keep it safe): {token}")


def cmd_member_list(args: argparse.Namespace) -> None:
    commons = _open(args)
    for m in commons.system.members():
        print(f"{m.id}\t{m.name}\t{commons.uris.member(m.id)}")


def cmd_member_token(args: argparse.Namespace) -> None:
    commons = _open(args)
    try:
        token = commons.system.issue_token("member", args.id, args.label or f"{args.id} token")
    except SystemError_ as e:
        raise CommandError(str(e)) from None
    print(f"API token for {args.id} (shown once): {token}")


def cmd_member_licence(args: argparse.Namespace) -> None:
    commons = _open(args)
    _require_member(commons, args.id)
    if args.licence:
        try:
            licence = licences.set_licence(commons, args.id, args.licence)
        except ValueError as e:
            raise CommandError(str(e)) from None
        print(f"{args.id} publishes its public data under {licence.name} <{licence.iri}>")
    else:
        licence = licences.licences(commons)[args.id]
        print(f"{args.id}\t{licence.name}\t{licence.iri}")


def cmd_admin_add(args: argparse.Namespace) -> None:
    commons = _open(args)
    token = commons.system.issue_token("admin", None, args.name)
    print(f"administrator token for {args.name} (shown once, keep it safe): {token}")


def cmd_load(args: argparse.Namespace) -> None:
    commons = _open(args)
    try:
        plan = plan_import(
            commons, args.member, Path(args.file), mapping=_path(args.mapping),
            fmt=args.format, skip_invalid=args.skip_invalid, strict=args.strict,
        )
    except (InputError, ImportRefused) as e:
        raise CommandError(f"{args.file}: {e}", EXIT_INPUT) from None
    print(plan.report())
    if plan.errors and not args.skip_invalid:
        raise CommandError(
            f"{len(plan.errors)} error(s): nothing was written (fix them, or use --skip-invalid "
            "to load the valid records only)",
            EXIT_INPUT,
        )
    if args.dry_run:
        print("dry run: nothing was written")
        return
    try:
        activity = commit_import(commons, plan, ADMIN, allow_remove_all=args.allow_remove_all)
    except ImportRefused as e:
        raise CommandError(f"{args.file}: {e}", EXIT_INPUT) from None
    print(f"committed: {len(plan.add)} statements added, {len(plan.remove)} removed; import {activity}")


def cmd_validate(args: argparse.Namespace) -> None:
    try:
        count, problems = validate_file(Path(args.file), mapping=_path(args.mapping), fmt=args.format,
                                        strict=args.strict)
    except InputError as e:
        raise CommandError(f"{args.file}: {e}", EXIT_INPUT) from None
    for p in problems:
        print(p)
    errors = sum(1 for p in problems if p.severity == "error")
    print(f"{args.file}: {count} records, {errors} errors, {len(problems) - errors} warnings")
    if errors:
        raise CommandError("the file has errors", EXIT_INPUT)


def cmd_mapping_list(args: argparse.Namespace) -> None:
    for name in builtin_mappings():
        print(f"{name}\t{load_mapping(name).name}")


def cmd_mapping_show(args: argparse.Namespace) -> None:
    path = mapping_path(args.name)
    if not path.is_file():
        raise CommandError(
            f"no built-in mapping {args.name!r}: the built-in mappings are {', '.join(builtin_mappings())}"
        )
    print(path.read_text(encoding="utf-8"), end="")


def cmd_policy_show(args: argparse.Namespace) -> None:
    commons = _open(args)
    _require_member(commons, args.member)
    policy = commons.policy(args.member)
    print(f"publication policy of {args.member} (version {policy.version}):")
    for f in FIELDS:
        level = policy.level(f.name)
        mark = "" if level == f.default else f"  (default {f.default.value})"
        print(f"  {f.name:18} {level.value}{mark}")


def cmd_policy_set(args: argparse.Namespace) -> None:
    commons = _open(args)
    _require_member(commons, args.member)
    changes: dict[str, Level] = {}
    for item in args.settings:
        name, eq, level = item.partition("=")
        if not eq:
            raise CommandError(f"{item!r}: write FIELD=LEVEL, e.g. phone=public")
        try:
            changes[name.strip()] = Level.parse(level)
        except ValueError as e:
            raise CommandError(str(e)) from None
    try:
        policy = commons.policy(args.member).changed(changes)
    except ValueError as e:
        raise CommandError(str(e)) from None
    removed, added = republish(commons, args.member, policy)
    print(f"policy of {args.member} is now version {policy.version}; re-published "
          f"({removed} statements moved)")


def cmd_dump(args: argparse.Namespace) -> None:
    commons = _open(args)
    audience = _audience(commons, args.audience)
    fmt = {"nquads": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG}[args.format or _dump_format(args.file)]
    if args.file == "-":
        commons.dump(sys.stdout.buffer, audience, fmt)
    else:
        with open(args.file, "wb") as out:
            commons.dump(out, audience, fmt)
        print(f"wrote {args.file} ({audience})", file=sys.stderr)


def cmd_rollback(args: argparse.Namespace) -> None:
    commons = _open(args)
    _require_member(commons, args.member)
    try:
        plan = rollback_plan(commons, args.member, args.number)
    except ImportRefused as e:
        raise CommandError(str(e)) from None
    print(plan.report())
    if args.dry_run:
        print("dry run: nothing was written")
        return
    activity = commit_import(commons, plan, ADMIN)
    print(f"committed as a new import: {activity}")


def cmd_reconcile(args: argparse.Namespace) -> None:
    commons = _open(args)
    plan = reconcile_all(commons)
    print(f"{plan.region} member records matched: {plan.clusters} canonical co-ops "
          f"({len(plan.add)} statements added, {len(plan.remove)} removed); "
          f"{len(state_of(commons).queue())} pairs wait for review")


def cmd_imports(args: argparse.Namespace) -> None:
    commons = _open(args)
    _require_member(commons, args.member)
    result = commons.query(
        IMPORTS_QUERY,
        member_audience(args.member),
        named_graph_uris=[commons.uris.imports_graph(args.member)],
    )
    for s in result:
        print(f"{s['time'].value}\t{s['source'].value}\t{s['summary'].value}\t{s['import'].value}")


IMPORTS_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX coop: <https://w3id.org/coop-commons/vocab#>
SELECT ?import ?time ?source ?summary WHERE {
  GRAPH ?g { ?import prov:endedAtTime ?time ; coop:sourceName ?source ; coop:diffSummary ?summary }
} ORDER BY ?time ?import
"""


def cmd_serve(args: argparse.Namespace) -> None:
    commons = _open(args)
    try:
        serve(commons, _config(args))
    except RateLimitConfigError as e:
        raise CommandError(str(e)) from None


def cmd_demo(args: argparse.Namespace) -> None:
    config = _config(args)
    base = args.base or f"http://localhost:{config.port}"
    commons = Commons(args.store, base=base)
    if not commons.members():
        with tempfile.TemporaryDirectory() as tmp:
            for line in load_demo(commons, Path(tmp), seed=args.seed, coops=args.coops):
                print(line, flush=True)
    if not args.no_serve:
        serve(commons, config)


def _optin(args: argparse.Namespace):
    return Optin(_open(args), Config())


def _list_fields(args: argparse.Namespace) -> dict:
    descriptions = {lang: getattr(args, f"description_{lang}") for lang in ("en", "fr", "es")}
    return {
        "name": args.name,
        "descriptions": {k: v for k, v in descriptions.items() if v is not None} or None,
        "language": args.language, "topics": args.topic, "frequency": args.frequency,
        "postal_address": args.postal_address, "contact": args.contact,
        "public_count": args.public_count, "webhook_url": args.webhook,
    }


def cmd_list_add(args: argparse.Namespace) -> None:
    optin = _optin(args)
    fields = {k: v for k, v in _list_fields(args).items() if v is not None}
    fields["topics"] = tuple(fields.get("topics", ()))
    try:
        lst = optin.lists.add(MailingList(member=args.member, id=args.list, **fields))
    except ListError as e:
        raise CommandError(str(e)) from None
    print(f"list {lst.key} added: {optin.lists.iri(lst.member, lst.id)}")
    print(f"sign-up page: {optin.base}/lists/{lst.member}/{lst.id}")
    if lst.webhook_secret:
        print(f"webhook secret (shown once, for checking signatures): {lst.webhook_secret}")


def cmd_list_set(args: argparse.Namespace) -> None:
    optin = _optin(args)
    old = optin.lists.get(args.member, args.list)
    try:
        lst = optin.lists.set(args.member, args.list, **_list_fields(args))
    except ListError as e:
        raise CommandError(str(e)) from None
    print(f"list {lst.key} changed")
    if lst.webhook_secret and (old is None or old.webhook_secret != lst.webhook_secret):
        print(f"webhook secret (shown once, for checking signatures): {lst.webhook_secret}")


def cmd_list_show(args: argparse.Namespace) -> None:
    optin = _optin(args)
    lists = ([optin.lists.get(args.member, args.list)] if args.list else optin.lists.all(args.member))
    if args.list and lists[0] is None:
        raise CommandError(f"no list {args.member}/{args.list}")
    for lst in lists:
        counts = optin.counts(lst.key)
        print(f"{lst.key}\t{lst.name}\t{optin.lists.iri(lst.member, lst.id)}")
        for name in ("descriptions", "language", "topics", "frequency", "postal_address", "contact",
                     "public_count", "webhook_url"):
            value = getattr(lst, name)
            if value not in (None, (), {}, False):
                print(f"  {name:15} {value}")
        print("  subscribers     " + ", ".join(f"{n} {s}" for s, n in counts.items()))


def cmd_list_remove(args: argparse.Namespace) -> None:
    optin = _optin(args)
    try:
        optin.lists.remove(args.member, args.list)
    except ListError as e:
        raise CommandError(str(e)) from None
    print(f"list {args.member}/{args.list} removed (its subscribers' consent records are kept)")


def cmd_mail_deliver(args: argparse.Namespace) -> None:
    optin = _optin(args)
    if not optin.mail.configured:
        raise CommandError("smtp_url is not set (DATACOMMONS_SMTP_URL): no mail can be sent")
    mails, hooks = optin.deliver_due()
    print(f"{mails} messages sent, {hooks} webhooks delivered")


def cmd_mail_bounce(args: argparse.Namespace) -> None:
    optin = _optin(args)
    optin.outbox.record_bounce(args.address, args.reason)
    print(f"bounce recorded for {args.address}")


def _config(args: argparse.Namespace) -> Config:
    return Config().with_(store=Path(args.store), host=args.host, port=args.port)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _country_code(text: str) -> str:
    if len(text.strip()) != 2 or not text.strip().isalpha():
        raise argparse.ArgumentTypeError("a two-letter ISO country code, such as GB or FR")
    return text.strip().upper()


def _dump_format(file: str) -> str:
    return "trig" if file.endswith(".trig") else "nquads"


def _require_member(commons: Commons, member: str) -> None:
    if commons.system.member(member) is None:
        raise CommandError(f"no member organisation {member!r}")


def _audience(commons: Commons, text: str) -> Audience:
    if text == "public":
        return ANONYMOUS
    if text == "admin":
        return ADMIN
    kind, _, member = text.partition(":")
    if kind == "member" and member:
        _require_member(commons, member)
        return member_audience(member)
    raise CommandError("--audience is public, member:ID or admin")


def _input_file(text: str) -> str:
    """A file to read, refused by argparse (a usage error, exit code 2) when it is missing or
    a directory, before any store is opened (issue 11, finding 10: it was a traceback)."""
    path = Path(text)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{text} is a directory, not a file" if path.is_dir() else f"{text} is not a file")
    return text


def parser() -> argparse.ArgumentParser:
    defaults = Config()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", default=str(defaults.store), help="store folder (default ./data, or $DATACOMMONS_STORE)")
    common.add_argument("--base", default=defaults.base, help="base IRI, fixed when the store is created (default http://localhost:8080)")
    p = argparse.ArgumentParser(prog="datacommons", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    member = sub.add_parser("member", help="member organisations").add_subparsers(dest="action", required=True)
    a = member.add_parser("add", parents=[common], help="add a member organisation (prints its token once)")
    a.add_argument("id"); a.add_argument("--name", required=True); a.add_argument("--homepage")
    a.add_argument("--phone-country", type=_country_code, metavar="CC",
                   help="country (ISO code) the member's phone numbers are dialled from when a record has none")
    a.set_defaults(func=cmd_member_add)
    a = member.add_parser("list", parents=[common]); a.set_defaults(func=cmd_member_list)
    a = member.add_parser("token", parents=[common], help="issue another API token for a member")
    a.add_argument("id"); a.add_argument("--label"); a.set_defaults(func=cmd_member_token)
    a = member.add_parser("licence", parents=[common], help="show or choose the licence of a member's public data")
    a.add_argument("id"); a.add_argument("licence", nargs="?", help="cc0, cc-by-4.0, odbl or a licence's URL")
    a.set_defaults(func=cmd_member_licence)

    admin = sub.add_parser("admin", help="administrators").add_subparsers(dest="action", required=True)
    a = admin.add_parser("add", parents=[common], help="add an administrator (prints a token once)")
    a.add_argument("name"); a.set_defaults(func=cmd_admin_add)

    a = sub.add_parser("load", parents=[common], help="import a member's file (CSV, JSON or RDF)")
    a.add_argument("file", type=_input_file); a.add_argument("--member", required=True)
    a.add_argument("--mapping", help="column-mapping TOML file for other CSV layouts, or a built-in mapping's name (datacommons mapping list)")
    a.add_argument("--format", help="input format when the extension does not tell (csv, json, ttl, jsonld, rdf, nt)")
    a.add_argument("--dry-run", action="store_true", help="show the report and the diff; write nothing")
    a.add_argument("--skip-invalid", action="store_true", help="load the valid records, report the rest")
    a.add_argument("--strict", action="store_true", help="treat every warning as an error (nothing kept as written)")
    a.add_argument("--allow-remove-all", action="store_true",
                   help="commit even if the file removes all or most of the member's records (an empty file, a header-only CSV)")
    a.set_defaults(func=cmd_load)

    a = sub.add_parser("validate", parents=[common], help="check a file without a store")
    a.add_argument("file", type=_input_file); a.add_argument("--mapping"); a.add_argument("--format")
    a.add_argument("--strict", action="store_true", help="treat every warning as an error")
    a.set_defaults(func=cmd_validate)

    mapping = sub.add_parser("mapping", help="the built-in column mappings").add_subparsers(dest="action", required=True)
    a = mapping.add_parser("list", help="the built-in mappings, by name")
    a.set_defaults(func=cmd_mapping_list)
    a = mapping.add_parser("show", help="print a built-in mapping (a start for one of your own)")
    a.add_argument("name"); a.set_defaults(func=cmd_mapping_show)

    policy = sub.add_parser("policy", help="publication policies").add_subparsers(dest="action", required=True)
    a = policy.add_parser("show", parents=[common]); a.add_argument("member"); a.set_defaults(func=cmd_policy_show)
    a = policy.add_parser("set", parents=[common], help="e.g. policy set coopfed phone=public email=private")
    a.add_argument("member"); a.add_argument("settings", nargs="+", metavar="FIELD=LEVEL")
    a.set_defaults(func=cmd_policy_set)

    a = sub.add_parser("imports", parents=[common], help="list a member's committed imports")
    a.add_argument("member"); a.set_defaults(func=cmd_imports)

    a = sub.add_parser("rollback", parents=[common],
                       help="restore a member's records as they were after one of its imports")
    a.add_argument("member"); a.add_argument("number", type=int)
    a.add_argument("--dry-run", action="store_true", help="show the diff; write nothing")
    a.set_defaults(func=cmd_rollback)

    a = sub.add_parser("reconcile", parents=[common],
                       help="match every member record again and rebuild the canonical co-ops")
    a.set_defaults(func=cmd_reconcile)

    a = sub.add_parser("dump", parents=[common], help="write the data an audience may read (N-Quads or TriG)")
    a.add_argument("file", help="output file (.nq or .trig), or - for standard output")
    a.add_argument("--format", choices=["nquads", "trig"])
    a.add_argument("--audience", default="public", help="public (default), member:ID or admin")
    a.set_defaults(func=cmd_dump)

    lists = sub.add_parser("list", help="members' mailing lists").add_subparsers(dest="action", required=True)
    for action, func in (("add", cmd_list_add), ("set", cmd_list_set)):
        a = lists.add_parser(action, parents=[common], help=f"{action} a member's mailing list")
        a.add_argument("member"); a.add_argument("list")
        a.add_argument("--name", required=action == "add")
        for lang in ("en", "fr", "es"):
            a.add_argument(f"--description-{lang}", help=f"description in {lang}")
        a.add_argument("--language", help="language the list writes in (en, fr, es, fr-CA...)")
        a.add_argument("--topic", action="append", help="a topic (repeat for several)")
        a.add_argument("--frequency", help="daily, weekly, monthly, quarterly, yearly or irregular")
        a.add_argument("--postal-address", help="the member's mailing address for footers and consent requests")
        a.add_argument("--contact", help="the member's email, phone or web contact")
        a.add_argument("--public-count", action=argparse.BooleanOptionalAction, default=None,
                       help="show the number of subscribers on the public page")
        a.add_argument("--webhook", help="URL that receives a signed POST on every subscribe/unsubscribe")
        a.set_defaults(func=func)
    a = lists.add_parser("show", parents=[common]); a.add_argument("member"); a.add_argument("list", nargs="?")
    a.set_defaults(func=cmd_list_show)
    a = lists.add_parser("remove", parents=[common]); a.add_argument("member"); a.add_argument("list")
    a.set_defaults(func=cmd_list_remove)

    mail = sub.add_parser("mail", help="the commons' own mail").add_subparsers(dest="action", required=True)
    a = mail.add_parser("deliver", parents=[common], help="send queued mail and webhooks that are due")
    a.set_defaults(func=cmd_mail_deliver)
    a = mail.add_parser("bounce", parents=[common], help="record a bounce the mail provider reported")
    a.add_argument("address"); a.add_argument("--reason", default="reported bounce")
    a.set_defaults(func=cmd_mail_bounce)

    for name, func, help_ in (("serve", cmd_serve, "serve the commons over HTTP"),
                              ("demo", cmd_demo, "build a demo commons and serve it")):
        a = sub.add_parser(name, parents=[common], help=help_)
        a.add_argument("--host"); a.add_argument("--port", type=int)
        if name == "demo":
            a.add_argument("--coops", type=int, default=3000)
            a.add_argument("--seed", type=int, default=7)
            a.add_argument("--no-serve", action="store_true", help="build the demo store and stop")
        a.set_defaults(func=func)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.func(args)
    except CommandError as e:
        print(f"datacommons: {e}", file=sys.stderr)
        return e.code
    except StoreError as e:
        print(f"datacommons: {e}", file=sys.stderr)
        return EXIT_STORE
    return 0


if __name__ == "__main__":
    sys.exit(main())
