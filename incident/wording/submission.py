"""What a statement needs before it may be drafted or submitted (issue 22):
a public title in both languages on the sheet it is drawn from, and no
error finding (warnings are shown, not blocking). Refusals say what to do,
in the reader's language."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from incident.errors import ConflictError
from incident.i18n import LANGS
from incident.models import FactSheet, Incident, Statement
from incident.wording import factsheet
from incident.wording import sheet_texts as _sheet_texts  # noqa: F401

# How many errors the refusal lists (the desk and `statements show` list all).
LISTED = 5


def require_public_title(incident: Incident, sheet: FactSheet) -> None:
    missing = [f"public_title.{lang}" for lang in LANGS if factsheet.public_title(sheet.content, lang) is None]
    if missing:
        raise ConflictError(
            "wording.error.public_title_missing", ref=incident.ref, version=sheet.version, fields=", ".join(missing)
        )


def _where(f: dict[str, Any]) -> str:
    parts = [p for p in (f.get("channel"), f.get("lang"), f.get("part")) if p]
    text = f"「{f['text']}」" if f.get("text") else ""
    return f"{'/'.join(parts)} {f.get('rule')}{text}".strip()


def check_statement(session: Session, incident: Incident, st: Statement) -> None:
    """Refuse a statement whose sheet has no public title or whose
    rendering has error findings, listing the errors."""
    sheet = session.get(FactSheet, st.fact_sheet_id)
    if sheet is not None:
        require_public_title(incident, sheet)
    errors = [f for f in st.findings or [] if f.get("severity") == "error"]
    if errors:
        listed = "; ".join(_where(f) for f in errors[:LISTED])
        more = f"; … (+{len(errors) - LISTED})" if len(errors) > LISTED else ""
        raise ConflictError(
            "wording.error.statement_errors",
            what=f"{incident.ref} #{st.number}",
            count=len(errors),
            errors=listed + more,
        )
