"""Who may do what in the web app and the API: users and their roles
(``users``), passwords (``passwords``), machines' API tokens (``tokens``),
signed-in browsers (``sessions``), and the role → action table
(``permissions``). The domain's own rules (four eyes, the roster's
approvers, supervisors) still apply on top of these."""
