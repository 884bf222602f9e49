"""Texts of ``incident review`` (incident/cli/review_cmds.py), zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "review.help": (
            "复盘（事件解决后）：查看、编辑、签署、导出，以及改进项。\n\n\b\n"
            "  incident review show 12                   查看（首次查看时开启复盘）\n"
            "  incident review edit 12 --root-cause-zh … 填写内容（中文/英文）\n"
            "  incident review sign 12                   业务/技术/法务对接人签署\n"
            "  incident review waive 12 --reason …       事件负责人写明不签署即关闭的理由\n"
            "  incident review export 12 --format html   导出（可打印为 PDF）\n"
            "  incident review action add 12 --title … --owner … --due 2026-12-31",
            "The post-incident review (once resolved): show, edit, sign, export, and follow-up actions.\n\n\b\n"
            "  incident review show 12                   show it (opened on the first visit)\n"
            "  incident review edit 12 --root-cause-en … write it (Chinese and/or English)\n"
            "  incident review sign 12                   the business/tech/legal liaisons sign\n"
            "  incident review waive 12 --reason …       the lead records why it may close unsigned\n"
            "  incident review export 12 --format html   export it (print to PDF)\n"
            "  incident review action add 12 --title … --owner … --due 2026-12-31",
        ),
        "review.help.show": (
            "查看事件的复盘：系统记录的事实（各时间点、对外声明、客户与补偿）、填写的内容、签署状态和改进项。"
            "已解决的事件在首次查看时开启复盘。\n\n示例：incident review show INC-12",
            "Show an incident's review: the recorded facts (times, statements, customers and compensation), "
            "what people wrote, the sign-off and the follow-up actions. A resolved incident's review opens on "
            "the first visit.\n\nExample: incident review show INC-12",
        ),
        "review.help.edit": (
            "填写复盘内容；每项可写中文（-zh）、英文（-en）或两者，空字符串清除该语言。"
            "修改会使已有签署作废。\n\n示例：incident review edit 12 --root-cause-zh '数据库连接池耗尽'",
            "Write the review; each part in Chinese (-zh), English (-en) or both; an empty text clears that "
            "language. Any change voids the sign-offs so far.\n\n"
            "Example: incident review edit 12 --root-cause-en 'the database pool ran dry'",
        ),
        "review.help.sign": (
            "签署复盘：由事件中担任过业务/技术/法务对接人的人（或 [review].substitutes 中的替代人）签署；"
            "撰写人不能是唯一签署人。\n\n示例：incident review sign 12 --comment 同意",
            "Sign the review: by whoever held the business, tech or legal liaison role on the incident (or a "
            "substitute in [review].substitutes); its writer cannot be the only signer.\n\n"
            "Example: incident review sign 12 --comment agreed",
        ),
        "review.help.waive": (
            "事件负责人写明该事件不签署复盘即可关闭的理由（记入时间线）。\n\n"
            "示例：incident review waive 12 --reason '误报，无客户影响'",
            "The lead records why the incident may close without a signed-off review (on the timeline).\n\n"
            "Example: incident review waive 12 --reason 'false alarm, no customer impact'",
        ),
        "review.help.export": (
            "导出复盘（附完整时间线）：Markdown 或 HTML（带打印样式，浏览器可打印为 PDF）。\n\n"
            "示例：incident review export 12 --format html -o inc-12.html",
            "Export the review with the whole timeline: Markdown, or HTML with print CSS (print it to PDF "
            "from a browser).\n\nExample: incident review export 12 --format html -o inc-12.html",
        ),
        "review.help.sweep": (
            "立即执行：为已解决的事件开启复盘，逾期改进项通知负责人的主管（各一次）",
            "Run now: open the review of resolved incidents, send overdue follow-up actions to their owner's "
            "supervisor (once each)",
        ),
        "review.help.action": (
            "复盘的改进项：负责人、截止日期、进行中/完成/放弃；逾期通知负责人的主管",
            "The review's follow-up actions: owner, due date, open/done/dropped; overdue ones go to the "
            "owner's supervisor",
        ),
        "review.help.action.add": (
            "新增改进项。\n\n示例：incident review action add 12 --title 增加连接池监控 "
            "--owner zhaolei --due 2026-12-31",
            "Add a follow-up action.\n\nExample: incident review action add 12 --title 'monitor the pool' "
            "--owner zhaolei --due 2026-12-31",
        ),
        "review.help.action.done": (
            "标记改进项已完成（负责人本人，或可编辑复盘的人员）",
            "Mark an action done (its owner, or someone who may edit reviews)",
        ),
        "review.help.action.drop": ("放弃改进项（须写明理由）", "Drop an action (say why)"),
        "review.help.action.reopen": ("重新打开改进项", "Open an action again"),
        "review.help.action.list": (
            "列出改进项：某事件的，或 --mine 我负责的未完成项",
            "List follow-up actions: an incident's, or --mine for your open ones",
        ),
        "review.help.arg.incident": ("事件编号（如 12 或 INC-12）", "the incident (e.g. 12 or INC-12)"),
        "review.help.arg.action": ("改进项编号", "the action's number"),
        "review.help.opt.text": ("{field}（{lang}）", "{field} ({lang})"),
        "review.help.opt.file": (
            '从 TOML 文件读取内容，例如 [root_cause] zh-CN = "…" en = "…"',
            'read the texts from a TOML file, e.g. [root_cause] zh-CN = "…" en = "…"',
        ),
        "review.help.opt.version": (
            "仅当复盘仍是第 N 版时才保存（防止覆盖他人的修改）",
            "save only if the review is still version N (do not overwrite someone else's edit)",
        ),
        "review.help.opt.comment": ("签署备注", "a comment with the sign-off"),
        "review.help.opt.reason": ("理由", "the reason"),
        "review.help.opt.format": ("md 或 html", "md or html"),
        "review.help.opt.output": ("写入文件（默认输出到屏幕）", "write to this file (default: print it)"),
        "review.help.opt.title": ("改进项内容", "what is to be done"),
        "review.help.opt.owner": ("负责人（名册键、姓名或邮箱）", "the owner (roster key, name or e-mail)"),
        "review.help.opt.due": ("截止日期，如 2026-12-31", "the due date, e.g. 2026-12-31"),
        "review.help.opt.note": ("说明", "a note"),
        "review.help.opt.mine": ("只列出我负责的未完成项", "only my open actions"),
        "review.out.saved": (
            "{ref} 复盘已保存为第 {version} 版：{fields}",
            "{ref} review saved as version {version}: {fields}",
        ),
        "review.out.unchanged": ("{ref} 复盘内容没有变化", "{ref} review unchanged"),
        "review.out.voided": ("已有签署已作废，需要重新签署", "the sign-offs so far are void: it needs signing again"),
        "review.out.signed": (
            "{person} 以{role}身份签署了 {ref} 复盘第 {version} 版",
            "{person} signed version {version} of the {ref} review as {role}",
        ),
        "review.out.signed_off": (
            "{ref} 复盘签署完成，事件可以关闭",
            "the {ref} review is signed off: the incident may close",
        ),
        "review.out.waived": (
            "{ref}：已记录理由，可不签署复盘即关闭",
            "{ref}: reason recorded, it may close without a sign-off",
        ),
        "review.out.written": ("已写入 {path}", "written to {path}"),
        "review.out.action_added": (
            "改进项 {id}：{title}（{owner}，截止 {due}）",
            "action {id}: {title} ({owner}, due {due})",
        ),
        "review.out.action_state": ("改进项 {id}：{state}", "action {id}: {state}"),
        "review.out.no_actions": ("没有改进项", "no follow-up actions"),
        "review.out.swept": (
            "开启复盘 {opened} 份，逾期改进项已通知主管 {escalated} 项",
            "{opened} reviews opened, {escalated} overdue actions sent to supervisors",
        ),
        "review.error.bad_format": ("未知格式「{value}」；请用 md 或 html", "unknown format '{value}'; use md or html"),
        "review.error.file": ("无法读取 {path}：{reason}", "cannot read {path}: {reason}"),
    }
)
