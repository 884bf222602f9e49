"""The wording linter's texts (explanations, rules-file errors, CLI help and
output), zh-CN and en, registered into the one catalogue.

Explanations cite the handbook section the rule comes from, so an agent who
disagrees with a finding knows where to look (004 = 客服人员业务手册,
000 = 客服中心常见问题处理手册, 003 = 客服流程)."""

from __future__ import annotations

from incident.i18n import CATALOG

LINT_TEXTS: dict[str, tuple[str, str]] = {
    # ---- explanations: Finding.message_key ---------------------------------
    "lint.forbidden": (
        "服务禁语（{source}）：任何情况下都不能对客户说",
        "forbidden phrase ({source}): never to be said to a customer, in any situation",
    ),
    "lint.non_standard": (
        "不规范服务用语（{source}）：属于蔑视、烦躁、否定或斗气的说法",
        "non-standard service phrase ({source}): contemptuous, impatient, dismissive or quarrelsome",
    ),
    "lint.opens_with_bu": (
        "句子不要以“不”或“我不”开头，把否定的答复说成积极的回应（004 第二章第二节）",
        "do not open a sentence with 不 or 我不 (no / I don't); turn the negative answer into a positive one (004 ch.2 "
        "§2)",
    ),
    "lint.pronoun_ni": (
        "称呼客户用“您”，不用“你”（004 第二章第一节：文明用语“您、请、好……”）",
        "address the customer as 您, not 你 (004 ch.2 §1: the courtesy words 您、请、好 …)",
    ),
    "lint.absolute_promise": (
        "绝对化承诺（000 §2.1）：不要保证结果，以官方说明为依据",
        "absolute promise (000 §2.1): do not guarantee an outcome; go by the official description",
    ),
    "lint.negative_wait": (
        "“抱歉久等”会强化客户“久等”的感觉，改用正面说法（004 第二章第二节）",
        "apologising for the wait reminds the customer of the wait; thank them instead (004 ch.2 §2)",
    ),
    "lint.dont_know": (
        "不要说“我不知道”，答应查询后回复（000 §4.1、003 §4.1）",
        'never say "I don\'t know"; offer to look it up and get back (000 §4.1, 003 §4.1)',
    ),
    "lint.not_our_business": (
        "不要推诿：告诉客户有专人负责，并为其转接（004 第二章第二节）",
        "do not push the customer away: say a specialist handles it and transfer them (004 ch.2 §2)",
    ),
    "lint.policy_excuse": (
        "不要拿“公司政策”挡客户，说明多数情况下目前的规定（004 第二章第二节）",
        'do not hide behind "company policy"; explain how it is handled in most cases (004 ch.2 §2)',
    ),
    "lint.filler": (
        "口头禅、方言或流行语不应出现在规范服务用语中（{source}）",
        "fillers, dialect and slang do not belong in service wording ({source})",
    ),
    "lint.phrasing": ("措辞可以更谦逊、更正面（{source}）", "this can be said more humbly and positively ({source})"),
    "lint.personal_data.mobile": (
        "完整手机号码：只显示后 4 位（000 §3.1、003 §4.1）",
        "a full mobile number: show the last 4 digits only (000 §3.1, 003 §4.1)",
    ),
    "lint.personal_data.landline": (
        "完整固定电话号码：只显示后 4 位（000 §3.1、003 §4.1）",
        "a full landline number: show the last 4 digits only (000 §3.1, 003 §4.1)",
    ),
    "lint.personal_data.id": (
        "身份证号码：绝不能对外透露（000 §3.1、003 §4.1）",
        "an ID-card number: never to be revealed (000 §3.1, 003 §4.1)",
    ),
    "lint.personal_data.bank_card": (
        "银行卡号：绝不能对外透露（000 §3.1）",
        "a bank-card number: never to be revealed (000 §3.1)",
    ),
    "lint.personal_data.address": (
        "完整地址（含门牌号）：不能对外透露（000 §3.1、003 §4.1）",
        "a full street address: never to be revealed (000 §3.1, 003 §4.1)",
    ),
    "lint.personal_data.email": (
        "个人电子邮件地址：不能对外透露（000 §3.1）",
        "a personal e-mail address: never to be revealed (000 §3.1)",
    ),
    "lint.personal_data.other": (
        "个人信息：不能对外透露（000 §3.1）",
        "personal data: never to be revealed (000 §3.1)",
    ),
    "lint.placeholder": (
        "未填写的占位符「{token}」会原样发给客户",
        "the unfilled placeholder '{token}' would reach customers as it is",
    ),
    "lint.unknown_placeholder": (
        "模板中没有变量「{name}」；可用的变量：{known}",
        "the template has no variable '{name}'; the variables are: {known}",
    ),
    "lint.over_cap.goods": (
        "赔偿金额 {amount} 元超过物品类快件每票上限 {cap} 元（004 第三章第二节）；"
        "超出政策的要求应礼貌拒绝并提供其他补救（000 §6.1）",
        "compensation of {amount} yuan exceeds the {cap}-yuan cap per waybill for goods (004 ch.3 §2); "
        "refuse politely and offer another remedy (000 §6.1)",
    ),
    "lint.over_cap.documents": (
        "赔偿金额 {amount} 元超过文件类快件每票上限 {cap} 元（004 第三章第二节）；"
        "超出政策的要求应礼貌拒绝并提供其他补救（000 §6.1）",
        "compensation of {amount} yuan exceeds the {cap}-yuan cap per waybill for documents (004 ch.3 §2); "
        "refuse politely and offer another remedy (000 §6.1)",
    ),
    "lint.over_cap.uninsured": (
        "赔偿金额 {amount} 元超过未保险快件每票上限 {cap} 元（004 第三章第二节）；"
        "超出政策的要求应礼貌拒绝并提供其他补救（000 §6.1）",
        "compensation of {amount} yuan exceeds the {cap}-yuan cap per waybill without insurance (004 ch.3 §2); "
        "refuse politely and offer another remedy (000 §6.1)",
    ),
    "lint.over_cap.declared": (
        "金额 {amount} 元超过保价快件每票上限 {cap} 元（004 第三章第二节）；"
        "超出政策的要求应礼貌拒绝并提供其他补救（000 §6.1）",
        "{amount} yuan exceeds the {cap}-yuan cap per waybill for declared value (004 ch.3 §2); "
        "refuse politely and offer another remedy (000 §6.1)",
    ),
    "lint.over_cap.highest": (
        "金额 {amount} 元超过任何一种赔偿的每票上限 {cap} 元（004 第三章第二节）；"
        "请核对，超出政策的要求应礼貌拒绝并提供其他补救（000 §6.1）",
        "{amount} yuan is above every compensation cap ({cap} yuan per waybill, 004 ch.3 §2); "
        "check it, and refuse claims beyond policy politely with another remedy (000 §6.1)",
    ),
    "lint.custom": ("运营方规则「{rule}」", "operator rule '{rule}'"),
    "lint.severity.error": ("错误", "error"),
    "lint.severity.warning": ("警告", "warning"),
    # ---- the rules file ------------------------------------------------------
    "lint.rules_missing": ("规则文件 {path} 不存在", "rules file {path} does not exist"),
    "lint.rules_unreadable": ("无法读取规则文件 {path}：{reason}", "cannot read rules file {path}: {reason}"),
    "lint.rules_not_utf8": ("规则文件 {path} 不是 UTF-8 编码", "rules file {path} is not UTF-8"),
    "lint.rules_toml": ("规则文件 {path} 不是有效的 TOML：{reason}", "rules file {path} is not valid TOML: {reason}"),
    "lint.rules_invalid": ("规则文件 {path}：键 `{key}` 有误：{reason}", "rules file {path}: key `{key}`: {reason}"),
    "config.reason.lint_unknown_key": ("未知的键（可用：{allowed}）", "unknown key (allowed: {allowed})"),
    "config.reason.lint_type_string": ("应为字符串", "must be a string"),
    "config.reason.lint_type_bool": ("应为 true 或 false", "must be true or false"),
    "config.reason.lint_type_list": ("应为字符串列表", "must be a list of strings"),
    "config.reason.lint_type_table": ("应为表（table）", "must be a table"),
    "config.reason.lint_type_tables": ("应为表的数组（[[…]]）", "must be an array of tables ([[…]])"),
    "config.reason.lint_choice": ("取值应为 {allowed}（当前为 {value}）", "must be one of {allowed} (got {value})"),
    "config.reason.lint_regex": ("正则表达式无效：{error}", "invalid regular expression: {error}"),
    "config.reason.lint_empty_match": (
        "该模式可以匹配空文本，会在每个位置报告",
        "the pattern matches empty text, so it would fire everywhere",
    ),
    "config.reason.lint_backref": (
        "不支持反向引用（\\1、(?P=…)）；请改写模式",
        "backreferences (\\1, (?P=…)) are not supported; rewrite the pattern",
    ),
    "config.reason.lint_phrase_or_pattern": (
        "每个条目需要且只能有 phrase 或 pattern 之一",
        "each entry needs exactly one of phrase or pattern",
    ),
    "config.reason.lint_map_length": (
        "chars_from 与 chars_to 长度必须相同（{a} ≠ {b}）",
        "chars_from and chars_to must be the same length ({a} ≠ {b})",
    ),
    "config.reason.lint_word_length": (
        "替换词必须与原词等长（「{word}」→「{target}」）",
        "a replacement must be as long as the word it replaces ('{word}' → '{target}')",
    ),
    "config.reason.lint_engine": (
        "内置规则的 engine 不能修改；新规则只能使用 phrase",
        "the engine of a built-in rule cannot change; new rules can only use phrase",
    ),
    "config.reason.lint_new_rule": (
        "新规则需要至少一个条目（entries）",
        "a new rule needs at least one entry (entries)",
    ),
    # ---- CLI --------------------------------------------------------------------
    "help.lint": (
        "检查措辞：服务禁语、不规范用语、以“不”开头、你/您、绝对化承诺、个人信息、未填占位符、"
        "超出赔偿上限等（004 第二章，000 §2.1）。\n\n"
        "  incident lint 声明.txt\n\n"
        "  cat 声明.txt | incident lint - --channel weibo\n\n"
        "  incident lint 声明.txt --json\n\n"
        "有错误级问题时退出码为 1，否则为 0。运营方规则文件见配置 [wording].rules_file。",
        "Check wording: forbidden and non-standard phrases, sentences opening with 不, 你 vs 您, absolute promises, "
        "personal data, unfilled placeholders, amounts above the compensation caps … (004 ch.2, 000 §2.1).\n\n"
        "  incident lint statement.txt\n\n"
        "  cat statement.txt | incident lint - --channel weibo\n\n"
        "  incident lint statement.txt --json\n\n"
        "Exits 1 when any finding is an error, else 0. Operators' own rules: "
        "[wording].rules_file in the configuration.",
    ),
    "help.lint.file": (
        "要检查的 UTF-8 文本文件；- 或省略表示标准输入",
        "UTF-8 text file to check; - or nothing reads standard input",
    ),
    "help.lint.channel": (
        "同时按该发布渠道的限制检查：{channels}",
        "also check the limits of this channel: {channels}",
    ),
    "lint.out.finding": (
        "{line}:{column} {severity} {rule}：「{text}」",
        '{line}:{column} {severity} {rule}: "{text}"',
    ),
    "lint.out.suggestion": ("    建议：{suggestion}", "    suggestion: {suggestion}"),
    "lint.out.message": ("    说明：{message}", "    why: {message}"),
    "lint.out.summary": ("共 {errors} 个错误、{warnings} 个警告", "{errors} errors, {warnings} warnings"),
    "lint.out.clean": ("未发现问题", "no problems found"),
    "lint.error.no_file": ("文件 {path} 不存在", "the file {path} does not exist"),
    "lint.error.unreadable": ("无法读取 {path}：{reason}", "cannot read {path}: {reason}"),
    "lint.error.not_utf8": (
        "{path} 不是 UTF-8 文本（第 {offset} 个字节无法解码）；请先转换为 UTF-8",
        "{path} is not UTF-8 text (byte {offset} cannot be decoded); convert it to UTF-8 first",
    ),
    "lint.error.bad_channel": (
        "未知的发布渠道「{value}」；可选：{allowed}",
        "unknown channel '{value}'; choose one of: {allowed}",
    ),
    "lint.stdin": ("标准输入", "standard input"),
}

CATALOG.update(LINT_TEXTS)
