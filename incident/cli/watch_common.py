"""What the watch CLI's modules share (incident/cli/watch_cmds.py and
feeds_cmds.py): the poll report lines and the polling progress bar."""

import sys
from collections.abc import Callable
from typing import Any, Optional

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from incident.i18n import t
from incident.watch import jobs

Say = Callable[..., None]


def error_text(key: Optional[str], params: dict, lang_: str) -> str:
    return t(key, lang_, **params) if key else ""


def show_polls(say: Say, reports: list, lang_: str) -> None:
    for rep in reports:
        if not rep.ok:
            say(
                t(
                    "out.poll_failed",
                    lang_,
                    source=rep.source,
                    error=error_text(rep.error_key, rep.error_params, lang_),
                ),
                style="red",
            )
        elif rep.not_modified:
            say(t("out.poll_304", lang_, source=rep.source))
        else:
            say(
                t(
                    "out.poll_ok",
                    lang_,
                    source=rep.source,
                    entries=rep.entries,
                    new=rep.new,
                    updated=rep.updated,
                    signals=rep.signals,
                )
            )


def poll_with_progress(r: Any, names: list[str] | None, as_json: bool) -> list:
    """poll_all with a progress bar on stderr (a terminal only: sources
    are stored as they arrive, so a long poll shows how far it is)."""
    progress = Progress(
        TextColumn(t("watch.out.polling", r.lang)),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=as_json or not sys.stderr.isatty(),
        transient=True,
    )
    with progress:
        task = progress.add_task("poll", total=len(names or r.config.feeds))

        def tick(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return jobs.poll_all(r.store, r.ctx, names, progress=tick)
