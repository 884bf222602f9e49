"""The post-incident review (复盘, 000 §6.2, DOMAIN.md §1.2): opened when an
incident is resolved; facts built from what the system recorded (never
typed twice); what people add (summary, root cause, contributing factors,
what went well and badly, in zh-CN and en); sign-off by the business, tech
and legal liaisons the response group had (four eyes); follow-up actions
tracked like callbacks; exports in Markdown and HTML.

Modules: ``service`` (open, edit, sign, waive, the close gate), ``facts``
(the recorded facts), ``actions`` (follow-up actions and the sweep),
``view`` (one JSON shape for the CLI and the API), ``export``. Every
function takes a session and never commits."""
