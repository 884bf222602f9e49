"""Help and output texts of the wording commands, zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CLI_WORDING_TEXTS: dict[str, tuple[str, str]] = {
    "help.facts": (
        "口径卡：事件唯一的对外口径（发生了什么、影响范围、原因、处理措施与预计恢复时间、补偿、专属客服通道、坐席应当/不要）。\n\n"
        '  incident facts edit 1 --what "APP 登录失败" --what-en "The app cannot log in" --fix "技术已定位" …\n\n'
        "  incident facts submit 1        送审（检查必填项与措辞）\n\n"
        "  incident --as lina facts approve 1   第二个人审批（四眼原则；终端上输入 lina 的密码，"
        "脚本中改用其令牌：INCIDENT_TOKEN=<lina 的令牌> incident facts approve 1）",
        "The fact sheet: the incident's ONE external wording (what happened, who is affected, cause, fix and ETA, "
        "compensation, the dedicated support channel, dos and don'ts for agents).\n\n"
        '  incident facts edit 1 --what "APP 登录失败" --what-en "The app cannot log in" --fix "…" …\n\n'
        "  incident facts submit 1        submit for review (required fields and the wording check)\n\n"
        "  incident --as lina facts approve 1   a second person approves (four eyes; typing lina's password on a "
        "terminal; in a script, their token instead: INCIDENT_TOKEN=<lina's token> incident facts approve 1)",
    ),
    "help.facts.show": (
        "显示口径卡（默认最新版本）、签批与措辞检查结果",
        "show the fact sheet (latest version by default), its sign-offs and wording findings",
    ),
    "help.facts.edit": (
        "修改口径卡：草稿直接修改，已送审/已批准的则生成新版本。每个字段有英文版选项（--what-en 等）；"
        "--file 可读入 TOML/JSON。",
        "change the fact sheet: a draft is edited in place, otherwise a new version starts. "
        "Every field has an English option (--what-en …); --file reads TOML/JSON.",
    ),
    "help.facts.submit": (
        "送审：必填项（中英文）齐全后进入待审批",
        "submit for review once the required fields exist in both languages",
    ),
    "help.facts.approve": (
        "审批口径卡（不能是作者；需公关负责人，SEV1–2 舆情另需法务）",
        "approve the fact sheet (not its author; comms lead, plus legal for SEV1–2 public opinion)",
    ),
    "help.facts.reject": ("退回口径卡（需填写原因）", "send the fact sheet back (a reason is required)"),
    "help.facts.retract": (
        "撤回已批准的口径卡：坐席将取不到答复，直到新版本批准",
        "withdraw the approved fact sheet: agents get nothing until a new version is approved",
    ),
    "help.facts.diff": ("比较两个版本：incident facts diff 1 1 2", "compare two versions: incident facts diff 1 1 2"),
    "help.opt.version": ("版本号", "version number"),
    "help.opt.f.what": ("发生了什么（中文；英文用 --what-en）", "what happened (Chinese; English with --what-en)"),
    "help.opt.f.scope": ("影响范围（谁受影响）", "who is affected"),
    "help.opt.f.cause": ("原因（不填即「正在排查」）", "cause (empty = under investigation)"),
    "help.opt.f.fix": ("处理措施", "the fix"),
    "help.opt.f.eta": ("预计恢复时间（中心时区），none 表示未知", "ETA (centre time); none = unknown"),
    "help.opt.f.workaround": ("临时办法（如线下渠道）", "temporary workaround (e.g. an offline channel)"),
    "help.opt.f.compensation": (
        "补偿说明，如「受影响客户可领取 50 元优惠券」",
        'compensation, e.g. "affected customers can claim a 50 yuan coupon"',
    ),
    "help.opt.f.amount": ("补偿金额（元），检查是否超出上限", "compensation amount (yuan), checked against the caps"),
    "help.opt.f.support": ("专属客服通道", "the dedicated support channel"),
    "help.opt.f.do": ("坐席应当做的（可重复）", "a do for agents (repeatable)"),
    "help.opt.f.dont": ("坐席不要说/做的（可重复）", "a don't for agents (repeatable)"),
    "help.opt.f.file": ("从 TOML/JSON 文件读入字段", "read fields from a TOML/JSON file"),
    "help.opt.f.note": ("本次修改说明", "what this change is about"),
    "help.opt.reason_req": ("原因（必填，记入时间线）", "reason (required, goes on the timeline)"),
    "help.arg.statement": ("声明编号（该事件内的序号）", "statement number (within the incident)"),
    "help.statement": (
        "对外声明：依据已批准的口径卡生成各渠道文本（状态页、短信、微博、微信、X、邮件），四眼审批后发布。\n\n"
        "  incident statement draft 1 --kind holding\n\n"
        "  incident statement submit 1 1\n\n"
        "  incident --as sunli statement approve 1 1 --publish   第二个人审批并发布（终端上输入 sunli 的密码；"
        "脚本中：INCIDENT_TOKEN=<sunli 的令牌> incident statement approve 1 1 --publish）",
        "Public statements: rendered from the approved fact sheet for every channel "
        "(status page, SMS, Weibo, WeChat, X, e-mail), approved by a second person, then published.\n\n"
        "  incident statement draft 1 --kind holding\n\n"
        "  incident statement submit 1 1\n\n"
        "  incident --as sunli statement approve 1 1 --publish   a second person approves and publishes (typing "
        "sunli's password on a terminal; in a script: INCIDENT_TOKEN=<sunli's token> incident statement approve 1 1 "
        "--publish)",
    ),
    "help.statement.draft": (
        "依据已批准的口径卡生成声明，并显示各渠道预览、字数与检查结果",
        "draft a statement from the approved fact sheet and preview every channel with counts and findings",
    ),
    "help.statement.preview": (
        "预览声明：每个渠道的文本、字数/条数与检查结果",
        "preview a statement: every channel's text, counts and findings",
    ),
    "help.statement.list": ("事件的全部声明", "the incident's statements"),
    "help.statement.submit": ("送审声明", "submit a statement for review"),
    "help.statement.approve": (
        "审批声明（不能是作者；有错误或口径已更新则不能批准）",
        "approve a statement (not its author; refused with errors or a newer fact sheet)",
    ),
    "help.statement.reject": ("退回声明", "send a statement back"),
    "help.statement.publish": (
        "发布已批准的声明：写入投递队列并启动「下次更新」时钟",
        "publish an approved statement: queue its deliveries and start the next-update clock",
    ),
    "help.statement.retract": (
        "撤回声明（未发出的投递取消）",
        "retract a statement (deliveries not yet sent are cancelled)",
    ),
    "help.opt.st_kind": (
        "声明类型：holding（首次说明）、update（进展）、resolution（恢复）",
        "kind: holding, update or resolution",
    ),
    "help.opt.channels": (
        "渠道，逗号分隔（默认全部）：status_page,sms,weibo,wechat,x,email",
        "channels, comma-separated (default all): status_page,sms,weibo,wechat,x,email",
    ),
    "help.opt.publish_now": ("批准后立即发布", "publish as soon as it is approved"),
    "help.opt.in_lang": ("语言：zh-CN 或 en", "language: zh-CN or en"),
    "help.opt.one_channel": ("只看一个渠道", "one channel only"),
    "help.wording": ("坐席取用已批准的答复口径", "agents: get the approved reply wording"),
    "help.wording.get": (
        "按关键词（不需要事件编号）或事件编号取答复，并按客户个性化：\n\n"
        '  incident wording get -q "登录不了" --name 张三 --title 先生 --contact 13812345678\n\n'
        "  incident wording get -i 1 -s upset --in en",
        "get the reply by keywords (no incident id needed) or by id, personalised for the customer:\n\n"
        '  incident wording get -q "登录不了" --name 张三 --title 先生 --contact 13812345678\n\n'
        "  incident wording get -i 1 -s upset --in en",
    ),
    "help.wording.scenarios": ("可用的答复场景", "the reply scenarios"),
    "help.opt.q": ("关键词，如客户说的话", "keywords, e.g. what the customer says"),
    "help.opt.incident_id": ("事件编号", "incident id"),
    "help.opt.scenario": (
        "场景（见 incident wording scenarios；默认按事件类型）",
        "scenario (see incident wording scenarios; default: the incident's kind)",
    ),
    "help.opt.cust_name": ("客户姓名（称呼用姓 + 先生/女士）", "customer's name (addressed by surname + title)"),
    "help.opt.cust_title": ("先生 或 女士", "先生 or 女士 (Mr/Ms)"),
    "help.opt.cust_contact": ("客户电话（只显示后 4 位）", "customer's phone (only the last 4 digits are shown)"),
    "help.opt.cust_comp": (
        "该客户应得的补偿（默认口径卡中的补偿）",
        "the compensation due to this customer (default: the fact sheet's)",
    ),
    "help.template": (
        "公关自写模板（沙箱渲染；第二人批准后覆盖同名文件模板）",
        "templates written by comms (sandboxed; once a second person approves, "
        "they override the file of the same name)",
    ),
    "help.template.list": ("列出数据库中的模板", "list the templates in the database"),
    "help.template.add": (
        "新增模板版本：incident template add replies/system_outage zh-CN FILE",
        "add a template version: incident template add replies/system_outage zh-CN FILE",
    ),
    "help.template.approve": ("批准模板（不能是作者）", "approve a template (not its author)"),
    "help.subscribers": (
        "声明的接收者：email 地址、sms 客户编号、wechat 关注者",
        "who receives statements: e-mail addresses, SMS customer refs, WeChat followers",
    ),
    "help.subscribers.add": (
        "添加接收者：incident subscribers add email a@b.cn --in en",
        "add one: incident subscribers add email a@b.cn --in en",
    ),
    "help.subscribers.remove": ("移除接收者", "remove one"),
    "help.subscribers.list": ("列出接收者", "list them"),
    "help.outbox": (
        "声明投递队列（由 deliver-outbox 流程定时发送）",
        "the statement delivery queue (sent by the deliver-outbox flow)",
    ),
    "help.outbox.deliver": ("立即发送到期的投递", "send what is due now"),
    "help.outbox.list": ("最近的投递及其状态", "recent deliveries and their state"),
    "help.outbox.resend": (
        "核实后重发一条存疑或失败的投递",
        "after checking, send an in-doubt or failed delivery again",
    ),
    "help.outbox.mark_sent": (
        "核实收件人已收到后，将存疑投递标为已发送",
        "after checking it arrived, mark an in-doubt delivery as sent",
    ),
    # ---- output ----------------------------------------------------------------
    "out.finding": (
        "  [{where}] {severity} {rule}：「{text}」{message}",
        '  [{where}] {severity} {rule}: "{text}" {message}',
    ),
    "out.facts_head": (
        "{ref} 口径卡 v{version}（{status}，作者 {author}）",
        "{ref} fact sheet v{version} ({status}, by {author})",
    ),
    "out.col.field": ("字段", "field"),
    "out.no_eta": (
        "未知（使用「我们会持续跟进修复进度，第一时间反馈给您」）",
        'unknown (says "we are following the repair and will tell you first")',
    ),
    "out.signed": ("已签批：{who}（{role:role}，{at}）", "signed: {who} ({role:role}, {at})"),
    "out.facts_saved": ("{ref} 口径卡 v{version} 已保存（{status}）", "{ref} fact sheet v{version} saved ({status})"),
    "out.facts_missing": ("送审前还需填写：{fields}", "still needed before review: {fields}"),
    "out.submitted": ("{what} 已送审，等待另一位审批人", "{what} submitted; awaiting a second person's approval"),
    "out.approved": ("{what} 已批准", "{what} approved"),
    "out.signed_wait": ("{what} 已签批，仍需其他角色签批", "{what} signed; another role must still sign"),
    "out.rejected": ("{what} 已退回为草稿", "{what} sent back to draft"),
    "out.retracted": ("{what} 已撤回", "{what} retracted"),
    "out.published": (
        "{what} 已发布；投递由 deliver-outbox 流程发送（或运行 incident outbox deliver）",
        "{what} published; the deliver-outbox flow sends it (or run incident outbox deliver)",
    ),
    "out.no_diff": ("两个版本没有差别", "no difference between the two versions"),
    "out.statement_head": (
        "{ref} 声明 #{number}（{kind}，{status}，依据口径卡 v{version}）",
        "{ref} statement #{number} ({kind}, {status}, from fact sheet v{version})",
    ),
    "out.stale": (
        "⚠ 口径卡已更新（{fields}），此声明已过期，请重新生成",
        "⚠ the fact sheet changed ({fields}); this statement is stale, draft it again",
    ),
    "out.statement_next": (
        "下一步：incident statement submit {id} {n}，再由另一人 approve",
        "next: incident statement submit {id} {n}, then a second person approves",
    ),
    "out.col.#": ("#", "#"),
    "out.col.kind": ("类型", "kind"),
    "out.col.status": ("状态", "status"),
    "out.col.facts": ("口径卡", "facts"),
    "out.col.channels": ("渠道", "channels"),
    "out.col.published": ("发布时间", "published"),
    "out.col.next_update": ("下次更新", "next update"),
    "out.reply_head": (
        "{ref}「{title}」· 场景 {scenario} · 口径卡 v{version}",
        '{ref} "{title}" · scenario {scenario} · fact sheet v{version}',
    ),
    "out.do": ("✓ 应当：{text}", "✓ do: {text}"),
    "out.dont": ("✗ 不要：{text}", "✗ don't: {text}"),
    "out.reply_warning": ("提醒 {rule}：「{text}」", 'warning {rule}: "{text}"'),
    "out.alternative": ("也可能是：{ref}「{title}」", 'or perhaps: {ref} "{title}"'),
    "out.no_templates": (
        "数据库中还没有模板（使用 templates/ 下的文件模板）",
        "no templates in the database (the files under templates/ are used)",
    ),
    "out.template_added": (
        "模板 #{id} {name} v{version} 已保存为草稿，需另一人批准",
        "template #{id} {name} v{version} saved as a draft; a second person must approve it",
    ),
    "out.subscriber_added": ("已添加 {channel} 接收者 {address}", "added {channel} subscriber {address}"),
    "out.subscriber_same": ("{channel} 接收者 {address} 已存在", "{channel} subscriber {address} already exists"),
    "out.subscriber_removed": ("已移除 {channel} 接收者 {address}", "removed {channel} subscriber {address}"),
    "out.subscriber_absent": ("没有 {channel} 接收者 {address}", "no {channel} subscriber {address}"),
    "out.no_subscribers": (
        "还没有接收者（incident subscribers add …）",
        "no subscribers yet (incident subscribers add …)",
    ),
    "out.delivered": (
        "已发送 {sent}，待重试 {retrying}，失败 {failed}，存疑 {doubt}",
        "sent {sent}, retrying {retrying}, failed {failed}, in doubt {doubt}",
    ),
    "out.resend": ("投递 {id} 将重新发送", "delivery {id} will be sent again"),
    "out.marked_sent": ("投递 {id} 已标为已发送", "delivery {id} marked as sent"),
    "error.file_missing": ("找不到文件 {path}", "no such file: {path}"),
    "error.file_not_utf8": ("文件 {path} 不是 UTF-8 编码", "{path} is not UTF-8"),
    "error.file_syntax": ("文件 {path} 格式错误：{reason}", "{path} cannot be read: {reason}"),
    # ---- scenarios ---------------------------------------------------------------
    "scenario.upset": (
        "客户非常着急、态度恶劣时（004 第二章第四节 1）",
        "the customer is very anxious or angry (004 ch.2 §4.1)",
    ),
    "scenario.transfer": ("客户问题属于其他部门（4.2）", "the question belongs to another department (§4.2)"),
    "scenario.out_of_scope": ("非我司业务（4.3）", "not our business (§4.3)"),
    "scenario.criticism": ("客户提出批评（4.4）", "the customer criticises (§4.4)"),
    "scenario.praise": ("客户提出表扬（4.4）", "the customer praises (§4.4)"),
    "scenario.suggestion": ("客户提出建议（4.5）", "the customer makes a suggestion (§4.5)"),
    "scenario.partly_satisfied": ("不太满意但不再追究（4.6）", "not quite satisfied but lets it go (§4.6)"),
    "scenario.escalate_reasonable": (
        "要求合理，短时间内可答复（4.7-1）",
        "a reasonable demand we can answer soon (§4.7-1)",
    ),
    "scenario.escalate_delayed": (
        "要求合理，但短时间内无法答复（4.7-2）",
        "a reasonable demand we cannot meet soon (§4.7-2)",
    ),
    "scenario.cannot_answer_now": ("问题不能立即答复（4.8）", "we cannot answer at once (§4.8)"),
    "scenario.system_outage": ("系统故障事件的标准答复", "the standard reply for a system outage"),
    "scenario.batch_complaint": ("批量投诉事件的标准答复", "the standard reply for a batch complaint"),
    "scenario.public_opinion": ("舆情事件的标准答复", "the standard reply for a public-opinion event"),
    "scenario.other": ("其他事件的标准答复", "the standard reply for other incidents"),
}

CATALOG.update(CLI_WORDING_TEXTS)
