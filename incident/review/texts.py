"""The review's texts (errors, notifications, timeline lines, the facts
and the exports), zh-CN and en, registered into the one catalogue. The
command line's and the pages' own texts are in ui_texts.py."""

from __future__ import annotations

from incident.i18n import CATALOG, LABELS

LABELS["review_field"] = {
    "summary": ("概述", "summary"),
    "root_cause": ("根本原因", "root cause"),
    "contributing": ("促成因素", "contributing factors"),
    "went_well": ("做得好的", "what went well"),
    "went_badly": ("做得不好的", "what went badly"),
}
# The roles a sign-off is recorded under: the response group's, and the
# second pair of eyes (four eyes) that is not a role of the group.
LABELS["review_role"] = {**LABELS["role"], "second_reviewer": ("第二审核人", "second reviewer")}

CATALOG.update(
    {
        # ---- errors ---------------------------------------------------------
        "review.error.not_resolved": (
            "INC-{id} 仍为「{status:status}」：事件解决后才开启复盘",
            "INC-{id} is still {status:status}: its review opens once the incident is resolved",
        ),
        "review.error.not_open": (
            "INC-{id} 的复盘尚未开启；先查看：incident review show {id}",
            "the review of INC-{id} is not open yet; open it with: incident review show {id}",
        ),
        "review.error.bad_field": (
            "复盘没有「{field}」这一项；可写：{allowed}",
            "a review has no part '{field}'; the parts are: {allowed}",
        ),
        "review.error.bad_lang": (
            "复盘「{field}」的语言「{lang}」无效；请用 zh-CN 或 en",
            "the review's {field} has no language '{lang}'; use zh-CN or en",
        ),
        "review.error.too_long": (
            "「{field}」最多 {max} 个字符（现有 {length} 个）",
            "{field} is at most {max} characters (this one has {length})",
        ),
        "review.error.final": (
            "INC-{id} 已关闭且复盘已签署，内容不能再修改",
            "INC-{id} is closed and its review signed off: the text can no longer change",
        ),
        "review.error.stale_version": (
            "复盘已被他人修改（您编辑的是第 {given} 版，现为第 {current} 版）；请重新打开后再改",
            "someone changed the review meanwhile (you edited version {given}, it is now {current}); "
            "reload it and edit again",
        ),
        "review.error.actor_unknown": (
            "「{actor}」不在花名册中，不能签署复盘",
            "'{actor}' is not in the roster and cannot sign a review",
        ),
        "review.error.already_complete": ("INC-{id} 的复盘已签署完成", "the review of INC-{id} is already signed off"),
        "review.error.incomplete": (
            "INC-{id} 的复盘还缺：{fields:review_fieldlist}（每项至少写一种语言）后才能签署",
            "the review of INC-{id} cannot be signed before it has {fields:review_fieldlist} "
            "(each in at least one language)",
        ),
        "review.error.already_signed": (
            "{person} 已签署第 {version} 版复盘",
            "{person} has already signed version {version} of the review",
        ),
        "review.error.needs_second": (
            "各角色都已签署，但签署人都写过这份复盘；"
            "还需一位未参与撰写的人员（应急小组成员或指定替代人）签署，{person} 不符合",
            "every role has signed, but only people who wrote the review: someone who did not write it "
            "(from the response group, or a substitute) must sign too, and {person} cannot",
        ),
        "review.error.not_lead": (
            "{person} 不能免签：只有 INC-{id} 的事件负责人或值班经理可以记录不签署复盘的理由；可以：{who}",
            "{person} cannot waive: only INC-{id}'s incident lead or the duty manager may record why it closes "
            "unsigned; who can: {who}",
        ),
        "review.error.not_signer": (
            "{person} 不能签署：复盘由事件中担任过{roles:rolelist}的人（或指定替代人）签署；可签署：{who}",
            "{person} cannot sign: the review is signed by whoever held {roles:rolelist} on the incident "
            "(or a substitute); who can: {who}",
        ),
        "review.error.reason_required": (
            "请写明不签署复盘就关闭的理由",
            "give the reason for closing without a signed-off review",
        ),
        "review.error.close_unsigned": (
            "INC-{id}（{severity}）的复盘尚未签署（待签：{waiting:rolelist}），不能关闭。"
            "请签署：incident review sign {id}；"
            "或由事件负责人写明理由：incident review waive {id} --reason 理由",
            "INC-{id} ({severity}) cannot be closed before its review is signed off (still to sign: "
            "{waiting:rolelist}). Sign it: incident review sign {id}; or, as the lead, record why not: "
            "incident review waive {id} --reason TEXT",
        ),
        "review.error.close_no_signoff": (
            "INC-{id}（{severity}）的复盘尚未签署，不能关闭。请完成并签署：incident review show {id}；"
            "或由事件负责人写明理由：incident review waive {id} --reason 理由",
            "INC-{id} ({severity}) cannot be closed before its review is signed off. Write and sign it: "
            "incident review show {id}; or, as the lead, record why not: incident review waive {id} --reason TEXT",
        ),
        "review.error.bad_due": (
            "无法识别的截止日期「{value}」；请用 2026-12-31 这样的日期",
            "cannot read the due date '{value}'; use a date such as 2026-12-31",
        ),
        "review.error.due_past": ("截止日期 {day} 已经过去", "the due date {day} is in the past"),
        "review.error.bad_state": (
            "未知的状态「{value}」；可选：{allowed}",
            "unknown state '{value}'; choose one of: {allowed}",
        ),
        "review.error.no_action": ("没有编号为 {id} 的改进项", "there is no follow-up action {id}"),
        "review.error.title_empty": ("改进项的内容不能为空", "the action's title cannot be empty"),
        "review.error.title_long": (
            "改进项最多 {max} 个字符（现有 {length} 个）",
            "an action's title is at most {max} characters (this one has {length})",
        ),
        "review.error.not_owner": (
            "改进项 {id} 由 {owner} 负责；只有负责人或可编辑复盘的人员能改它的状态",
            "action {id} is {owner}'s: only its owner, or someone who may edit reviews, can change its state",
        ),
        "review.error.action_same": ("改进项 {id} 已经是「{state}」", "action {id} is already {state}"),
        "review.error.drop_reason": (
            "放弃改进项时请写明理由（--note）",
            "give the reason for dropping the action (--note)",
        ),
        # ---- notifications ----------------------------------------------------
        "review.notify.opened": (
            "{ref}「{title}」已解决，复盘已开启，请组织填写并请各对接人签署：incident review show {id}",
            '{ref} "{title}" is resolved and its review is open: write it and have the liaisons sign it: '
            "incident review show {id}",
        ),
        "review.notify.action_owner": (
            "您负责 {ref} 复盘的改进项 {id}：「{title}」，截止 {due}；完成后：incident review action done {id}",
            'you own follow-up action {id} of the {ref} review: "{title}", due {due}; when done: '
            "incident review action done {id}",
        ),
        "review.notify.action_overdue": (
            "逾期：{owner} 负责的 {ref} 复盘改进项「{title}」截止 {due}，仍未完成",
            'overdue: {owner}\'s follow-up action of the {ref} review, "{title}", was due {due} and is still open',
        ),
        # ---- timeline --------------------------------------------------------
        "event.review_opened": ("复盘已开启", "review opened"),
        "event.review_reopened": (
            "事件重新打开，复盘已有的签署作废，解决后需重新签署",
            "incident reopened: the review's sign-offs are void and it is signed again once resolved",
        ),
        "event.review_edited": (
            "复盘第 {version} 版：修改了{fields:review_fieldlist}（作废签署 {voided} 份）",
            "review version {version}: {fields:review_fieldlist} edited ({voided} sign-offs voided)",
        ),
        "event.review_signed": (
            "{person_name} 以{role:review_role}身份签署复盘第 {version} 版",
            "{person_name} signed version {version} of the review as {role:review_role}",
        ),
        "event.review_signed_off": ("复盘第 {version} 版签署完成", "review version {version} signed off"),
        "event.review_waived": (
            "未签署复盘即可关闭，理由：{reason}",
            "may close without a signed-off review: {reason}",
        ),
        "event.review_action_added": (
            "改进项 {action}：「{title}」，负责人 {owner}，截止 {due}",
            'follow-up action {action}: "{title}", owner {owner}, due {due}',
        ),
        "event.review_action_done": ("改进项 {action}「{title}」已完成", 'follow-up action {action} "{title}" done'),
        "event.review_action_dropped": (
            "改进项 {action}「{title}」已放弃：{note}",
            'follow-up action {action} "{title}" dropped: {note}',
        ),
        "event.review_action_open": (
            "改进项 {action}「{title}」重新打开",
            'follow-up action {action} "{title}" reopened',
        ),
        "event.review_action_overdue": (
            "改进项 {action}「{title}」已逾期 {days} 天（负责人 {owner}），已通知主管 {supervisor}",
            'follow-up action {action} "{title}" is {days} days overdue (owner {owner}); supervisor {supervisor} told',
        ),
    }
)
