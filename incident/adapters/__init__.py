"""Outbound integrations, one module each, behind :class:`ChannelAdapter`
(``base``): ``smtp`` (e-mail through any SMTP server) and ``deliverylog``
(the default for SMS, Weibo, WeChat and X until a real gateway is wired:
an append-only JSONL log per channel)."""
