"""The feed fetch against real (and hostile) HTTP servers on 127.0.0.1:
one hard deadline whatever the server does, the address guard pinned to
the address it checked, Content-Encoding decoded against the size cap, and
every failure a FetchError with a translated key (issue 20, points 1–3).

Fake names and fake public addresses never leave the process: the guard's
resolver and raw connect are replaced by :class:`FakeNet`, which maps them
onto the loopback servers and refuses anything else."""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable

import brotli
import httpcore
import pytest
from conftest import EXAMPLE
from pydantic import ValidationError

from incident import netguard as guard
from incident.config import FeedSource, WatchConfig, load_config
from incident.errors import ConfigError
from incident.i18n import t
from incident.watch import decode
from incident.watch.feedwarn import warning_text
from incident.watch.fetch import FetchError, FetchResult, async_client, fetch, fetch_async
from tests.feedserver import FeedServer, Route
from tests.watchutil import feed_file

FEED = feed_file("weibo-rss-zh.trimmed.xml")
PUBLIC = "93.184.216.34"  # a global address: the fake network maps it to a loopback server
MALFORMED = ["http://feeds.example:99999/feed.xml", "http://[::1/feed.xml", "http://feeds.example/fe\ted.xml"]


class FakeNet:
    """Names → addresses, and fake public (address, port) → a loopback port.
    Records every lookup and every connect the fetch attempts."""

    def __init__(self) -> None:
        self.names: dict[str, list[str] | Callable[[], list[str]]] = {}
        self.routes: dict[tuple[str, int], int] = {}
        self.lookups: list[str] = []
        self.dials: list[tuple[str, int]] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answer = self.names.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answer() if callable(answer) else answer

    async def open(self, address, port, timeout, local_address, socket_options):
        self.dials.append((address, port))
        if (address, port) in self.routes:
            address, port = "127.0.0.1", self.routes[(address, port)]
        if address not in ("127.0.0.1", "::1"):
            raise httpcore.ConnectError("the test network reaches loopback only")
        return await httpcore.AnyIOBackend().connect_tcp(address, port, timeout=timeout)


@pytest.fixture
def net(monkeypatch) -> FakeNet:
    fake = FakeNet()
    monkeypatch.setattr(guard, "resolver", fake.resolve)
    monkeypatch.setattr(guard, "open_tcp", fake.open)
    return fake


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def other():
    with FeedServer() as srv:
        yield srv


def port(srv: FeedServer) -> int:
    return srv.httpd.server_address[1]


def watch(**kw) -> WatchConfig:
    return WatchConfig(
        **{"read_timeout_seconds": 5.0, "connect_timeout_seconds": 2.0, "total_timeout_seconds": 5.0, **kw}
    )


def source(url: str, **kw) -> FeedSource:
    # model_construct: also lets the tests hand the fetch a URL that the
    # configuration would refuse
    return FeedSource.model_construct(**FeedSource(url="http://x.example/").model_dump() | {"url": url, **kw})


def refused(src: FeedSource, w: WatchConfig | None = None) -> FetchError:
    with pytest.raises(FetchError) as err:
        fetch(src, w or watch())
    return err.value


# ---- the deadline -----------------------------------------------------------


def test_headers_dripped_one_byte_a_second_are_cut_at_the_deadline(server):
    server.routes["/drip"] = Route(drip_headers=1.0)
    started = time.monotonic()
    err = refused(source(server.url("/drip"), allow_private=True), watch(total_timeout_seconds=1.5))
    took = time.monotonic() - started
    assert err.key == "feed.error.deadline" and err.transient
    assert took < 1.5 + 3.0  # a correctness bound: the server would go on for a day
    assert "1.5" in t(err.key, "zh-CN", **err.params)


def test_endless_bodies_are_cut_by_deadline_or_size(server):
    server.routes["/trickle"] = Route(trickle=True)  # one byte every 0.5 s, forever
    server.routes["/huge"] = Route(huge=50 * 1024 * 1024)
    started = time.monotonic()
    # (it declares 100 MB: a cap above that, so that only the deadline can stop it)
    w = watch(total_timeout_seconds=1.5, max_feed_bytes=200_000_000)
    err = refused(source(server.url("/trickle"), allow_private=True), w)
    assert err.key == "feed.error.deadline" and time.monotonic() - started < 4.5
    err = refused(source(server.url("/huge"), allow_private=True), watch(max_feed_bytes=1_000_000))
    assert err.key == "feed.error.too_large" and not err.transient


def test_a_slow_source_does_not_hold_up_another_on_the_shared_client(server):
    server.routes["/drip"] = Route(drip_headers=1.0)
    server.routes["/feed.xml"] = Route(FEED)
    w = watch(total_timeout_seconds=2.0)

    async def both() -> list[FetchResult | BaseException]:
        async with async_client(w) as client:
            slow = fetch_async(source(server.url("/drip"), allow_private=True), w, client=client)
            fast = fetch_async(source(server.url("/feed.xml"), allow_private=True), w, client=client)
            return await asyncio.gather(slow, fast, return_exceptions=True)

    slow, fast = asyncio.run(both())
    assert isinstance(slow, FetchError) and slow.key == "feed.error.deadline"
    assert isinstance(fast, FetchResult) and fast.body == FEED
    assert fast.elapsed < 2.0  # finished before the slow one's deadline


# ---- Content-Encoding ---------------------------------------------------------


def _deflate_raw(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-15)
    return obj.compress(data) + obj.flush()


@pytest.mark.parametrize(
    "encoding,encode",
    [
        ("gzip", gzip.compress),
        ("gzip", lambda b: gzip.compress(b[:1000]) + gzip.compress(b[1000:])),  # two members
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", _deflate_raw),  # what some servers send as "deflate"
        ("br", brotli.compress),
        ("deflate, gzip", lambda b: gzip.compress(zlib.compress(b))),
        ("identity", lambda b: b),
    ],
)
def test_compressed_feeds_are_decoded(server, encoding, encode):
    server.routes["/feed.xml"] = Route(encode(FEED), headers={"Content-Encoding": encoding})
    result = fetch(source(server.url("/feed.xml"), allow_private=True), watch())
    assert result.status == 200 and result.body == FEED
    assert "content-encoding" not in {k.lower() for k in result.headers}  # the body is decoded
    sent = server.requests[-1][1]
    assert {"gzip", "deflate", "br"} <= {e.strip() for e in sent["Accept-Encoding"].split(",")}


def _bomb(compressor, size: int) -> bytes:
    zeros, parts = b"\0" * (1 << 20), []
    for _ in range(size >> 20):
        parts.append(compressor.compress(zeros) if hasattr(compressor, "compress") else compressor.process(zeros))
    parts.append(compressor.flush() if hasattr(compressor, "flush") else compressor.finish())
    return b"".join(parts)


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_a_compression_bomb_is_refused_without_being_inflated(server, encoding):
    if encoding == "gzip":
        bomb = _bomb(zlib.compressobj(9, zlib.DEFLATED, 31), 200 << 20)
    else:
        bomb = _bomb(brotli.Compressor(quality=1), 200 << 20)
    assert len(bomb) < 2 << 20  # 200 MB of zeros in under 2 MB
    server.routes["/bomb.xml"] = Route(bomb, headers={"Content-Encoding": encoding})
    tracemalloc.start()
    try:
        err = refused(source(server.url("/bomb.xml"), allow_private=True), watch(max_feed_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.key == "feed.error.too_large"
    assert peak < 16 << 20  # the cap plus a step, not 200 MB


def test_unknown_or_corrupt_encodings_are_refused_clearly(server):
    server.routes["/zstd"] = Route(FEED, headers={"Content-Encoding": "zstd"})
    server.routes["/corrupt"] = Route(b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Encoding": "gzip"})
    err = refused(source(server.url("/zstd"), allow_private=True))
    assert err.key == "feed.error.content_encoding" and not err.transient
    assert "zstd" in t(err.key, "zh-CN", **err.params) and "不支持" in t(err.key, "zh-CN", **err.params)
    err = refused(source(server.url("/corrupt"), allow_private=True))
    assert err.key == "feed.error.decompress" and "损坏" in t(err.key, "zh-CN", **err.params)


# ---- the address guard --------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        *("100.64.0.1", "100.100.100.200"),  # shared address space; a cloud metadata address
        *("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "224.0.0.1"),
        *("::1", "::", "fe80::1", "fd00::1", "fec0::1"),  # fec0::/10: site-local
        *("::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:100.100.100.200"),  # IPv4-mapped
        *("2002:7f00:1::1", "2002:a00:1::", "2002:a9fe:a9fe::1"),  # 6to4 of loopback, 10/8, link-local
        *("64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::808:808"),  # NAT64
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::127.0.0.1",  # IPv4-compatible (deprecated)
    ],
)
def test_non_global_addresses_are_refused(address):
    assert guard.is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", PUBLIC, "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1"])
def test_public_addresses_pass(address):
    assert not guard.is_forbidden(ipaddress.ip_address(address))


def test_a_host_with_any_forbidden_address_is_refused_before_connecting(net):
    net.names["mixed.example"] = [PUBLIC, "100.100.100.200"]
    net.names["meta.example"] = ["100.100.100.200"]
    for name in ("mixed.example", "meta.example"):
        err = refused(source(f"http://{name}/feed.xml"))
        assert err.key == "feed.error.private_address" and not err.transient
        assert err.params["address"] == "100.100.100.200"
    assert net.dials == []


def test_redirect_to_a_forbidden_address_is_refused_before_any_connection(net, server, other):
    other.routes["/feed.xml"] = Route(FEED)
    net.names["feeds.example"] = [PUBLIC]
    net.names["intranet.example"] = ["10.0.0.5"]
    net.routes[(PUBLIC, 80)] = port(server)
    server.routes["/to-loopback"] = Route(redirect=other.url("/feed.xml"))
    server.routes["/to-intranet"] = Route(redirect="http://intranet.example/feed.xml")
    for path in ("/to-loopback", "/to-intranet"):
        err = refused(source(f"http://feeds.example{path}"))
        assert err.key == "feed.error.private_address"
    assert other.connections == 0 and other.routes["/feed.xml"].hits == 0
    assert set(net.dials) == {(PUBLIC, 80)}
    assert server.routes["/to-loopback"].hits == 1 and server.routes["/to-intranet"].hits == 1


def test_dns_rebinding_connects_only_to_the_checked_address(net, server, other):
    """The resolver answers public first and 127.0.0.1 after: the fetch
    resolves once and connects to the public answer it checked."""
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    net.names["rebind.example"] = lambda: next(answers)
    secret = port(other)  # the internal server the rebinding aims at
    other.routes["/feed.xml"] = Route(b"internal secrets")
    server.routes["/feed.xml"] = Route(FEED)
    net.routes[(PUBLIC, secret)] = port(server)  # the "public" server behind PUBLIC
    result = fetch(source(f"http://rebind.example:{secret}/feed.xml"), watch())
    assert result.body == FEED
    assert net.lookups == ["rebind.example"]
    assert net.dials == [(PUBLIC, secret)]
    assert other.connections == 0


def test_allow_private_covers_the_configured_host_only(net, server, other):
    net.names["trusted.example"] = ["127.0.0.1"]
    net.names["elsewhere.example"] = ["127.0.0.1"]
    other.routes["/feed.xml"] = Route(FEED)
    server.routes["/feed.xml"] = Route(FEED)
    server.routes["/same"] = Route(redirect=f"http://trusted.example:{port(server)}/feed.xml")
    server.routes["/other-name"] = Route(redirect=f"http://elsewhere.example:{port(other)}/feed.xml")
    server.routes["/other-ip"] = Route(redirect=other.url("/feed.xml"))
    base = f"http://trusted.example:{port(server)}"
    assert fetch(source(base + "/same", allow_private=True), watch()).body == FEED
    for path in ("/other-name", "/other-ip"):
        err = refused(source(base + path, allow_private=True))
        assert err.key == "feed.error.private_redirect" and not err.transient
        assert "trusted.example" in t(err.key, "zh-CN", **err.params)
    assert other.connections == 0


def test_the_auth_header_is_not_sent_to_another_host(net, server, other, monkeypatch):
    monkeypatch.setenv("TEST_FEED_TOKEN", "Bearer s3cret")
    net.names["feeds.example"] = ["127.0.0.1"]
    net.names["public.example"] = [PUBLIC]
    net.routes[(PUBLIC, 80)] = port(other)
    other.routes["/feed.xml"] = Route(FEED)
    server.routes["/moved"] = Route(redirect="http://public.example/feed.xml")
    src = source(f"http://feeds.example:{port(server)}/moved", allow_private=True, auth_header_env="TEST_FEED_TOKEN")
    assert fetch(src, watch()).body == FEED
    assert server.requests[-1][1].get("Authorization") == "Bearer s3cret"
    assert "Authorization" not in other.requests[-1][1]


# ---- malformed URLs and other failures ----------------------------------------


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_urls_are_a_fetch_error_not_a_crash(url):
    err = refused(source(url))
    assert err.key == "feed.error.url" and not err.transient
    assert "无效" in t(err.key, "zh-CN", **err.params) and "\t" not in t(err.key, "en", **err.params)


@pytest.mark.parametrize("location", [*MALFORMED, "http://feeds.example:0/x", "http://a b/x"])
def test_malformed_redirects_are_a_fetch_error(server, location):
    server.routes["/r"] = Route(redirect=location)
    assert refused(source(server.url("/r"), allow_private=True)).key == "feed.error.url"


@pytest.mark.parametrize("url", MALFORMED)
def test_malformed_urls_are_refused_by_the_configuration(url, tmp_path):
    with pytest.raises(ValidationError) as exc:
        FeedSource(url=url)
    assert exc.value.errors()[0]["type"] == "feed_url_invalid"
    p = tmp_path / "bad.toml"
    quoted = url.replace("\t", "\\t")
    p.write_text(EXAMPLE.read_text(encoding="utf-8") + f'\n[feeds.bad]\nurl = "{quoted}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    assert "feeds.bad.url" in err.value.message("en") and "not a valid feed URL" in err.value.message("en")
    assert "订阅源地址无效" in err.value.message("zh-CN")


def test_failures_say_whether_to_retry(server, net):
    for status, transient in ((503, True), (429, True), (404, False), (403, False)):
        server.routes[f"/{status}"] = Route(b"no", status=status)
        err = refused(source(server.url(f"/{status}"), allow_private=True))
        assert (err.key, err.transient) == ("feed.error.http_status", transient)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    err = refused(source(f"http://127.0.0.1:{dead}/feed.xml", allow_private=True))
    assert err.key == "feed.error.connect" and err.transient
    err = refused(source("http://nowhere.example/feed.xml"))
    assert err.key == "feed.error.dns" and err.transient
    assert refused(source("ftp://feeds.example/feed.xml")).key == "feed.error.scheme"


def test_an_unexpected_error_inside_is_still_a_fetch_error(net, monkeypatch):
    async def broken(host: str, port: int) -> list[str]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(guard, "resolver", broken)
    err = refused(source("http://feeds.example/feed.xml"))
    assert err.key == "feed.error.internal" and "内部错误" in t(err.key, "zh-CN", **err.params)


def test_a_connection_to_an_unvetted_host_is_never_opened(net):
    """The backend itself refuses a host the current fetch did not vet."""

    async def connect() -> None:
        await guard.PinnedBackend().connect_tcp("127.0.0.1", 80)

    with pytest.raises(httpcore.ConnectError):
        asyncio.run(connect())
    assert net.dials == []


# ---- issue 20 review: the defects found, one test each --------------------------


def test_hanging_name_lookups_neither_starve_a_healthy_source_nor_outlive_the_deadline(net, server, monkeypatch):
    """The real resolver (guard.system_resolve) with socket.getaddrinfo
    replaced in-process: eight names whose name server never answers, and
    one healthy source. More hanging names than the event loop's default
    executor has threads must not hold up the healthy one, and the run
    returns at the deadline instead of waiting for the stuck threads."""
    release = threading.Event()
    real = socket.getaddrinfo

    def fake_getaddrinfo(host, port, *args, **kwargs):
        if str(host).startswith("slow"):
            release.wait(8.0)  # an unresponsive name server; released when the test ends
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        if host == "fast.example":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(guard, "resolver", guard.system_resolve)
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    server.routes["/feed.xml"] = Route(FEED)
    w = watch(total_timeout_seconds=1.5, fetch_concurrency=32)

    async def poll() -> list[FetchResult | BaseException]:
        async with async_client(w) as client:
            urls = [f"http://slow{i}.example:{port(server)}/feed.xml" for i in range(8)]
            jobs = [fetch_async(source(u), w, client=client) for u in urls]
            jobs.append(
                fetch_async(
                    source(f"http://fast.example:{port(server)}/feed.xml", allow_private=True), w, client=client
                )
            )
            return await asyncio.gather(*jobs, return_exceptions=True)

    started = time.monotonic()
    try:
        *slow, fast = asyncio.run(poll())
        took = time.monotonic() - started
    finally:
        release.set()
    assert isinstance(fast, FetchResult) and fast.body == FEED
    assert all(isinstance(r, FetchError) and r.key == "feed.error.deadline" for r in slow)
    assert took < 1.5 + 3.0  # not the 8 s the stuck lookups take
    assert "域名解析" in t("feed.error.deadline", "zh-CN", seconds="1.5")


@pytest.mark.parametrize("location", ["http:foo", "HTTP:foo", "http:\\\\127.0.0.1/", "http:/x", "http:"])
def test_a_location_with_a_scheme_but_no_host_is_a_url_error(server, location):
    server.routes["/r"] = Route(redirect=location)
    err = refused(source(server.url("/r"), allow_private=True))
    assert err.key == "feed.error.url" and "无效" in t(err.key, "zh-CN", **err.params)


def test_a_location_with_a_raw_space_is_followed(server):
    server.routes["/a%20b.xml"] = Route(FEED)
    server.routes["/moved"] = Route(redirect="/a b.xml")
    assert fetch(source(server.url("/moved"), allow_private=True), watch()).body == FEED


def test_allow_private_does_not_cover_another_port_of_the_trusted_host(server, other):
    other.routes["/admin"] = Route(b"<rss><channel><item><title>ADMIN</title></item></channel></rss>")
    server.routes["/feed.xml"] = Route(redirect=other.url("/admin"))
    err = refused(source(server.url("/feed.xml"), allow_private=True))
    assert err.key == "feed.error.private_redirect"
    assert f"127.0.0.1:{port(server)}" in t(err.key, "zh-CN", **err.params)
    assert other.connections == 0


def test_a_password_in_a_feed_url_is_never_shown(net, server):
    server.routes["/feed.xml"] = Route(b"no", status=404)
    err = refused(source(f"http://alice:s3cret@127.0.0.1:{port(server)}/feed.xml", allow_private=True))
    for lang in ("zh-CN", "en"):
        message = t(err.key, lang, **err.params)
        assert "s3cret" not in message and "***@127.0.0.1" in message
    assert guard.shown("https://bob:pw@feeds.example/x") == "https://***@feeds.example/x"
    with pytest.raises(ValidationError) as exc:
        FeedSource(url="http://alice:s3cret@feeds.example/feed.xml")
    assert exc.value.errors()[0]["type"] == "feed_url_userinfo"


def test_a_password_in_the_configuration_is_refused_with_the_way_out(tmp_path):
    p = tmp_path / "bad.toml"
    extra = '\n[feeds.bad]\nurl = "http://alice:s3cret@feeds.example/feed.xml"\n'
    p.write_text(EXAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(p)
    zh, en = err.value.message("zh-CN"), err.value.message("en")
    assert "auth_header_env" in zh and "用户名或密码" in zh and "auth_header_env" in en
    assert "s3cret" not in zh and "s3cret" not in en


def test_the_configuration_does_not_import_the_watch_package():
    code = "import sys, incident.config; print('incident.watch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "encoding,body",
    [
        ("gzip", gzip.compress(FEED)[:-8]),  # the trailer lost
        ("gzip", gzip.compress(FEED)[: len(gzip.compress(FEED)) // 2]),
        ("br", brotli.compress(FEED)[:-3]),
        ("deflate", zlib.compress(FEED)[:-6]),
    ],
)
def test_a_compressed_body_cut_short_is_refused_not_returned(server, encoding, body):
    server.routes["/cut.xml"] = Route(body, headers={"Content-Encoding": encoding})
    err = refused(source(server.url("/cut.xml"), allow_private=True))
    assert err.key == "feed.error.decompress_truncated" and err.transient
    assert "不完整" in t(err.key, "zh-CN", **err.params)


def test_a_second_gzip_member_split_across_reads_is_kept():
    two = gzip.compress(FEED[:3000]) + gzip.compress(FEED[3000:])
    cut = len(gzip.compress(FEED[:3000])) + 1  # between the magic's two bytes
    decoder = decode.decoder_for("gzip")
    out = b"".join(decoder.feed(two[:cut])) + b"".join(decoder.feed(two[cut:])) + b"".join(decoder.finish())
    assert out == FEED


@pytest.mark.parametrize(
    "encoding,body",
    [("UTF-8", FEED), ("binary", FEED), ("gzip", FEED)],  # the last: labelled gzip, sent plain
)
def test_labels_that_name_no_compression_are_read_as_they_are_with_a_note(server, encoding, body):
    server.routes["/feed.xml"] = Route(body, headers={"Content-Encoding": encoding})
    result = fetch(source(server.url("/feed.xml"), allow_private=True), watch())
    assert result.body == FEED
    (note,) = result.warnings
    assert warning_text(note, "zh-CN").startswith("服务器标注的压缩方式")


def test_an_answer_that_is_not_http_is_a_protocol_error(server):
    server.routes["/ssh"] = Route(raw=b"SSH-2.0-OpenSSH_9.0\r\n" + b"A" * 500)
    err = refused(source(server.url("/ssh"), allow_private=True))
    assert err.key == "feed.error.protocol" and err.transient
    assert "HTTP 协议" in t(err.key, "zh-CN", **err.params)
