"""CLI: ``incident users`` — the users of the web app (roles, roster link,
passwords) and the machines' API tokens, plus the role → action table.

The service functions (incident.access) never commit; each command here
owns its transaction. Passwords are typed twice on the terminal without
echo, or read from one line of stdin with ``--password-stdin``; they are
never taken as an argument (it would land in the shell's history and in
``ps``). A token's secret is printed once, when it is created."""

import getpass
import re
import sys
from collections.abc import Callable
from typing import Annotated, Any, Optional, TypedDict

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from incident.access import identity, passwords, sessions, tokens, users
from incident.access import texts as _access_texts  # noqa: F401  (access.error.*, LABELS["web_role"])
from incident.access.permissions import ROLES
from incident.cli import texts as _cli_texts  # noqa: F401  (help.opt.json)
from incident.cli import users_texts as _users_texts  # noqa: F401
from incident.cli.render import print_json
from incident.cli.users_view import ROSTER_ROLES, actions_of, person_text, role_head, roles_text, token_json, user_json
from incident.errors import InputError
from incident.i18n import label, t
from incident.models import ApiToken, User
from incident.runtime import Runtime
from incident.timeutil import fmt

Opt = typer.Option


def _token_id(value: str) -> int:
    m = re.fullmatch(r"#?\s*(\d+)", value.strip())
    if not m or int(m.group(1)) < 1:
        raise InputError("users.error.bad_token_id", value=value)
    return int(m.group(1))


class _NewUser(TypedDict):
    """What ``users add`` passes on to ``users.add`` (password apart)."""

    username: str
    roles: str
    person: str | None
    display_name: str | None
    lang: str | None


class _Changes(TypedDict):
    """What ``users set`` passes on to ``users.change``; None leaves a field alone."""

    roles: str | None
    person: str | None
    display_name: str | None
    lang: str | None
    active: bool | None


def _roles_arg(values: list[str]) -> str:
    # --role lead,comms and --role lead --role comms mean the same.
    return ",".join(values)


def register(app: typer.Typer, lang: str, rt: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    # Where say() writes: stdout, but stderr while `users add --token` keeps
    # stdout for the secret alone.
    sink = {"console": out}

    def say(text: str, style: Optional[str] = None, soft: bool = False) -> None:
        # Names, labels and secrets are user text: never markup. soft: left
        # for the terminal to wrap, so that a secret is copied whole.
        sink["console"].print(text, style=style, markup=False, highlight=False, soft_wrap=soft)

    def cells(*values: object) -> list[Text]:
        return [v if isinstance(v, Text) else Text("—" if v is None or v == "" else str(v)) for v in values]

    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]
    NameArg = Annotated[str, typer.Argument(metavar="NAME", help=h("users.help.arg.name"))]
    DisplayOpt = Annotated[Optional[str], Opt("--display-name", help=h("users.help.opt.display_name"), metavar="TEXT")]
    # The user's own language (their web pages). The interface's --lang is
    # the global option before the command; this one comes after it.
    LangOpt = Annotated[Optional[str], Opt("--in", help=h("users.help.opt.lang"), metavar="zh-CN|en")]
    StdinOpt = Annotated[bool, Opt("--password-stdin", help=h("users.help.opt.password_stdin"))]

    # ---- passwords --------------------------------------------------------------
    def read_password(r: Runtime, name: str, from_stdin: bool, adding: bool = False) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise InputError("users.error.empty_stdin")
            return password
        if not sys.stdin.isatty():
            raise InputError("users.error.no_terminal_add" if adding else "users.error.no_terminal")
        try:
            first = getpass.getpass(t("users.prompt.password", r.lang, name=name))
            # Said before the second prompt: no use typing a short one twice.
            if len(first) < passwords.MIN_LENGTH:
                raise InputError("access.error.short_password", min=passwords.MIN_LENGTH)
            second = getpass.getpass(t("users.prompt.again", r.lang))
        except (KeyboardInterrupt, EOFError):
            Console(stderr=True).print()
            raise typer.Exit(130) from None
        if first != second:
            raise InputError("users.error.mismatch")
        return first

    def dry_run_add(r: Runtime, **fields: Any) -> None:
        """Everything ``users.add`` checks (name, duplicate, roles, roster
        person, language), before anyone types a password twice for
        nothing. Rolled back: the real add comes with the password."""
        s = r.store.session()
        try:
            s.begin()
            users.add(s, r.config, r.clock.now(), password=None, **fields)
        finally:
            s.rollback()
            s.close()

    # ---- output -----------------------------------------------------------------
    def say_user(r: Runtime, data: dict[str, Any]) -> None:
        say(
            t(
                "users.out.detail",
                r.lang,
                display=data["display_name"] or "—",
                roles=roles_text(data["roles"], r.lang),
                person=person_text(r.config, data["person"]),
                lang=data["lang"] or t("users.out.lang_default", r.lang),
                password=t("users.out.password_set" if data["password"] else "users.out.password_none", r.lang),
                active=t("users.out.active" if data["active"] else "users.out.inactive", r.lang),
            )
        )

    def say_roles(r: Runtime, roles: list[str]) -> None:
        sep = "、" if r.lang == "zh-CN" else ", "
        for role in roles:
            say(
                t(
                    "users.out.role_line",
                    r.lang,
                    head=role_head(role, r.lang, zh_paren=True),
                    about=label("web_role_about", role, r.lang),
                ),
                soft=True,
            )
            say(
                t("users.out.may", r.lang, actions=sep.join(label("web_action", a, r.lang) for a in actions_of(role))),
                "dim",
                soft=True,
            )

    def say_hints(r: Runtime, data: dict[str, Any]) -> None:
        if not data["person"] and r.config.people and any(role in ROSTER_ROLES for role in data["roles"]):
            say(t("users.out.not_linked", r.lang, name=data["username"]), "yellow", soft=True)
        if not data["password"] and r.config.web.auth != "proxy":
            say(t("users.out.proxy_only_hint", r.lang, auth=r.config.web.auth), "yellow", soft=True)

    # ==== users ===================================================================
    users_app = typer.Typer(help=h("users.help"), no_args_is_help=True)
    app.add_typer(users_app, name="users")

    @users_app.command("add", help=h("users.help.add"))
    def users_add(
        name: NameArg,
        role: Annotated[list[str], Opt("--role", "-r", help=h("users.help.opt.role"), metavar="ROLE[,ROLE…]")],
        person: Annotated[Optional[str], Opt("--person", help=h("users.help.opt.person"), metavar="ROSTER_KEY")] = None,
        display_name: DisplayOpt = None,
        user_lang: LangOpt = None,
        password_stdin: StdinOpt = False,
        no_password: Annotated[bool, Opt("--no-password", help=h("users.help.opt.no_password"))] = False,
        token_label: Annotated[Optional[str], Opt("--token", help=h("users.help.opt.token"), metavar="LABEL")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        if password_stdin and no_password:
            raise InputError("users.error.password_flags")
        if token_label is not None and not token_label.strip():
            raise InputError("access.error.token_name")
        fields: _NewUser = {
            "username": name,
            "roles": _roles_arg(role),
            "person": person,
            "display_name": display_name,
            "lang": user_lang,
        }
        roles = users.parse_roles(fields["roles"])
        with r.store.read() as s:  # said before anyone types a password for nothing
            identity.check_first_account(s, roles, password=not no_password, token=token_label is not None)
        password = None
        if not no_password:
            if not password_stdin:
                dry_run_add(r, **fields)
            password = read_password(r, name.strip().lower(), password_stdin, adding=True)
        token: dict[str, Any] | None = None
        with r.store.transaction() as s:
            identity.check_first_account(s, roles, password=password is not None, token=token_label is not None)
            data = user_json(users.add(s, r.config, r.clock.now(), password=password, **fields))
            if token_label is not None:  # the same transaction: no account left without its token
                row, secret = tokens.create(s, data["username"], token_label, r.clock.now())
                token = {**token_json(row, data["username"]), "secret": secret}
        if as_json:
            print_json(out, {**data, "token": token} if token is not None else data)
            return
        say_added(r, data, token)

    def say_added(r: Runtime, data: dict[str, Any], token: dict[str, Any] | None) -> None:
        """What ``users add`` made. With a token its secret alone goes to
        stdout (``INCIDENT_TOKEN=$(incident users add …)``), the rest to stderr."""
        if token is not None:
            sink["console"] = Console(stderr=True)
        try:
            say(t("users.out.added", r.lang, name=data["username"]), "bold green")
            say_user(r, data)
            say(t("users.out.roles_head", r.lang))
            say_roles(r, data["roles"])
            say_hints(r, data)
            if token is not None:
                say(t("users.out.token_added", r.lang, id=token["id"], label=token["label"]), "yellow", soft=True)
        finally:
            sink["console"] = out
        if token is not None:
            out.print(token["secret"], markup=False, highlight=False, soft_wrap=True)

    @users_app.command("list", help=h("users.help.list"))
    def users_list(as_json: JsonOpt = False) -> None:
        r = rt()
        with r.store.read() as s:
            rows = users.list_users(s)
        if as_json:
            print_json(out, [user_json(u) for u in rows])
            return
        if not rows:
            say(t("users.out.no_users", r.lang))
            return
        yes, no = t("users.out.yes", r.lang), t("users.out.no", r.lang)
        now, zone = r.clock.wall().now(), r.config.zone  # lockouts run on real time (identity)
        table = Table(title=t("users.out.users_head", r.lang, n=len(rows)), title_justify="left")
        for col in ("user", "display_name", "roles", "person", "active", "password", "last_login"):
            table.add_column(t(f"users.col.{col}", r.lang), overflow="fold")
        for u in rows:
            if not u.active:
                active = Text(no, style="red")
            elif u.locked_until is not None and u.locked_until > now:
                active = Text(t("users.out.locked_until", r.lang, at=fmt(u.locked_until, zone)), style="yellow")
            else:
                active = Text(yes)
            table.add_row(
                *cells(
                    u.username,
                    u.display_name,
                    ", ".join(u.roles or []),
                    person_text(r.config, u.person),
                    active,
                    yes if u.password_hash is not None else no,
                    fmt(u.last_login_at, zone),
                )
            )
        out.print(table)

    @users_app.command("set", help=h("users.help.set"))
    def users_set(
        name: NameArg,
        role: Annotated[
            Optional[list[str]], Opt("--role", "-r", help=h("users.help.opt.role_set"), metavar="ROLE[,ROLE…]")
        ] = None,
        person: Annotated[
            Optional[str], Opt("--person", help=h("users.help.opt.person_set"), metavar="ROSTER_KEY")
        ] = None,
        display_name: DisplayOpt = None,
        user_lang: LangOpt = None,
        active: Annotated[
            Optional[bool], Opt("--active/--inactive", help=h("users.help.opt.active"), show_default=False)
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        given: _Changes = {
            "roles": _roles_arg(role) if role else None,
            "person": person,
            "display_name": display_name,
            "lang": user_lang,
            "active": active,
        }
        if all(v is None for v in given.values()):
            raise InputError("users.error.nothing_to_set")
        with r.store.transaction() as s:
            before = user_json(users.get(s, name))
            after = user_json(users.change(s, r.config, name, **given))
        changed = [f for f in ("roles", "person", "display_name", "lang", "active") if before[f] != after[f]]
        if as_json:
            print_json(out, {**after, "changed": changed})
            return
        if not changed:
            say(t("users.out.unchanged", r.lang, name=after["username"]))
        elif changed == ["active"]:
            pass  # said below
        else:
            say(
                t(
                    "users.out.changed",
                    r.lang,
                    name=after["username"],
                    fields=("、" if r.lang == "zh-CN" else ", ").join(
                        t(f"users.out.field.{f}", r.lang) for f in changed
                    ),
                ),
                "bold green",
            )
        if "active" in changed:
            if after["active"]:
                say(t("users.out.reactivated", r.lang, name=after["username"]), "bold green")
            else:
                say(t("users.out.deactivated", r.lang, name=after["username"]), "bold yellow", soft=True)
        say_user(r, after)
        if "roles" in changed:
            say(t("users.out.roles_head", r.lang))
            say_roles(r, after["roles"])
        if "person" in changed:
            say_hints(r, {**after, "password": True})

    @users_app.command("passwd", help=h("users.help.passwd"))
    def users_passwd(name: NameArg, password_stdin: StdinOpt = False) -> None:
        r = rt()
        with r.store.read() as s:
            username = users.get(s, name).username  # "no such user" before the prompt
        password = read_password(r, username, password_stdin)
        with r.store.transaction() as s:
            user = users.change(s, r.config, username, password=password)
            # A password is reset because it leaked or was forgotten: the
            # browsers signed in with the old one go too.
            sessions.close_all(s, user)
        say(t("users.out.password_changed", r.lang, name=username), "bold green")

    @users_app.command("roles", help=h("users.help.roles"))
    def users_roles(as_json: JsonOpt = False) -> None:
        r = rt()
        if as_json:
            print_json(
                out,
                [
                    {
                        "role": role,
                        "name": label("web_role", role, r.lang),
                        "about": label("web_role_about", role, r.lang),
                        "actions": actions_of(role),
                    }
                    for role in ROLES
                ],
            )
            return
        say(t("users.out.roles_title", r.lang), "bold", soft=True)
        say_roles(r, list(ROLES))

    # ==== tokens ==================================================================
    token_app = typer.Typer(help=h("users.help.token"), no_args_is_help=True)
    users_app.add_typer(token_app, name="token")

    @token_app.command("create", help=h("users.help.token.create"))
    def token_create(
        name: NameArg,
        token_label: Annotated[str, Opt("--label", help=h("users.help.opt.label"), metavar="LABEL")],
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        caller = r.caller
        assert caller is not None  # signed in by incident.cli.guard
        if not caller.owns(name):
            r.require("users.manage")  # one's own token, or an admin anyone's
        with r.store.transaction() as s:
            row, secret = tokens.create(s, name, token_label, r.clock.now())
            user = s.get(User, row.user_id)
            assert user is not None
            data = token_json(row, user.username)
            roles, active = list(user.roles or []), bool(user.active)
        if as_json:
            print_json(out, {**data, "secret": secret})
            return
        say(
            t(
                "users.out.token_created",
                r.lang,
                id=data["id"],
                label=data["label"],
                name=data["user"],
                roles=roles_text(roles, r.lang),
            ),
            "bold green",
            soft=True,
        )
        say(secret, "bold", soft=True)  # the one time it is shown
        say(t("users.out.token_kept", r.lang, prefix=data["prefix"]), "yellow", soft=True)
        say(t("users.out.token_usage", r.lang), soft=True)
        say(t("users.out.token_example", r.lang), "dim", soft=True)
        if not active:
            say(t("users.out.token_inactive", r.lang, name=data["user"]), "yellow")

    @token_app.command("list", help=h("users.help.token.list"))
    def token_list(
        name: Annotated[
            Optional[str], typer.Argument(metavar="[NAME]", help=h("users.help.arg.user_filter"), show_default=False)
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        r = rt()
        with r.store.read() as s:
            rows = tokens.list_tokens(s, name)
            data = [token_json(row, username) for row, username in rows]
            times = [(row.created_at, row.last_used_at, row.revoked_at) for row, _ in rows]
        if as_json:
            print_json(out, data)
            return
        if not data:
            say(t("users.out.no_tokens", r.lang))
            return
        table = Table(title=t("users.out.tokens_head", r.lang, n=len(data)), title_justify="left")
        for col in ("id", "user", "label", "prefix", "created", "last_used", "revoked"):
            table.add_column(t(f"users.col.{col}", r.lang), overflow="fold")
        zone = r.config.zone
        for d, (created, used, revoked) in zip(data, times, strict=True):
            table.add_row(
                *cells(
                    f"#{d['id']}",
                    d["user"],
                    d["label"],
                    d["prefix"] + "…",
                    fmt(created, zone),
                    fmt(used, zone),
                    Text(fmt(revoked, zone), style="red") if revoked else None,
                )
            )
        out.print(table)

    @token_app.command("revoke", help=h("users.help.token.revoke"))
    def token_revoke(token: Annotated[str, typer.Argument(metavar="ID", help=h("users.help.arg.token"))]) -> None:
        r = rt()
        token_id = _token_id(token)
        with r.store.transaction() as s:
            existing = s.get(ApiToken, token_id)
            was = existing.revoked_at if existing is not None else None
            row = tokens.revoke(s, token_id, r.clock.now())
            user = s.get(User, row.user_id)
            username = user.username if user is not None else "?"
            row_label, revoked_at = row.name, row.revoked_at
        if was is not None:
            say(
                t(
                    "users.out.already_revoked",
                    r.lang,
                    id=token_id,
                    label=row_label,
                    name=username,
                    at=fmt(revoked_at, r.config.zone),
                )
            )
        else:
            say(t("users.out.revoked", r.lang, id=token_id, label=row_label, name=username), "bold yellow")
