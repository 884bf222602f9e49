"""CLI commands ``incident review show|edit|sign|waive|export|sweep`` and
``incident review action add|done|drop|reopen|list``: the post-incident
review (incident/review). Each change is one transaction; what it queued
(the owner's notice, the lead's) is delivered after the commit. The
permissions are in cli/guard.py; the domain's own rules (who signs, four
eyes, whose action) apply on top."""

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from incident.cli.render import print_json
from incident.errors import InputError
from incident.i18n import label, t
from incident.incidents import parse_id
from incident.review import actions, export, service, view
from incident.review import cli_texts as _texts  # noqa: F401  (review.help.*, review.out.*)
from incident.roster import display
from incident.runtime import Runtime
from incident.textin import clean_value


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError("review.error.file", path=str(path), reason=str(exc)[:200]) from None
    cleaned: dict[str, Any] = clean_value(data)
    return cleaned


def _show(out: Console, values: dict[str, Any], lang: str) -> None:
    """The review on a terminal: what the page shows, without the timeline."""
    out.print(values["title"], style="bold")
    out.print(f"{values['severity']} · {values['kind']} · {values['status']} · v{values['review'].version}")
    for x in values["texts"]:
        out.print(x["label"], style="bold underline")
        written = [(lg, text) for lg, text in x["langs"] if text]
        for lg, text in written or [("", "—")]:
            out.print(f"[{lg}] {text}" if lg else text, markup=False, highlight=False)
    table = Table(title=t("review.section.times", lang))
    for key in ("what", "at", "from_start", "note"):
        table.add_column(t(f"review.col.{key}", lang))
    for r in values["times"]:
        table.add_row(r["what"], r["at"], r["from_start"], r["note"])
    out.print(table)
    out.print(t("review.section.statements", lang, n=values["statements_total"]), style="bold")
    for s in values["statements"]:
        out.print(f"  {s['channel']}: {s['count']} · {s['first']} → {s['last']}")
    out.print(t("review.section.remedy", lang), style="bold")
    for name, value in values["remedy"]:
        out.print(f"  {name}: {value}", markup=False, highlight=False)
    out.print(t("review.section.signoff", lang), style="bold")
    for s in values["signed"]:
        out.print(f"  {values['role'](s.role)}: {values['person'](s.person)} · {values['when'](s.at)}")
    st = values["state"]
    if st.complete:
        out.print(t("review.state.complete", lang, at=values["when"](values["review"].signed_off_at)), style="green")
    elif st.missing:
        out.print(t("review.state.waiting", lang, roles=",".join(st.missing)), style="yellow")
    else:
        out.print(t("review.state.needs_second", lang), style="yellow")
    review = values["review"]
    if review.waived_at:
        w = values["when"](review.waived_at)
        out.print(t("review.state.waived", lang, by=review.waived_by, at=w, reason=review.waiver_reason))
    _actions_table(out, [a for a, _ in values["actions"]], lang, values["person"])


def _actions_table(out: Console, rows: list[Any], lang: str, person: Callable[[str], str], now: Any = None) -> None:
    if not rows:
        out.print(t("review.out.no_actions", lang))
        return
    table = Table(title=t("review.section.actions", lang))
    for key in ("#", "action", "owner", "due", "state"):
        table.add_column(key if key == "#" else t(f"review.col.{key}", lang))
    for a in rows:
        state = t(f"review.action_state.{a.state}", lang)
        if a.state == "open" and now is not None and a.due_at <= now:  # as the page and the export say it
            state = f"{state} ({t('review.overdue', lang)})"
        table.add_row(str(a.id), a.title, person(a.owner), a.due_on.isoformat(), state)
    out.print(table)


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:  # noqa: C901
    def h(key: str, **kw: Any) -> str:
        return t(key, lang, **kw)

    review_app = typer.Typer(help=h("review.help"), no_args_is_help=True)
    app.add_typer(review_app, name="review")
    action_app = typer.Typer(help=h("review.help.action"), no_args_is_help=True)
    review_app.add_typer(action_app, name="action")
    Incident = Annotated[str, typer.Argument(metavar="INCIDENT", help=h("review.help.arg.incident"))]
    ActionId = Annotated[int, typer.Argument(metavar="ACTION", help=h("review.help.arg.action"))]

    def opt(field: str, lg: str) -> Any:
        name = field.replace("_", "-")
        text = h("review.help.opt.text", field=label("review_field", field, lang), lang=lg)
        return typer.Option(f"--{name}-{'zh' if lg == 'zh-CN' else 'en'}", help=text, metavar="TEXT")

    @review_app.command("show", help=h("review.help.show"))
    def show(
        incident: Incident,
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        rt = rt_of()
        iid = parse_id(incident)
        with rt.store.transaction() as s:  # the first visit opens it
            review = service.open_review(s, rt.ctx, iid)
            inc = service.incident_of(s, iid)
            if as_json:
                print_json(out, view.review_json(s, rt.ctx, inc, review))
            else:
                _show(out, export.context(s, rt.ctx, inc, review, rt.lang), rt.lang)
        rt.deliver()

    @review_app.command("edit", help=h("review.help.edit"))
    def edit(
        incident: Incident,
        summary_zh: Annotated[Optional[str], opt("summary", "zh-CN")] = None,
        summary_en: Annotated[Optional[str], opt("summary", "en")] = None,
        root_cause_zh: Annotated[Optional[str], opt("root_cause", "zh-CN")] = None,
        root_cause_en: Annotated[Optional[str], opt("root_cause", "en")] = None,
        contributing_zh: Annotated[Optional[str], opt("contributing", "zh-CN")] = None,
        contributing_en: Annotated[Optional[str], opt("contributing", "en")] = None,
        went_well_zh: Annotated[Optional[str], opt("went_well", "zh-CN")] = None,
        went_well_en: Annotated[Optional[str], opt("went_well", "en")] = None,
        went_badly_zh: Annotated[Optional[str], opt("went_badly", "zh-CN")] = None,
        went_badly_en: Annotated[Optional[str], opt("went_badly", "en")] = None,
        from_file: Annotated[
            Optional[Path], typer.Option("--file", help=h("review.help.opt.file"), metavar="FILE")
        ] = None,
        version: Annotated[Optional[int], typer.Option("--version", help=h("review.help.opt.version"))] = None,
    ) -> None:
        rt = rt_of()
        given = locals()
        changes: dict[str, Any] = _read_file(from_file) if from_file else {}
        for name in service.FIELDS:
            for lg, suffix in (("zh-CN", "zh"), ("en", "en")):
                value = given.get(f"{name}_{suffix}")
                if value is not None:
                    changes[f"{name}.{lg}"] = value
        iid = parse_id(incident)
        with rt.store.transaction() as s:
            before = service.get(s, iid)
            signed = len(service.active_signoffs(s, before.id)) if before is not None else 0
            review, changed = service.edit(s, rt.ctx, iid, changes, expected_version=version)
            ref, ver = f"INC-{iid}", review.version
        if not changed:
            out.print(t("review.out.unchanged", rt.lang, ref=ref))
            return
        fields = ("、" if rt.lang == "zh-CN" else ", ").join(changed)
        out.print(t("review.out.saved", rt.lang, ref=ref, version=ver, fields=fields), style="bold")
        if signed:  # an edit voids what was signed: say so where the editor looks
            out.print(t("review.out.voided", rt.lang), style="yellow")

    @review_app.command("sign", help=h("review.help.sign"))
    def sign(
        incident: Incident,
        comment: Annotated[
            Optional[str], typer.Option("--comment", help=h("review.help.opt.comment"), metavar="TEXT")
        ] = None,
    ) -> None:
        rt = rt_of()
        iid = parse_id(incident)
        with rt.store.transaction() as s:
            signoff, complete = service.sign(s, rt.ctx, iid, comment)
            role = (
                t("review.role.second", rt.lang)
                if signoff.role == service.SECOND
                else label("role", signoff.role, rt.lang)
            )
            person, version = signoff.person, signoff.version
        ref = f"INC-{iid}"
        out.print(t("review.out.signed", rt.lang, person=person, role=role, ref=ref, version=version), style="bold")
        if complete:
            out.print(t("review.out.signed_off", rt.lang, ref=ref), style="green")

    @review_app.command("waive", help=h("review.help.waive"))
    def waive(
        incident: Incident,
        reason: Annotated[str, typer.Option("--reason", help=h("review.help.opt.reason"), metavar="TEXT")],
    ) -> None:
        rt = rt_of()
        iid = parse_id(incident)
        with rt.store.transaction() as s:
            service.waive(s, rt.ctx, iid, reason)
        out.print(t("review.out.waived", rt.lang, ref=f"INC-{iid}"), style="bold")

    @review_app.command("export", help=h("review.help.export"))
    def export_(
        incident: Incident,
        fmt: Annotated[str, typer.Option("--format", help=h("review.help.opt.format"), metavar="md|html")] = "md",
        output: Annotated[
            Optional[Path], typer.Option("--output", "-o", help=h("review.help.opt.output"), metavar="FILE")
        ] = None,
    ) -> None:
        rt = rt_of()
        kind = fmt.strip().lower()
        if kind not in ("md", "markdown", "html"):
            raise InputError("review.error.bad_format", value=fmt)
        iid = parse_id(incident)
        with rt.store.transaction() as s:
            review = service.open_review(s, rt.ctx, iid)
            inc = service.incident_of(s, iid)
            render = export.html if kind == "html" else export.markdown
            body = render(s, rt.ctx, inc, review, rt.lang)
        if output is None:
            out.print(body, markup=False, highlight=False, soft_wrap=True)
            return
        output.write_text(body, encoding="utf-8")
        out.print(t("review.out.written", rt.lang, path=str(output)))

    @review_app.command("sweep", help=h("review.help.sweep"))
    def sweep() -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            report = actions.sweep(s, rt.ctx)
        rt.deliver()
        out.print(t("review.out.swept", rt.lang, opened=report.opened, escalated=report.escalated))

    # ---- follow-up actions --------------------------------------------------

    @action_app.command("add", help=h("review.help.action.add"))
    def action_add(
        incident: Incident,
        title: Annotated[str, typer.Option("--title", help=h("review.help.opt.title"), metavar="TEXT")],
        owner: Annotated[str, typer.Option("--owner", help=h("review.help.opt.owner"), metavar="PERSON")],
        due: Annotated[str, typer.Option("--due", help=h("review.help.opt.due"), metavar="DATE")],
    ) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            a = actions.add(s, rt.ctx, parse_id(incident), title, owner, due)
            shown = dict(id=a.id, title=a.title, owner=a.owner, due=a.due_on.isoformat())
        rt.deliver()
        out.print(t("review.out.action_added", rt.lang, **shown), style="bold")

    def change(action_id: int, state: str, note: Optional[str]) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            a = actions.set_state(s, rt.ctx, action_id, state, note, for_others=rt.can("review.edit"))
            shown = t(f"review.action_state.{a.state}", rt.lang)
        out.print(t("review.out.action_state", rt.lang, id=action_id, state=shown), style="bold")

    NoteOpt = Annotated[Optional[str], typer.Option("--note", help=h("review.help.opt.note"), metavar="TEXT")]

    @action_app.command("done", help=h("review.help.action.done"))
    def action_done(action_id: ActionId, note: NoteOpt = None) -> None:
        change(action_id, "done", note)

    @action_app.command("drop", help=h("review.help.action.drop"))
    def action_drop(action_id: ActionId, note: NoteOpt = None) -> None:
        change(action_id, "dropped", note)

    @action_app.command("reopen", help=h("review.help.action.reopen"))
    def action_reopen(action_id: ActionId, note: NoteOpt = None) -> None:
        change(action_id, "open", note)

    @action_app.command("list", help=h("review.help.action.list"))
    def action_list(
        incident: Annotated[
            Optional[str], typer.Argument(metavar="[INCIDENT]", help=h("review.help.arg.incident"))
        ] = None,
        mine: Annotated[bool, typer.Option("--mine", help=h("review.help.opt.mine"))] = False,
        as_json: Annotated[bool, typer.Option("--json", help=h("help.opt.json"))] = False,
    ) -> None:
        rt = rt_of()
        now = rt.clock.now()
        with rt.store.read() as s:
            if incident is not None and not mine:
                rows = actions.for_incident(s, parse_id(incident))
            else:
                rows = [a for a, _ in actions.open_for(s, service.person_key(rt.config, rt.actor))]
            if as_json:
                print_json(out, [view.action_json(a, now) for a in rows])
                return
            _actions_table(out, rows, rt.lang, lambda k: display(rt.config, k), now)
