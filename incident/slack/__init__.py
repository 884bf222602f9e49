"""The response group in Slack: a channel per incident kept in step with
it (topic, members, a pinned summary updated in place, the timeline), and
the ``/incident`` command and buttons. Optional: without a token nothing is
sent and every other part works the same."""
