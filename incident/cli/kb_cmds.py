"""CLI commands ``incident kb list|show|search|add|edit|retire|approve|
reject|harvest``: the knowledge base (incident/knowledge). Everyone who
may look replies up reads and searches it; comms and customer-service
leads propose changes (``kb.edit``) and another of them approves
(``kb.approve``; never one's own). Each change is one transaction."""

from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from incident import incidents
from incident.cli import kb_texts as _texts  # noqa: F401  (kb.help.*, kb.out.*)
from incident.cli.render import print_json
from incident.config import normalise_lang
from incident.enums import Status
from incident.errors import ConflictError, InputError
from incident.i18n import LANGS, t
from incident.knowledge import entries, harvest
from incident.knowledge import search as kb
from incident.runtime import Runtime
from incident.timeutil import fmt

Opt = typer.Option


def say(out: Console, text: str, style: Optional[str] = None) -> None:
    out.print(text, style=style, markup=False, highlight=False, soft_wrap=True)


def show_answers(out: Console, answers: list[dict[str, Any]], lang: str) -> None:
    """Knowledge-base answers as the agent reads them: the label first (the
    entry, the source incident and its date: never a live wording)."""
    for a in answers:
        say(out, a["label"], "bold yellow")
        say(out, t("kb.out.answer_head", lang, ref=a["ref"], title=a["title"]), "bold")
        if a.get("why_text"):
            say(out, t("kb.out.why", lang, why=a["why_text"]), "dim")
        say(out, a["answer"])
        if a["questions"]:
            say(out, t("kb.out.asked", lang, questions=" / ".join(a["questions"])), "dim")


def show_also(out: Console, answers: list[dict[str, Any]], lang: str) -> None:
    """Beneath a live reply: entries that also match, one line each."""
    for a in answers:
        say(out, t("kb.out.also", lang, ref=a["ref"], title=a["title"], label=a["label"]), "dim")


def _content(
    title: Optional[str],
    title_en: Optional[str],
    answer: Optional[str],
    answer_en: Optional[str],
    questions: Optional[list[str]],
    keywords: Optional[list[str]],
    products: Optional[list[str]],
    categories: Optional[list[str]],
) -> dict[str, Any]:
    """What was given on the command line (an edit changes only that)."""
    out: dict[str, Any] = {}
    for field, zh, en in (("title", title, title_en), ("answer", answer, answer_en)):
        given = {lang: v for lang, v in zip(LANGS, (zh, en), strict=True) if v is not None}
        if given:
            out[field] = given
    for field, value in (("questions", questions), ("keywords", keywords), ("products", products)):
        if value:
            out[field] = value
    if categories:
        out["categories"] = categories
    return out


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    kb_app = typer.Typer(help=h("kb.help"), no_args_is_help=True)
    app.add_typer(kb_app, name="kb")

    JsonOpt = Annotated[bool, Opt("--json", help=h("help.opt.json"))]
    RefArg = Annotated[str, typer.Argument(metavar="KB-N", help=h("kb.help.arg.ref"))]
    TitleOpt = Annotated[Optional[str], Opt("--title", help=h("kb.help.opt.title"), metavar="TEXT")]
    TitleEnOpt = Annotated[Optional[str], Opt("--title-en", help=h("kb.help.opt.title_en"), metavar="TEXT")]
    AnswerOpt = Annotated[Optional[str], Opt("--answer", help=h("kb.help.opt.answer"), metavar="TEXT")]
    AnswerEnOpt = Annotated[Optional[str], Opt("--answer-en", help=h("kb.help.opt.answer_en"), metavar="TEXT")]
    QuestionOpt = Annotated[Optional[list[str]], Opt("--question", help=h("kb.help.opt.question"), metavar="TEXT")]
    KeywordOpt = Annotated[Optional[list[str]], Opt("--keyword", help=h("kb.help.opt.keyword"), metavar="WORD")]
    ProductOpt = Annotated[Optional[list[str]], Opt("--product", help=h("kb.help.opt.product"), metavar="NAME")]
    CategoryOpt = Annotated[Optional[list[str]], Opt("--category", help=h("kb.help.opt.category"), metavar="NAME")]
    NoteOpt = Annotated[Optional[str], Opt("--note", help=h("kb.help.opt.note"), metavar="TEXT")]
    ReasonOpt = Annotated[str, Opt("--reason", help=h("kb.help.opt.reason"), metavar="TEXT")]

    def row(rt: Runtime, e: Any, body: dict[str, Any]) -> str:
        title = (body.get("title") or {}).get(rt.lang) or (body.get("title") or {}).get("zh-CN") or ""
        source = f"INC-{e.source_incident_id}" if e.source_incident_id else t("kb.out.manual", rt.lang)
        status = t(f"kb.status.{e.status}", rt.lang)
        return t("kb.out.row", rt.lang, ref=e.ref, title=title, status=status, version=e.version, source=source)

    @kb_app.command("list", help=h("kb.help.list"))
    def list_(
        status: Annotated[str, Opt("--status", help=h("kb.help.opt.status"), metavar="STATUS")] = "active",
        as_json: JsonOpt = False,
    ) -> None:
        rt = rt_of()
        with rt.store.read() as s:
            found = entries.list_entries(s, status, limit=None)
            if as_json:
                print_json(out, [entries.entry_json(s, e) for e in found])
                return
            lines = []
            for e in found:
                version = entries.current(s, e) or entries.open_proposal(s, e.id)
                lines.append(row(rt, e, version.content if version else {}))
        if not lines:
            say(out, t("kb.out.none", rt.lang))
        for line in lines:
            say(out, line)

    @kb_app.command("show", help=h("kb.help.show"))
    def show(ref: RefArg, as_json: JsonOpt = False) -> None:
        rt = rt_of()
        with rt.store.read() as s:
            data = entries.entry_json(s, entries.get(s, entries.parse_ref(ref)), history=True)
        if as_json:
            print_json(out, data)
            return
        body = data["content"] or (data["proposal"] or {}).get("content") or {}
        source = data["source_incident"] or t("kb.out.manual", rt.lang)
        say(
            out,
            t(
                "kb.out.show_head",
                rt.lang,
                ref=data["ref"],
                status=t(f"kb.status.{data['status']}", rt.lang),
                version=data["version"],
                source=source,
            ),
            "bold",
        )
        for lang_ in LANGS:
            say(out, t("kb.out.field_title", rt.lang, lang=lang_, text=(body.get("title") or {}).get(lang_) or "—"))
            say(out, t("kb.out.field_answer", rt.lang, lang=lang_, text=(body.get("answer") or {}).get(lang_) or "—"))
        for q in body.get("questions") or []:
            say(out, t("kb.out.field_question", rt.lang, text=q))
        if data["proposal"]:
            p = data["proposal"]
            action = t(f"kb.action.{p['action']}", rt.lang)
            say(out, t("kb.out.waiting", rt.lang, action=action, version=p["version"], who=p["proposed_by"]), "yellow")
        for v in data["history"]:
            action, status = t(f"kb.action.{v['action']}", rt.lang), t(f"kb.vstatus.{v['status']}", rt.lang)
            say(
                out,
                t(
                    "kb.out.history_row",
                    rt.lang,
                    version=v["version"],
                    action=action,
                    status=status,
                    proposed=v["proposed_by"],
                    decided=v["decided_by"] or "—",
                    note=v["note"] or "",
                ),
                "dim",
            )

    @kb_app.command("search", help=h("kb.help.search"))
    def search(
        text: Annotated[str, typer.Argument(metavar="TEXT", help=h("kb.help.arg.text"))],
        in_lang: Annotated[Optional[str], Opt("--in", help=h("help.opt.in_lang"), metavar="LANG")] = None,
        limit: Annotated[int, Opt("--limit", help=h("kb.help.opt.limit"), metavar="N")] = 3,
        as_json: JsonOpt = False,
    ) -> None:
        rt = rt_of()
        try:
            chosen = normalise_lang(in_lang) if in_lang else rt.lang
        except ValueError:
            raise InputError("wording.error.bad_lang", value=in_lang) from None
        with rt.store.read() as s:
            found = kb.find(s, rt.config, text, chosen, max(1, limit))
        if as_json:
            print_json(out, {"source": kb.SOURCE, "knowledge_base": found})
        elif found:
            show_answers(out, found, rt.lang)
        else:
            say(out, t("kb.out.no_match", rt.lang, q=text))

    @kb_app.command("add", help=h("kb.help.add"))
    def add(
        title: TitleOpt = None,
        title_en: TitleEnOpt = None,
        answer: AnswerOpt = None,
        answer_en: AnswerEnOpt = None,
        question: QuestionOpt = None,
        keyword: KeywordOpt = None,
        product: ProductOpt = None,
        category: CategoryOpt = None,
        note: NoteOpt = None,
    ) -> None:
        rt = rt_of()
        raw = _content(title, title_en, answer, answer_en, question, keyword, product, category)
        with rt.store.transaction() as s:
            entry, _ = entries.propose_create(s, rt.ctx, raw, note)
            ref = entry.ref
        say(out, t("kb.out.proposed", rt.lang, ref=ref), "bold")

    @kb_app.command("edit", help=h("kb.help.edit"))
    def edit(
        ref: RefArg,
        title: TitleOpt = None,
        title_en: TitleEnOpt = None,
        answer: AnswerOpt = None,
        answer_en: AnswerEnOpt = None,
        question: QuestionOpt = None,
        keyword: KeywordOpt = None,
        product: ProductOpt = None,
        category: CategoryOpt = None,
        note: NoteOpt = None,
    ) -> None:
        rt = rt_of()
        changes = _content(title, title_en, answer, answer_en, question, keyword, product, category)
        entry_id = entries.parse_ref(ref)
        if not changes:
            raise InputError("kb.error.no_change", ref=f"KB-{entry_id}")
        with rt.store.transaction() as s:
            v = entries.propose_edit(s, rt.ctx, entry_id, changes, note)
            say(out, t("kb.out.edit_proposed", rt.lang, ref=f"KB-{entry_id}", version=v.version), "bold")

    @kb_app.command("retire", help=h("kb.help.retire"))
    def retire(ref: RefArg, reason: ReasonOpt) -> None:
        rt = rt_of()
        entry_id = entries.parse_ref(ref)
        with rt.store.transaction() as s:
            entries.propose_retire(s, rt.ctx, entry_id, reason)
        say(out, t("kb.out.retire_proposed", rt.lang, ref=f"KB-{entry_id}"), "bold")

    @kb_app.command("approve", help=h("kb.help.approve"))
    def approve(
        ref: RefArg,
        comment: Annotated[Optional[str], Opt("--comment", help=h("kb.help.opt.comment"), metavar="TEXT")] = None,
    ) -> None:
        rt = rt_of()
        entry_id = entries.parse_ref(ref)
        with rt.store.transaction() as s:
            v = entries.approve(s, rt.ctx, entry_id, comment)
            action = t(f"kb.action.{v.action}", rt.lang)
        say(out, t("kb.out.approved", rt.lang, ref=f"KB-{entry_id}", version=v.version, action=action), "bold green")

    @kb_app.command("reject", help=h("kb.help.reject"))
    def reject(ref: RefArg, reason: ReasonOpt) -> None:
        rt = rt_of()
        entry_id = entries.parse_ref(ref)
        with rt.store.transaction() as s:
            entries.reject(s, rt.ctx, entry_id, reason)
        say(out, t("kb.out.rejected", rt.lang, ref=f"KB-{entry_id}"), "bold")

    @kb_app.command("harvest", help=h("kb.help.harvest"))
    def harvest_cmd(incident: Annotated[str, typer.Argument(metavar="ID", help=h("help.arg.id"))]) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            inc = incidents.get(s, incidents.parse_id(incident))
            if inc.status != Status.CLOSED.value:
                raise ConflictError("kb.error.not_closed", ref=inc.ref)
            entry = harvest.harvest(s, rt.ctx, inc)
            if entry is None:
                raise ConflictError("kb.error.nothing_to_harvest", ref=inc.ref)
            ref, closed = entry.ref, fmt(entry.source_closed_at, rt.config.zone) if entry.source_closed_at else "—"
        say(out, t("kb.out.harvested", rt.lang, ref=ref, incident=inc.ref, closed=closed), "bold")
