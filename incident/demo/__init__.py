"""The first run for a newcomer (``incident serve --demo``, what ``./dev run``
starts): the coordinator as it is in production, fed by a made-up but
realistic world instead of the centre's own systems —

- two example feeds served by the web app itself under ``/demo/feeds/``: a
  Weibo search feed in Chinese (posts about the brand) and a payment
  provider's Statuspage feed in English (its outage, updated as it goes);
- a replayed complaint stream: a week of ordinary tickets, then an outage
  surge (the app's log-in and payments failing) that began ten minutes
  before the start and goes on for twenty more, posted live to
  ``/api/complaints`` the way a ticket system would;
- demo users for each role, with a password printed in the terminal.

Everything lives in its own data directory (``$INCIDENT_DATA_DIR/demo``),
reset at each start, so a demo never touches real data."""
