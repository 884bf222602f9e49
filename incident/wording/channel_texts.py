"""The channel checks' texts (findings, suggestions, counts, errors), zh-CN
and en, registered into the one catalogue."""

from __future__ import annotations

from incident.i18n import CATALOG

CHANNEL_TEXTS: dict[str, tuple[str, str]] = {
    # ---- channel names (preview, errors) ----------------------------------
    "channel.name.status_page": ("状态页", "status page"),
    "channel.name.sms": ("短信", "SMS"),
    "channel.name.weibo": ("微博", "Weibo"),
    "channel.name.wechat": ("微信模板消息", "WeChat template message"),
    "channel.name.x": ("X（推特）", "X (Twitter)"),
    "channel.name.email": ("电子邮件", "e-mail"),
    "channel.error.unknown": (
        "未知的发布渠道「{value}」；可选：{allowed}",
        "unknown channel '{value}'; choose one of: {allowed}",
    ),
    # ---- findings: Finding.message_key defaults to "lint.<rule>" ----------
    "lint.channel.sms.empty": ("短信正文为空", "the SMS body is empty"),
    "lint.channel.sms.segments": (
        "短信共 {segments} 条（超过 {max} 条上限），会按条计费；{encoding} 编码每条 {per_segment} 个单位，"
        "共 {units} 个（含签名）",
        "the SMS needs {segments} segments (more than {max}); each is billed; "
        "{encoding} carries {per_segment} units a segment, this has {units} (signature included)",
    ),
    "lint.channel.weibo.empty": ("微博正文为空", "the Weibo post is empty"),
    "lint.channel.weibo.too_long": (
        "微博共 {length} 字，超过 {max} 字上限（从第 {index} 个字符起超出）",
        "the Weibo post counts {length} characters, more than {max} (the excess starts at character {index})",
    ),
    "lint.channel.weibo.fold": (
        "「{essential}」不在前 {fold} 字内（第 {fold_index} 个字符之后即被折叠），读者不点「全文」就看不到",
        "'{essential}' is not within the first {fold} characters (the fold falls after character {fold_index}); "
        "readers only see it after tapping 全文 (full text)",
    ),
    "lint.channel.weibo.missing": (
        "微博正文中没有必须出现的「{essential}」",
        "the Weibo post does not contain '{essential}', which it must",
    ),
    "lint.channel.wechat.empty": ("模板消息字段 {field} 为空", "the template-message field {field} is empty"),
    "lint.channel.wechat.field_too_long": (
        "模板消息字段 {field} 共 {length} 字，超过 {limit} 字上限，超出部分会被截断或发送失败",
        "the template-message field {field} has {length} characters, more than {limit}; "
        "the excess is cut off or the message is refused",
    ),
    "lint.channel.wechat.line_break": (
        "模板消息字段 {field} 含换行，微信不显示换行",
        "the template-message field {field} contains a line break, which WeChat does not show",
    ),
    "lint.channel.x.empty": ("帖子为空", "the post is empty"),
    "lint.channel.x.too_long": (
        "帖子权重 {weight}，超过 {max} 上限（中文每字计 2，链接计 23）",
        "the post weighs {weight}, more than {max} (each Chinese character counts 2, each link 23)",
    ),
    "lint.channel.email.subject_empty": ("邮件标题为空", "the e-mail subject is empty"),
    "lint.channel.email.subject_line_break": (
        "邮件标题含回车/换行，可被用来注入邮件头，已拒绝",
        "the e-mail subject contains a CR or LF, which could inject mail headers; refused",
    ),
    "lint.channel.email.subject_long": (
        "邮件标题共 {length} 字，超过 {max} 字，收件箱列表中会被截断",
        "the e-mail subject has {length} characters, more than {max}; inbox lists cut it off",
    ),
    "lint.channel.email.text_empty": ("邮件纯文本正文为空", "the e-mail's plain-text body is empty"),
    "lint.channel.email.html_empty": ("邮件 HTML 正文为空", "the e-mail's HTML body is empty"),
    "lint.channel.email.html_unclosed": ("邮件 HTML 中的 <{tag}> 没有闭合", "the e-mail HTML leaves <{tag}> unclosed"),
    "lint.channel.email.html_stray": (
        "邮件 HTML 中的 </{tag}> 没有对应的开始标签",
        "the e-mail HTML has </{tag}> without a matching start tag",
    ),
    "lint.channel.email.script": (
        "邮件 HTML 含 <script> 标签（模板应已转义，请检查来源）",
        "the e-mail HTML contains a <script> tag (the template should have escaped it; check where it came from)",
    ),
    "lint.channel.status_page.empty": ("状态页内容为空", "the status-page text is empty"),
    "lint.channel.status_page.script": (
        "状态页 HTML 含 <script> 标签（模板应已转义，请检查来源）",
        "the status-page HTML contains a <script> tag (the template should have escaped it; check where it came from)",
    ),
    # ---- suggestions: said in the checked text's language -----------------
    "channel.suggest.sms_segments": (
        "精简到 {max} 条以内（约 {budget} 字），或拆成两条短信，细节放到状态页链接",
        "shorten it to {max} segments (about {budget} characters), or split it into two messages and leave the details "
        "to the status-page link",
    ),
    "channel.suggest.weibo_too_long": (
        "删减 {excess} 字，或把细节放到状态页链接",
        "cut {excess} characters, or leave the details to the status-page link",
    ),
    "channel.suggest.weibo_fold": (
        "把「{essential}」移到前 {fold} 字内",
        "move '{essential}' into the first {fold} characters",
    ),
    "channel.suggest.weibo_missing": (
        "在前 {fold} 字内写明「{essential}」",
        "state '{essential}' within the first {fold} characters",
    ),
    "channel.suggest.wechat_too_long": ("压缩到 {limit} 字以内", "shorten it to {limit} characters"),
    "channel.suggest.wechat_line_break": (
        "去掉换行，改用空格或分号",
        "drop the line break; use a space or a semicolon",
    ),
    "channel.suggest.x_too_long": (
        "删减约 {excess} 个权重单位（中文每字 2），或只留一句话加状态页链接",
        "cut about {excess} weight units (a Chinese character weighs 2), or keep one sentence and the status-page link",
    ),
    "channel.suggest.subject_line_break": ("去掉标题中的换行", "remove the line break from the subject"),
    "channel.suggest.subject_long": ("缩短标题，把细节放到正文", "shorten the subject; the details go in the body"),
}

CATALOG.update(CHANNEL_TEXTS)

CATALOG.update(
    {
        # What English statements call the centre when it has no English name.
        "statement.centre_default": ("客服中心", "Customer Service Centre"),
    }
)
