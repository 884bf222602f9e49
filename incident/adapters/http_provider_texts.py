"""Texts of the HTTP messaging provider (incident/adapters/http_provider.py):
its refused configuration ("config.reason.provider_*", shown by
``ConfigError`` for the pydantic error type of the same name) and its
refused delivery receipts ("provider.error.*")."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        # ---- configuration ------------------------------------------------
        "config.reason.provider_url_invalid": (
            "服务商地址无效：{value}（请检查主机名、端口（1–65535）和其中的字符）",
            "not a valid provider URL: {value} (check the host name, the port (1–65535) and its characters)",
        ),
        "config.reason.provider_url_scheme": (
            "服务商地址必须以 http:// 或 https:// 开头：{value}",
            "a provider URL must start with http:// or https://: {value}",
        ),
        "config.reason.provider_url_userinfo": (
            "服务商地址中不能写用户名或密码：{value}（请把凭据放进环境变量，并用 headers_from_env 指定）",
            "a provider URL must not hold a user name or password: {value} (put the credential in an "
            "environment variable and name it in headers_from_env)",
        ),
        "config.reason.provider_template_json": (
            "消息体模板填入内容后不是有效的 JSON：{problem}",
            "the body template is not valid JSON once filled in: {problem}",
        ),
        "config.reason.provider_template_placeholder": (
            "消息体模板中有未知占位符 {name}；可用的占位符：{known}",
            "the body template has an unknown placeholder {name}; the placeholders are: {known}",
        ),
        "config.reason.provider_template_missing": (
            "消息体模板缺少占位符：{missing}",
            "the body template lacks the placeholders: {missing}",
        ),
        "config.reason.provider_header_name": (
            "不是有效的 HTTP 头名称：{value}",
            "not a valid HTTP header name: {value}",
        ),
        "config.reason.provider_header_value": (
            "HTTP 头 {name} 的值只能是可打印的 ASCII 字符",
            "the value of the HTTP header {name} may only hold printable ASCII characters",
        ),
        "config.reason.provider_header_reserved": (
            "HTTP 头 {name} 由适配器自行设置，不能在配置中指定",
            "the HTTP header {name} is set by the adapter and cannot be configured",
        ),
        "config.reason.provider_header_secret": (
            "HTTP 头 {name} 存放凭据，不能写在配置文件里；请把它的值放进环境变量，并在 headers_from_env 中指定",
            "the HTTP header {name} holds a credential and must not be written in the configuration; put its "
            "value in an environment variable and name that in headers_from_env",
        ),
        "config.reason.provider_env_name": (
            "不是有效的环境变量名：{value}",
            "not a valid environment variable name: {value}",
        ),
        "config.reason.provider_reference_field": (
            "回复中的引用字段无效：{value}（例如 id 或 data.id）",
            "not a valid reference field of the reply: {value} (e.g. id or data.id)",
        ),
        # ---- the adapter and its receipts -----------------------------------
        "provider.error.secret_missing": (
            "环境变量 {variable} 未设置、为空或含有非 ASCII 可打印字符：短信/语音服务商需要其中的密钥",
            "the environment variable {variable} is not set, is empty or holds characters other than printable "
            "ASCII: the messaging provider needs the secret it holds",
        ),
        "provider.error.no_receipt_secret": (
            "未配置回执密钥（receipt_secret_env），无法验证服务商的送达回执",
            "no receipt secret is configured (receipt_secret_env), so the provider's delivery receipts "
            "cannot be verified",
        ),
        "provider.error.unsigned": (
            "送达回执缺少签名头（{signature_header}、{timestamp_header}）",
            "the delivery receipt lacks its signature headers ({signature_header}, {timestamp_header})",
        ),
        "provider.error.bad_timestamp": (
            "送达回执的 {header} 不是 Unix 时间（秒）",
            "the delivery receipt's {header} is not a Unix time in seconds",
        ),
        "provider.error.bad_signature": (
            "送达回执的签名无效",
            "the delivery receipt's signature does not verify",
        ),
        "provider.error.stale": (
            "送达回执的时间戳与当前时间相差超过 {seconds} 秒（可能是重放）",
            "the delivery receipt's timestamp is more than {seconds} s away from now (a replay?)",
        ),
        "provider.error.bad_receipt": (
            "送达回执不是包含 id 和 status 的 JSON 对象",
            "the delivery receipt is not a JSON object with an id and a status",
        ),
    }
)
