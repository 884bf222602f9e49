"""One approved wording per incident (DOMAIN.md §1, §6).

``findings`` — what a check reports; ``lint`` — the wording linter (004 ch.2
§1.3, §2, 000 §2.1, privacy); ``channels`` — each channel's real limits;
``factsheet`` / ``approval`` / ``render`` / ``publish`` / ``pull`` — the
fact sheet, its four-eyes approval, rendering replies and statements from it,
publishing through the outbox, and the agents' lookup.
"""
