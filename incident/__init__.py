"""incident-coordinator: the domain package.

Nothing in here imports Prefect; flows in ``flows/`` (installed as
``incident_flows``) call these plain functions. Service functions take a
SQLAlchemy session and never commit: the caller (CLI command, flow task,
HTTP route) owns the transaction.
"""

# The one place the version is written (pyproject.toml reads it from here).
__version__ = "0.1.0"
