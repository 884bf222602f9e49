"""A local Slack Web API on 127.0.0.1 for tests.

Point the real ``slack_sdk.WebClient`` at it::

    with SlackServer(token="xoxb-test", users={"ana@example.com": "U0ANA0001"}) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.base_url)
        client.conversations_create(name="inc-42")

Every call is checked against Slack's published OpenAPI description of the
Web API (``shared/slack/slack_web_openapi_v2.json``, read once per process): the method must exist,
every argument must be declared for it, required ones must be there,
integer/boolean/number values must parse, and a JSON body is only accepted
by methods that consume JSON. A violation is appended to
``server.violations`` *and* the call is answered with Slack's
``invalid_arguments`` error, so a test cannot miss it.

The methods the coordinator uses are stateful and answer like Slack does
(channel ids, ``name_taken``, ``not_in_channel``, ``already_in_channel``,
unique increasing ``ts``, …). Faults can be injected per method
(:meth:`SlackServer.fail_next`, :meth:`SlackServer.rate_limit_next`) and the
whole server can be taken down (:meth:`SlackServer.down`).

``POST /response/<token>`` is a sink for slash-command ``response_url``
answers: the JSON body lands in ``server.responses[token]``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit


def _default_spec_path() -> Path:
    """$SLACK_OPENAPI_SPEC, else slack/ in the project's shared folder
    ($INCIDENT_SHARED_DIR, ../shared beside the checkout, /work/shared)."""
    if os.environ.get("SLACK_OPENAPI_SPEC"):
        return Path(os.environ["SLACK_OPENAPI_SPEC"])
    root = Path(__file__).resolve().parents[1]
    for base in (os.environ.get("INCIDENT_SHARED_DIR"), root.parent / "shared", "/work/shared"):
        if base and (Path(base) / "slack" / "slack_web_openapi_v2.json").is_file():
            return Path(base) / "slack" / "slack_web_openapi_v2.json"
    raise FileNotFoundError(
        "shared/slack/slack_web_openapi_v2.json not found: set INCIDENT_SHARED_DIR or SLACK_OPENAPI_SPEC"
    )


# Arguments that Slack's *current* method docs (docs.slack.dev/reference/methods/…)
# accept but the 2021 OpenAPI description lacks, and that slack_sdk's own
# client methods send when the caller gives them. Kept per method and per
# argument on purpose: everything else must be in the spec.
EXTRA_ARGUMENTS: dict[str, dict[str, str]] = {
    # team_id: "encoded team id to create the channel in, required if org token is used"
    "conversations.create": {"team_id": "string"},
    # force: "continue inviting the valid ones while disregarding invalid IDs"
    "conversations.invite": {"force": "boolean"},
    # metadata (message metadata, 2022) and markdown_text (2025) are documented today.
    "chat.postMessage": {"metadata": "string", "markdown_text": "string"},
    "chat.update": {
        "metadata": "string",
        "markdown_text": "string",
        "reply_broadcast": "boolean",
        "file_ids": "string",
    },
    "chat.postEphemeral": {"markdown_text": "string"},
    # include_all_metadata: documented for conversations.history since 2022.
    "conversations.history": {"include_all_metadata": "boolean"},
}

# Arguments Slack's current docs mark "Required" where the 2021 spec leaves
# ``required`` off (it does so for every conversations.* method). A call
# without them is a bug in the caller, so treat it like a spec violation.
EXTRA_REQUIRED: dict[str, set[str]] = {
    "conversations.create": {"name"},
    "conversations.setTopic": {"channel", "topic"},
    "conversations.invite": {"channel", "users"},
    "conversations.archive": {"channel"},
    "conversations.info": {"channel"},
    "conversations.join": {"channel"},
    "conversations.history": {"channel"},
    "conversations.members": {"channel"},
}


@dataclass(frozen=True)
class MethodSpec:
    name: str
    params: dict[str, str]  # argument -> declared type (string/boolean/integer/number)
    required: frozenset[str]
    consumes: frozenset[str]


def load_spec(path: str | Path | None = None) -> dict[str, MethodSpec]:
    """Slack's OpenAPI file as ``{method: MethodSpec}``, read once per path."""
    return _load_spec(str(Path(path or _default_spec_path()).resolve()))


@functools.lru_cache(maxsize=None)
def _load_spec(path: str) -> dict[str, MethodSpec]:
    with open(path, encoding="utf-8") as fh:
        raw = json.load(fh)
    methods: dict[str, MethodSpec] = {}
    for route, ops in raw["paths"].items():
        name = route.lstrip("/")
        params: dict[str, str] = {}
        required: set[str] = set()
        consumes: set[str] = set()
        for op in ops.values():
            consumes.update(op.get("consumes") or ["application/x-www-form-urlencoded"])
            for p in op.get("parameters", []):
                if p.get("name") == "token" or p.get("in") not in ("formData", "query"):
                    continue
                params[p["name"]] = p.get("type", "string")
                if p.get("required"):
                    required.add(p["name"])
        for arg, kind in EXTRA_ARGUMENTS.get(name, {}).items():
            params.setdefault(arg, kind)
        required |= EXTRA_REQUIRED.get(name, set())
        methods[name] = MethodSpec(name, params, frozenset(required), frozenset(consumes))
    return methods


_TRUE = {"1", "true"}
_FALSE = {"0", "false"}


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "boolean":
        if isinstance(value, bool):
            return True
        if isinstance(value, int):
            return value in (0, 1)
        return isinstance(value, str) and value.lower() in _TRUE | _FALSE
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        return isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()) is not None
    if kind == "number":
        if isinstance(value, bool):
            return False
        if isinstance(value, (int, float)):
            return True
        try:
            float(value)
        except (TypeError, ValueError):
            return False
        return True
    return True  # strings: anything, incl. JSON-encoded lists/objects


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in _TRUE
    return bool(value)


_NAME_OK = re.compile(r"[a-z0-9_-]+")


class _Fault:
    def __init__(
        self, times: int, reply: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.times = times
        self.reply = reply
        self.status = status
        self.headers = headers or {}


@dataclass
class _Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class SlackServer:
    """A stateful Slack Web API on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        token: str = "xoxb-test-token",
        users: dict[str, str] | None = None,
        *,
        bot_user_id: str = "U0BOT00001",
        bot_id: str = "B0BOT00001",
        team_id: str = "T0TEAM0001",
        team: str = "Incident Test",
        spec_path: str | Path | None = None,
    ) -> None:
        self.token = token
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.team = team
        self.spec = load_spec(spec_path)

        # What tests assert on.
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.requests: list[dict[str, Any]] = []  # raw: path, verb, headers, content type, body
        self.channels: dict[str, dict[str, Any]] = {}
        self.users: dict[str, dict[str, Any]] = {}  # user id -> user object
        self.responses: dict[str, Any] = {}  # response_url token -> last JSON body posted
        self.response_log: dict[str, list[Any]] = {}  # response_url token -> every body, in order

        self._lock = threading.RLock()
        self._faults: dict[str, list[_Fault]] = {}
        self._seq = 0
        self._last_ts_us = 0
        self._mode: str | None = None  # None (up), "drop" or "503"
        self._placeholder: socket.socket | None = None

        self.add_user(None, bot_user_id, name="incident-bot", is_bot=True)
        for email, uid in (users or {}).items():
            self.add_user(email, uid)

        self.httpd = self._make_httpd(None)
        self.port: int = self.httpd.server_address[1]
        self.thread: threading.Thread | None = None

    # ------------------------------------------------------------------
    # lifecycle

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``WebClient(base_url=...)``: slack_sdk urljoins the method name onto it."""
        return f"{self.url}/api/"

    def response_url(self, token: str) -> str:
        return f"{self.url}/response/{token}"

    def start(self) -> "SlackServer":
        if self.thread is None:
            self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            self.thread.start()
        return self

    def stop(self) -> None:
        if self.thread is not None:
            self.httpd.shutdown()
            self.thread.join(5)
            self.thread = None
        self.httpd.server_close()
        if self._placeholder is not None:
            self._placeholder.close()
            self._placeholder = None

    def __enter__(self) -> "SlackServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def down(self, mode: str = "refuse") -> None:
        """Make Slack unreachable.

        ``refuse`` (default): the listening socket is closed, so connections
        are refused (the port stays reserved by a bound, non-listening
        socket, so :meth:`up` gets it back). slack_sdk raises
        ``urllib.error.URLError`` (reason ``ConnectionRefusedError``).
        ``drop``: connections are accepted, the request read, and the
        connection closed without an answer (``http.client.RemoteDisconnected``).
        ``503``: every call gets an HTML 503 (slack_sdk raises ``SlackApiError``).
        """
        if mode not in ("refuse", "drop", "503"):
            raise ValueError(mode)
        if mode != "refuse":
            self._mode = mode
            return
        if self._placeholder is not None:
            return
        self.stop()
        hold = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hold.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hold.bind(("127.0.0.1", self.port))
        self._placeholder = hold

    def up(self) -> None:
        self._mode = None
        if self._placeholder is None:
            return
        sock, self._placeholder = self._placeholder, None
        self.httpd = self._make_httpd(sock)
        self.start()

    def _make_httpd(self, sock: socket.socket | None) -> ThreadingHTTPServer:
        handler = _make_handler(self)
        if sock is None:
            httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        else:
            httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler, bind_and_activate=False)
            httpd.socket.close()
            httpd.socket = sock
            httpd.server_address = sock.getsockname()
            httpd.server_name, httpd.server_port = "127.0.0.1", self.port
            httpd.server_activate()
        httpd.daemon_threads = True
        return httpd

    # ------------------------------------------------------------------
    # fixtures and fault injection

    def add_user(
        self, email: str | None, user_id: str | None = None, *, name: str | None = None, is_bot: bool = False
    ) -> str:
        """Put a user in the workspace directory (found by users.lookupByEmail)."""
        with self._lock:
            uid = user_id or self._new_id("U")
            handle = name or (email.split("@")[0] if email else uid.lower())
            self.users[uid] = {
                "id": uid,
                "team_id": self.team_id,
                "name": handle,
                "deleted": False,
                "real_name": handle,
                "tz": "Asia/Shanghai",
                "is_admin": False,
                "is_owner": False,
                "is_bot": is_bot,
                "is_app_user": False,
                "profile": {"real_name": handle, "display_name": handle, "email": email, "team": self.team_id},
            }
            if email is None:
                del self.users[uid]["profile"]["email"]
            return uid

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        members: list[str] | tuple[str, ...] = (),
        bot_member: bool = True,
        archived: bool = False,
        channel_id: str | None = None,
    ) -> str:
        """A channel someone else made (the bot is in it unless ``bot_member=False``)."""
        with self._lock:
            cid = channel_id or self._new_id("C")
            creator = next(iter(members), "U0OTHER001")
            member_list = ([self.bot_user_id] if bot_member else []) + [m for m in members if m != self.bot_user_id]
            self.channels[cid] = self._channel(cid, name, is_private, creator, member_list)
            self.channels[cid]["archived"] = archived
            return cid

    def channel_by_name(self, name: str) -> dict[str, Any] | None:
        name = name.lstrip("#")
        return next((c for c in self.channels.values() if c["name"] == name), None)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages, oldest first."""
        msgs = self.channels[channel]["messages"]
        return [msgs[ts] for ts in sorted(msgs, key=float)]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        return [args for m, args in self.calls if m == method]

    def fail_next(self, method: str, error: str, times: int = 1, **extra: Any) -> None:
        """The next ``times`` calls of ``method`` ("*" = any) answer
        ``{"ok": false, "error": error, **extra}`` without touching state."""
        self._add_fault(method, _Fault(times, {"ok": False, "error": error, **extra}))

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` ("*" = any) get HTTP 429,
        ``Retry-After: retry_after`` and ``{"ok": false, "error": "ratelimited"}``."""
        self._add_fault(
            method, _Fault(times, {"ok": False, "error": "ratelimited"}, 429, {"Retry-After": str(int(retry_after))})
        )

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add_fault(self, method: str, fault: _Fault) -> None:
        if method != "*" and method not in self.spec:
            raise ValueError(f"{method} is not a Slack Web API method")
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        for key in (method, "*"):
            queue = self._faults.get(key) or []
            if queue:
                fault = queue[0]
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
                return fault
        return None

    # ------------------------------------------------------------------
    # request handling

    def _handle_api(self, method: str, verb: str, headers: Any, query: str, ctype: str, body: bytes) -> _Reply:
        args: dict[str, Any] = {}
        problems: list[str] = []
        body_token: str | None = None
        is_json = False

        def take_pairs(pairs: list[tuple[str, str]], where: str) -> None:
            nonlocal body_token
            for k, v in pairs:
                if k == "token":
                    body_token = v
                    continue
                if k in args:
                    problems.append(f"argument {k!r} given more than once ({where})")
                args[k] = v

        take_pairs(parse_qsl(query, keep_blank_values=True), "query")
        if verb == "POST" and body:
            if ctype == "application/x-www-form-urlencoded":
                take_pairs(parse_qsl(body.decode("utf-8"), keep_blank_values=True), "form body")
            elif ctype == "application/json":
                is_json = True
                try:
                    data = json.loads(body.decode("utf-8"))
                except ValueError:
                    data = None
                if not isinstance(data, dict):
                    problems.append("JSON body is not an object")
                else:
                    for k, v in data.items():
                        if k == "token":
                            # Slack does not read a token from a JSON body: it must be in the header.
                            problems.append("token in a JSON body (Slack wants Authorization: Bearer)")
                            continue
                        if k in args:
                            problems.append(f"argument {k!r} given more than once (query and JSON body)")
                        args[k] = v
            else:
                problems.append(f"unsupported Content-Type {ctype!r}")

        with self._lock:
            self.calls.append((method, args))
            self.requests.append(
                {"method": method, "verb": verb, "headers": dict(headers.items()), "content_type": ctype, "body": body}
            )

            spec = self.spec.get(method)
            if spec is None:
                self.violations.append(f"{method}: no such method in Slack's Web API")
                return _Reply({"ok": False, "error": "unknown_method", "req_method": method})

            auth = headers.get("Authorization") or ""
            token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else None
            token = token or body_token
            if not token:
                return _Reply({"ok": False, "error": "not_authed"})
            if token != self.token:
                return _Reply({"ok": False, "error": "invalid_auth"})

            problems += self._check(spec, args, is_json)
            if problems:
                self.violations += [f"{method}: {p}" for p in problems]
                return _Reply(
                    {
                        "ok": False,
                        "error": "invalid_arguments",
                        "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]},
                    }
                )

            fault = self._take_fault(method)
            if fault is not None:
                return _Reply(dict(fault.reply), fault.status, dict(fault.headers))

            impl = getattr(self, "_m_" + method.replace(".", "_"), None)
            try:
                reply = impl(args) if impl else {"ok": True}
            except Exception as exc:  # a bug here must not look like a Slack answer
                self.violations.append(f"{method}: SlackServer crashed: {type(exc).__name__}: {exc}")
                return _Reply({"ok": False, "error": "internal_error"}, 500)
            return _Reply(reply)

    def _check(self, spec: MethodSpec, args: dict[str, Any], is_json: bool) -> list[str]:
        problems = []
        if is_json and "application/json" not in spec.consumes:
            problems.append("sent as a JSON body, which this method does not accept (Slack ignores its arguments)")
        for k, v in args.items():
            kind = spec.params.get(k)
            if kind is None:
                problems.append(f"argument {k!r} is not declared for this method")
            elif v is None:
                problems.append(f"argument {k!r} is null")
            elif not _type_ok(kind, v):
                problems.append(f"argument {k!r}={v!r} is not a valid {kind}")
        for k in sorted(spec.required):
            if k not in args:
                problems.append(f"missing required field: {k}")
        return problems

    # ------------------------------------------------------------------
    # state helpers

    def _new_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}0{self._seq:08X}"

    def _next_ts(self) -> str:
        us = max(int(time.time() * 1_000_000), self._last_ts_us + 1)
        self._last_ts_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def _channel(self, cid: str, name: str, is_private: bool, creator: str, members: list[str]) -> dict[str, Any]:
        return {
            "id": cid,
            "name": name,
            "is_private": is_private,
            "created": int(time.time()),
            "creator": creator,
            "topic": "",
            "purpose": "",
            "members": members,
            "archived": False,
            "messages": {},
            "pins": [],
            "ephemeral": [],
        }

    def _channel_object(self, ch: dict[str, Any], num_members: bool = False) -> dict[str, Any]:
        """The channel as Slack's conversation object (cf. the conversations.list fixture)."""
        obj = {
            "id": ch["id"],
            "name": ch["name"],
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": ch["is_private"],
            "created": ch["created"],
            "is_archived": ch["archived"],
            "is_general": False,
            "unlinked": 0,
            "name_normalized": ch["name"],
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_id,
            "shared_team_ids": [self.team_id],
            "creator": ch["creator"],
            "is_member": self.bot_user_id in ch["members"],
            "last_read": "0000000000.000000",
            "topic": {"value": ch["topic"], "creator": ch.get("topic_creator", ""), "last_set": ch.get("topic_set", 0)},
            "purpose": {"value": ch["purpose"], "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            obj["num_members"] = len(ch["members"])
        return obj

    def _visible(self, channel: Any, by_name: bool = False) -> dict[str, Any] | None:
        """The channel as the bot can see it: private ones it is not in don't exist."""
        if not isinstance(channel, str) or not channel:
            return None
        ch = self.channels.get(channel)
        if ch is None and by_name:
            ch = self.channel_by_name(channel)
        if ch is None or (ch["is_private"] and self.bot_user_id not in ch["members"]):
            return None
        return ch

    def _bot_channel(
        self, args: dict[str, Any], by_name: bool = False, archived_error: str = "is_archived"
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The channel a bot-only method acts on, or Slack's error: unknown
        (or private and not ours), archived, or the bot is not a member."""
        ch = self._visible(args.get("channel"), by_name=by_name)
        if ch is None:
            return {}, self._err("channel_not_found")
        if ch["archived"]:
            return ch, self._err(archived_error)
        if self.bot_user_id not in ch["members"]:
            return ch, self._err("not_in_channel")
        return ch, None

    @staticmethod
    def _err(error: str, **extra: Any) -> dict[str, Any]:
        return {"ok": False, "error": error, **extra}

    def _parse_blocks(self, value: Any) -> tuple[list[Any] | None, str | None]:
        if value is None:
            return None, None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return None, "invalid_blocks_format"
        if not isinstance(value, list):
            return None, "invalid_blocks_format"
        if len(value) > 50 or not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in value):
            return None, "invalid_blocks"
        return value, None

    def _message_content(self, args: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        content: dict[str, Any] = {}
        blocks, err = self._parse_blocks(args.get("blocks"))
        if err:
            return content, err
        attachments = args.get("attachments")
        if isinstance(attachments, str):
            try:
                attachments = json.loads(attachments)
            except ValueError:
                return content, "invalid_attachments"
        text = args.get("text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        if not text and not blocks and not attachments and not args.get("markdown_text"):
            return content, "no_text"
        if text is not None and len(text) > 40000:
            return content, "msg_too_long"
        content["text"] = text or ""
        if blocks is not None:
            content["blocks"] = blocks
        if attachments:
            content["attachments"] = attachments
        if args.get("markdown_text"):
            content["text"] = args["markdown_text"]
        if args.get("metadata"):
            md = args["metadata"]
            try:
                content["metadata"] = json.loads(md) if isinstance(md, str) else md
            except ValueError:
                return content, "invalid_metadata_format"
        return content, None

    # ------------------------------------------------------------------
    # methods (args already checked against the spec; values may be str or JSON)

    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://incident-test.slack.com/",
            "team": self.team,
            "user": self.users[self.bot_user_id]["name"],
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _m_conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = args.get("name")
        if not isinstance(name, str) or not name:
            return self._err("invalid_name_required")
        if len(name) > 80:
            return self._err("invalid_name_maxlength")
        if not _NAME_OK.fullmatch(name):
            return self._err("invalid_name_specials")
        if not name.strip("-_"):
            return self._err("invalid_name_punctuation")
        # Archived channels keep their names: those are taken too.
        if self.channel_by_name(name) is not None:
            return self._err("name_taken")
        cid = self._new_id("C")
        ch = self._channel(cid, name, _truthy(args.get("is_private", False)), self.bot_user_id, [self.bot_user_id])
        self.channels[cid] = ch
        obj = self._channel_object(ch)
        obj["priority"] = 0
        return {"ok": True, "channel": obj}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """A direct message with one user: the same D… channel every time."""
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            return self._err("users_list_not_supplied")
        if len(users) > 1:
            return self._err("too_many_users")  # group DMs are not played here
        if users[0] not in self.users:
            return self._err("user_not_found")
        for ch in self.channels.values():
            if ch.get("is_im") and ch["members"] == [self.bot_user_id, users[0]]:
                return {"ok": True, "channel": {"id": ch["id"]}, "already_open": True}
        cid = self._new_id("D")
        ch = self._channel(cid, cid, True, self.bot_user_id, [self.bot_user_id, users[0]])
        ch["is_im"] = True
        self.channels[cid] = ch
        return {"ok": True, "channel": {"id": cid}}

    def _m_conversations_setTopic(self, args: dict[str, Any]) -> dict[str, Any]:
        ch, error = self._bot_channel(args)
        if error:
            return error
        topic = str(args.get("topic", ""))
        if len(topic) > 250:
            return self._err("too_long")
        ch["topic"], ch["topic_creator"], ch["topic_set"] = topic, self.bot_user_id, int(time.time())
        return {"ok": True, "channel": self._channel_object(ch)}

    def _m_conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        ch, error = self._bot_channel(args)
        if error:
            return error
        users = [u.strip() for u in str(args.get("users", "")).split(",") if u.strip()]
        if not users:
            return self._err("no_user")
        if len(users) > 1000:
            return self._err("too_many_users")
        errors, ok_users = [], []
        for uid in users:
            if uid == self.bot_user_id:
                error = "cant_invite_self"
            elif uid not in self.users:
                error = "user_not_found"
            elif uid in ch["members"]:
                error = "already_in_channel"
            else:
                ok_users.append(uid)
                continue
            errors.append({"user": uid, "ok": False, "error": error})
        force = _truthy(args.get("force", False))
        if errors and (not force or not ok_users):
            # Without force Slack invites nobody and names the first problem.
            return self._err(errors[0]["error"], errors=errors)
        for uid in ok_users:
            if uid not in ch["members"]:
                ch["members"].append(uid)
        reply = {"ok": True, "channel": self._channel_object(ch)}
        if errors:
            reply["errors"] = errors
        return reply

    def _m_conversations_archive(self, args: dict[str, Any]) -> dict[str, Any]:
        ch, error = self._bot_channel(args, archived_error="already_archived")
        if error:
            return error
        ch["archived"] = True
        return {"ok": True}

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._visible(args.get("channel"))
        if ch is None:
            return self._err("channel_not_found")
        return {"ok": True, "channel": self._channel_object(ch, _truthy(args.get("include_num_members", False)))}

    def _m_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._visible(args.get("channel"))
        if ch is None:
            return self._err("channel_not_found")
        if ch["archived"]:
            return self._err("is_archived")
        if ch["is_private"]:
            return self._err("method_not_supported_for_channel_type")
        if self.bot_user_id in ch["members"]:
            return {
                "ok": True,
                "channel": self._channel_object(ch),
                "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]},
            }
        ch["members"].append(self.bot_user_id)
        return {"ok": True, "channel": self._channel_object(ch)}

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._visible(args.get("channel"))
        if ch is None:
            return self._err("channel_not_found")
        return {"ok": True, "members": list(ch["members"]), "response_metadata": {"next_cursor": ""}}

    def _m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._visible(args.get("channel"))
        if ch is None:
            return self._err("channel_not_found")
        if self.bot_user_id not in ch["members"]:
            return self._err("not_in_channel")
        msgs = list(reversed(self.messages(ch["id"])))
        return {
            "ok": True,
            "messages": msgs,
            "has_more": False,
            "pin_count": len(ch["pins"]),
            "response_metadata": {"next_cursor": ""},
        }

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        ch, error = self._bot_channel(args, by_name=True)
        if error:
            return error
        content, err = self._message_content(args)
        if err:
            return self._err(err)
        ts = self._next_ts()
        msg = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "ts": ts,
            **content,
        }
        if args.get("thread_ts"):
            msg["thread_ts"] = str(args["thread_ts"])
        ch["messages"][ts] = msg
        return {"ok": True, "channel": ch["id"], "ts": ts, "message": dict(msg)}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        ch = self._visible(args.get("channel"))
        if ch is None:
            return self._err("channel_not_found")
        if ch["archived"]:
            return self._err("is_archived")
        msg = ch["messages"].get(str(args.get("ts")))
        if msg is None:
            return self._err("message_not_found")
        if msg.get("user") != self.bot_user_id:
            return self._err("cant_update_message")
        content, err = self._message_content(args)
        if err:
            return self._err(err)
        msg.update(content)
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {"ok": True, "channel": ch["id"], "ts": msg["ts"], "text": msg.get("text", ""), "message": dict(msg)}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        ch, error = self._bot_channel(args, by_name=True)
        if error:
            return error
        if args.get("user") not in ch["members"]:
            return self._err("user_not_in_channel")
        content, err = self._message_content(args)
        if err:
            return self._err(err)
        ts = self._next_ts()
        ch["ephemeral"].append({"user": args["user"], "ts": ts, **content})
        return {"ok": True, "message_ts": ts}

    def _m_pins_add(self, args: dict[str, Any]) -> dict[str, Any]:
        ch, error = self._bot_channel(args)
        if error:
            return error
        ts = args.get("timestamp")
        if not ts:
            return self._err("no_item_specified")
        ts = str(ts)
        if ts not in ch["messages"]:
            return self._err("message_not_found")
        if ts in ch["pins"]:
            return self._err("already_pinned")
        ch["pins"].append(ts)
        ch["messages"][ts]["pinned_to"] = [ch["id"]]
        return {"ok": True}

    def _m_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email", "")).strip().lower()
        for user in self.users.values():
            if (user["profile"].get("email") or "").lower() == email and email:
                return {"ok": True, "user": json.loads(json.dumps(user))}
        return self._err("users_not_found")

    # ------------------------------------------------------------------

    def _handle_response_url(self, token: str, ctype: str, body: bytes) -> _Reply:
        with self._lock:
            self.requests.append(
                {"method": f"response/{token}", "verb": "POST", "headers": {}, "content_type": ctype, "body": body}
            )
            if ctype != "application/json":
                self.violations.append(f"response_url {token}: Content-Type {ctype!r}, Slack wants application/json")
                return _Reply({"ok": False, "error": "invalid_payload"}, 400)
            try:
                data = json.loads(body.decode("utf-8"))
            except ValueError:
                self.violations.append(f"response_url {token}: body is not JSON")
                return _Reply({"ok": False, "error": "invalid_payload"}, 400)
            self.responses[token] = data
            self.response_log.setdefault(token, []).append(data)
            return _Reply({"ok": True})


def _make_handler(server: SlackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def _serve(self, verb: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if server._mode == "drop":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if server._mode == "503":
                return self._send(503, b"<html><body>Service Unavailable</body></html>", "text/html")
            parts = urlsplit(self.path)
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if parts.path.startswith("/api/") and len(parts.path) > len("/api/"):
                reply = server._handle_api(parts.path[len("/api/") :], verb, self.headers, parts.query, ctype, body)
            elif parts.path.startswith("/response/") and verb == "POST":
                reply = server._handle_response_url(parts.path[len("/response/") :], ctype, body)
            else:
                return self._send(404, b"not found", "text/plain")
            data = json.dumps(reply.body).encode("utf-8")
            self._send(reply.status, data, "application/json; charset=utf-8", reply.headers)

        def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
