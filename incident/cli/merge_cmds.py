"""CLI commands ``incident link A B`` and ``incident merge SOURCE INTO``:
two incidents about one outage (incident/merge.py). Each is one
transaction; the permission is the lead's incident.update (cli/guard.py)."""

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console

from incident import merge
from incident import merge_texts as _merge_texts  # noqa: F401  (merge.help.*, merge.out.*)
from incident.i18n import t
from incident.incidents import parse_id
from incident.runtime import Runtime


def register(app: typer.Typer, lang: str, rt_of: Callable[[], Runtime], out: Console) -> None:
    def h(key: str) -> str:
        return t(key, lang)

    @app.command("link", help=h("merge.help.link"))
    def link_(
        a: Annotated[str, typer.Argument(metavar="A", help=h("merge.help.arg.a"))],
        b: Annotated[str, typer.Argument(metavar="B", help=h("merge.help.arg.b"))],
    ) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            inc_a, inc_b = merge.link(s, rt.ctx, parse_id(a), parse_id(b))
            out.print(t("merge.out.linked", rt.lang, a=inc_a.ref, b=inc_b.ref), style="bold")

    @app.command("merge", help=h("merge.help.merge"))
    def merge_(
        source: Annotated[str, typer.Argument(metavar="SOURCE", help=h("merge.help.arg.source"))],
        into: Annotated[str, typer.Argument(metavar="INTO", help=h("merge.help.arg.into"))],
    ) -> None:
        rt = rt_of()
        with rt.store.transaction() as s:
            result = merge.merge(s, rt.ctx, parse_id(source), parse_id(into))
        counts = asdict(result) | {"source": f"INC-{result.source}", "target": f"INC-{result.target}"}
        out.print(t("merge.out.merged", rt.lang, **counts), style="bold")
        if result.compensations_kept or result.callbacks_cancelled:
            out.print(t("merge.out.kept", rt.lang, **counts))
        rt.deliver()
