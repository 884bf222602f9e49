"""The watch half of the mission: feeds, complaints, volume series and the
signals that open incidents (DOMAIN.md §1.4, §3)."""

from incident.watch import texts as _texts  # noqa: F401  (registers the watch texts)
