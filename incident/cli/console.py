"""The rich consoles the CLI prints to."""

from __future__ import annotations

import os
import shutil

from rich.console import Console


def make_console(stderr: bool = False) -> Console:
    # Without a terminal (pipes, CI, tests) rich would wrap at 80 columns and
    # cut CJK titles; give it room instead.
    width = None if os.isatty(2 if stderr else 1) else max(160, shutil.get_terminal_size((160, 24)).columns)
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)
