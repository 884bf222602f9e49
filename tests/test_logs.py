"""Structured logs: JSON lines with the record's extra fields, and the web
app's access log through them."""

from __future__ import annotations

import json
import logging

import httpx

from incident.logs import setup
from incident.web.app import create_app
from tests.webserver import LiveServer
from tests.webutil import web_runtime


def test_json_access_log(db_url, config, clock, capfd):
    rt = web_runtime(db_url, config, clock)
    setup("json", "INFO")
    try:
        with LiveServer(create_app(rt)) as srv:
            assert httpx.get(srv.base + "/healthz").status_code == 200
            assert httpx.get(srv.base + "/nope").status_code == 404
        logging.getLogger("incident.watch").warning("source %s failed", "weibo", extra={"source": "weibo"})
        lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    finally:  # leave logging as the other tests found it
        logger = logging.getLogger("incident")
        logger.handlers = [h for h in logger.handlers if not getattr(h, "_incident", False)]
        logger.propagate, logger.level = True, logging.NOTSET
    access = [x for x in lines if x["logger"] == "incident.access"]
    assert [(x["method"], x["path"], x["status"]) for x in access] == [("GET", "/healthz", 200), ("GET", "/nope", 404)]
    assert all(isinstance(x["ms"], float) and x["level"] == "info" and x["ts"].endswith("+00:00") for x in access)
    warn = [x for x in lines if x["logger"] == "incident.watch"]
    assert warn == [{**warn[0], "level": "warning", "msg": "source weibo failed", "source": "weibo"}]
