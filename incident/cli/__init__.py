"""The ``incident`` command line (typer + rich)."""
