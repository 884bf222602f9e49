"""Where an incident is closed for the customer: affected customers,
compensation (policy, caps, four-eyes approval, a ledger issued through a
provider) and follow-up callbacks (回访), with their reports.
DOMAIN.md §4 and §5."""
