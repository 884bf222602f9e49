"""incident-coordinator: the domain package.

Nothing in here imports Prefect; flows in ``flows/`` call these plain
functions. Service functions take a SQLAlchemy session and never commit: the
caller (CLI command, flow task, HTTP route) owns the transaction.
"""

__version__ = "0.1.0"
