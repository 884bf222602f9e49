"""The ``incident users`` commands' own texts (help, columns, messages),
zh-CN and en, and the labels of the web actions (PERMISSIONS) and what each
web role is for. Every key starts with ``users.`` so that none can
overwrite another half's text in the one catalogue."""

from incident.i18n import CATALOG, LABELS

# The actions' labels (LABELS["web_action"]) live in incident/access/texts.py,
# beside the refusal that names them.

# Who each web role is for.
LABELS["web_role_about"] = {
    "lead": ("宣布并推进事件的值班负责人", "on-call leads who declare and run incidents"),
    "comms": ("起草、审批并发布对外声明", "draft, approve and publish statements"),
    "legal": ("审阅并签批口径与声明", "review and sign off the wording"),
    "cs_lead": (
        "客服主管，负责受影响客户、补偿与回访",
        "customer-service supervisors: affected customers, compensation, callbacks",
    ),
    "agent": ("一线坐席，查询话术、完成自己的回访", "front-line agents: look up the wording, make their callbacks"),
    "viewer": ("只看不改", "read only"),
    "admin": ("全部操作，包括用户与机器令牌", "everything, users and machine tokens included"),
}

CLI_USERS_TEXTS: dict[str, tuple[str, str]] = {
    # ---- help ---------------------------------------------------------------
    "users.help": (
        "网页端用户、他们的角色和 API 令牌。网页角色决定可以做什么（见 incident users roles）；"
        "--person 把用户关联到值班名册，四眼原则、审批人与确认都按名册中的人核对。\n\n"
        "  incident users add zhangwei --role lead,comms\n\n"
        "  incident users list\n\n"
        "  incident users set zhangwei --inactive\n\n"
        "  incident users token create tickets --label 工单系统\n\n"
        "  incident users roles",
        "Users of the web app, their roles and their API tokens. The web roles decide what one may do (see "
        "incident users roles); --person links a user to the roster, on which the four-eyes rules, the approvers "
        "and acknowledgements are checked.\n\n"
        "  incident users add zhangwei --role lead,comms\n\n"
        "  incident users list\n\n"
        "  incident users set zhangwei --inactive\n\n"
        "  incident users token create tickets --label ticket-system\n\n"
        "  incident users roles",
    ),
    "users.help.add": (
        "添加一位网页端用户。默认在终端输入两次密码（不回显）；脚本中用 --password-stdin 从标准输入读取一行；"
        '只经由可信代理登录（[web] auth = "proxy"）的用户用 --no-password。'
        "用户名与名册中的键相同时自动关联名册，否则用 --person 指定。"
        "--token 标签 同时为其创建一个 API 令牌：标准输出只打印令牌密钥（其余信息打印到标准错误），脚本可直接接收。"
        "第一个账号（尚无账号时）必须有 admin 角色，并有密码或 --token，否则之后无人能使用命令行。\n\n"
        "示例：incident users add zhangwei --role lead,comms\n\n"
        "示例：export INCIDENT_TOKEN=$(incident users add admin --role admin --no-password --token setup)\n\n"
        "示例：printf '%s\\n' \"$PW\" | incident users add ops-bot --role viewer --password-stdin\n\n"
        "示例：incident users add emily --role comms --person emily --lang en --no-password",
        "Add a user of the web app. The password is typed twice on the terminal (not shown); scripts pass one line "
        'on stdin with --password-stdin; users who only come through the trusted proxy ([web] auth = "proxy") get '
        "--no-password. A user name that is a roster key links to the roster by itself; otherwise use --person. "
        "--token LABEL also creates an API token for the user: its secret alone is printed on stdout (the rest "
        "goes to stderr), for a script to capture. The first account (while none exists) must have the admin role "
        "and a password or --token, or nobody could use the command line afterwards.\n\n"
        "Example: incident users add zhangwei --role lead,comms\n\n"
        "Example: export INCIDENT_TOKEN=$(incident users add admin --role admin --no-password --token setup)\n\n"
        "Example: printf '%s\\n' \"$PW\" | incident users add ops-bot --role viewer --password-stdin\n\n"
        "Example: incident users add emily --role comms --person emily --lang en --no-password",
    ),
    "users.help.list": (
        "列出用户：显示名、角色、名册中的人、是否启用、是否设了密码、最近登录（不显示密码哈希）。\n\n"
        "示例：incident users list --json",
        "List the users: display name, roles, roster person, active, password set or not, last sign-in (never a "
        "password hash).\n\nExample: incident users list --json",
    ),
    "users.help.set": (
        '修改用户：角色（整体替换）、名册中的人（--person "" 取消关联）、显示名、网页语言，启用或停用。'
        "停用立即结束该用户所有已登录的浏览器，其 API 令牌在停用期间也不能使用。\n\n"
        "示例：incident users set zhangwei --role lead,cs_lead --person zhangwei\n\n"
        "示例：incident users set zhangwei --inactive",
        'Change a user: roles (replaced as a whole), roster person (--person "" unlinks), display name, web '
        "language, active or not. Deactivating ends all their signed-in browsers at once, and their API tokens do "
        "not work while they are inactive.\n\n"
        "Example: incident users set zhangwei --role lead,cs_lead --person zhangwei\n\n"
        "Example: incident users set zhangwei --inactive",
    ),
    "users.help.passwd": (
        "设置或重置用户的密码（在终端输入两次，或用 --password-stdin）。同时解除锁定、清零失败次数，"
        "并结束该用户所有已登录的浏览器。\n\n"
        "示例：incident users passwd zhangwei\n\n"
        "示例：printf '%s\\n' \"$PW\" | incident users passwd zhangwei --password-stdin",
        "Set or reset a user's password (typed twice on the terminal, or --password-stdin). It also lifts a lockout, "
        "resets the failed sign-ins and ends all their signed-in browsers.\n\n"
        "Example: incident users passwd zhangwei\n\n"
        "Example: printf '%s\\n' \"$PW\" | incident users passwd zhangwei --password-stdin",
    ),
    "users.help.token": (
        "机器（工单系统、脚本）调用 JSON API 用的令牌。令牌以其用户的身份和角色行事；"
        "密钥只在创建时显示一次，系统只保存它的哈希和前缀。\n\n"
        "  incident users token create tickets --label 工单系统\n\n"
        "  incident users token list\n\n"
        "  incident users token revoke 3",
        "Tokens for machines (the ticket system, scripts) calling the JSON API. A token acts as its user, with that "
        "user's roles; the secret is shown once, when it is created, and only its hash and prefix are kept.\n\n"
        "  incident users token create tickets --label ticket-system\n\n"
        "  incident users token list\n\n"
        "  incident users token revoke 3",
    ),
    "users.help.token.create": (
        "为用户创建 API 令牌，并显示一次密钥及用法（请求头 Authorization: Bearer …）。"
        "建议为每台机器单独建一个只有所需角色的用户。\n\n"
        "示例：incident users add tickets --role admin --no-password\n\n"
        "示例：incident users token create tickets --label 工单系统",
        "Create an API token for a user and show its secret once, with how to use it (the header Authorization: "
        "Bearer …). Best give each machine a user of its own with only the roles it needs.\n\n"
        "Example: incident users add tickets --role admin --no-password\n\n"
        "Example: incident users token create tickets --label ticket-system",
    ),
    "users.help.token.list": (
        "列出 API 令牌（可只看一位用户的）：编号、用户、名称、前缀、创建时间、最近使用、吊销时间。从不显示密钥。\n\n"
        "示例：incident users token list tickets --json",
        "List the API tokens (of one user if named): id, user, label, prefix, created, last used, revoked. Never the "
        "secret.\n\nExample: incident users token list tickets --json",
    ),
    "users.help.token.revoke": (
        "吊销一个 API 令牌（立即失效，不可恢复；重复吊销无影响）。编号见 incident users token list。\n\n"
        "示例：incident users token revoke 3",
        "Revoke an API token (it stops working at once, for good; revoking it again does nothing). The ids are in "
        "incident users token list.\n\nExample: incident users token revoke 3",
    ),
    "users.help.roles": (
        "网页角色及每个角色可以执行的操作（服务器对每个请求按此核对）。\n\n示例：incident users roles",
        "The web roles and the actions each may do (the server checks every request against this).\n\n"
        "Example: incident users roles",
    ),
    "users.help.arg.name": (
        "用户名（字母、数字和 . _ @ -，不区分大小写）",
        "user name (letters, digits and . _ @ -; case does not matter)",
    ),
    "users.help.arg.user_filter": ("只列出这位用户的令牌", "only this user's tokens"),
    "users.help.arg.token": ("令牌编号（例如 3 或 #3）", "the token's id (e.g. 3 or #3)"),
    "users.help.opt.role": (
        "网页角色，逗号分隔或重复给出：lead、comms、legal、cs_lead、agent、viewer、admin",
        "web roles, comma-separated or repeated: lead, comms, legal, cs_lead, agent, viewer, admin",
    ),
    "users.help.opt.role_set": (
        "新的网页角色（整体替换原有角色），逗号分隔或重复给出",
        "the new web roles (replacing the old ones), comma-separated or repeated",
    ),
    "users.help.opt.person": (
        "值班名册中的键（[people.*]），四眼原则与审批按它核对",
        "the roster key ([people.*]); four eyes and approvals are checked on it",
    ),
    "users.help.opt.person_set": ('值班名册中的键；"" 取消关联', 'the roster key; "" unlinks'),
    "users.help.opt.display_name": ("网页上显示的名字", "the name shown in the web app"),
    "users.help.opt.lang": (
        "该用户网页界面的语言 zh-CN 或 en（不是本命令输出的语言；那是命令前的全局 --lang）",
        "the language of this user's web pages, zh-CN or en (not this command's output: that is the "
        "global --lang before the command)",
    ),
    "users.help.opt.password_stdin": (
        "从标准输入读取一行作为密码（供脚本使用）",
        "read the password from one line of stdin (for scripts)",
    ),
    "users.help.opt.no_password": (
        "不设密码：用户经由可信代理登录，或是只用 API 令牌的机器",
        "no password: the user comes through the trusted proxy, or is a machine using API tokens only",
    ),
    "users.help.opt.token": (
        "同时为该用户创建 API 令牌（此为令牌名称）；密钥只在标准输出打印一次（--json 时在 token.secret 中）",
        "also create an API token for the user (this is its label); the secret is printed once, alone on stdout "
        "(with --json: in token.secret)",
    ),
    "users.help.opt.active": ("启用（--active）或停用（--inactive）", "enable (--active) or disable (--inactive)"),
    "users.help.opt.label": (
        "令牌名称，说明是哪台机器在用（例如 工单系统）",
        "the token's name: which machine uses it (e.g. ticket-system)",
    ),
    # ---- prompts ------------------------------------------------------------
    "users.prompt.password": ("用户 {name} 的新密码：", "New password for {name}: "),
    "users.prompt.again": ("再输入一次：", "Type it again: "),
    # ---- output -------------------------------------------------------------
    "users.out.added": ("已创建用户 {name}", "user {name} created"),
    "users.out.changed": ("已修改用户 {name}：{fields}", "user {name} changed: {fields}"),
    "users.out.unchanged": ("用户 {name}：没有变化（已经如此）", "user {name}: nothing changed (it was so already)"),
    "users.out.field.roles": ("角色", "roles"),
    "users.out.field.person": ("名册中的人", "roster person"),
    "users.out.field.display_name": ("显示名", "display name"),
    "users.out.field.lang": ("网页语言", "web language"),
    "users.out.field.active": ("启用状态", "active"),
    "users.out.detail": (
        "  显示名：{display}\n  角色：{roles}\n  名册中的人：{person}\n  网页语言：{lang}\n  密码：{password}\n"
        "  状态：{active}",
        "  display name: {display}\n  roles: {roles}\n  roster person: {person}\n  web language: {lang}\n"
        "  password: {password}\n  status: {active}",
    ),
    "users.out.password_set": ("已设置", "set"),
    "users.out.password_none": (
        "未设置（不能用密码登录；可经由可信代理或用 API 令牌）",
        "none (no password sign-in; the trusted proxy or API tokens only)",
    ),
    "users.out.active": ("启用", "active"),
    "users.out.inactive": ("已停用", "inactive"),
    "users.out.lang_default": ("默认（跟随浏览器与中心设置）", "default (the browser's and the centre's)"),
    "users.out.roles_head": ("角色的含义：", "What the roles mean:"),
    "users.out.role_line": ("  {head}：{about}", "  {head}: {about}"),
    "users.out.may": ("    可以：{actions}", "    may: {actions}"),
    "users.out.not_linked": (
        "该用户未关联值班名册：确认角色、审批口径与补偿、回访都需要关联；用 incident users set {name} --person KEY",
        "this user is not linked to the roster: acknowledging, approving the wording or compensation "
        "and callbacks need it; use incident users set {name} --person KEY",
    ),
    "users.out.proxy_only_hint": (
        '注意：当前配置 [web] auth = "{auth}"，没有密码的用户不能登录网页（API 令牌不受影响）；'
        '经由代理登录需设 auth = "proxy"',
        'note: [web] auth is "{auth}", so without a password this user cannot sign in to the web '
        'pages (API tokens still work); proxy sign-in needs auth = "proxy"',
    ),
    "users.out.deactivated": (
        "已停用 {name}：其所有已登录的浏览器已退出；停用期间其 API 令牌不能使用",
        "{name} deactivated: all their signed-in browsers are signed out; their API tokens do not work "
        "while they are inactive",
    ),
    "users.out.reactivated": ("已启用 {name}", "{name} is active again"),
    "users.out.password_changed": (
        "已设置 {name} 的密码：锁定已解除，其所有已登录的浏览器已退出",
        "password of {name} set: any lockout lifted, all their signed-in browsers signed out",
    ),
    "users.out.no_users": (
        "还没有用户；用 incident users add NAME --role ROLE 添加",
        "no users yet; add one with incident users add NAME --role ROLE",
    ),
    "users.out.users_head": ("用户（{n}）", "Users ({n})"),
    "users.out.yes": ("是", "yes"),
    "users.out.no": ("否", "no"),
    "users.out.locked_until": ("锁定至 {at}", "locked until {at}"),
    "users.out.token_created": (
        "已为 {name} 创建 API 令牌 #{id}「{label}」（角色：{roles}）。密钥如下，只显示这一次，请立即保存：",
        "API token #{id} '{label}' created for {name} (roles: {roles}). Its secret, shown this once only; keep it now:",
    ),
    "users.out.token_added": (
        "已同时创建 API 令牌 #{id}「{label}」：其密钥只打印这一次，在标准输出上（可用 INCIDENT_TOKEN=$(…) 接收）；"
        "系统只保存其哈希",
        "API token #{id} '{label}' created with it: its secret is printed this once, on stdout (capture it with "
        "INCIDENT_TOKEN=$(…)); only its hash is kept",
    ),
    "users.out.token_kept": (
        "系统只保存其哈希和前缀 {prefix}…；丢失后只能吊销并重新创建。",
        "only its hash and the prefix {prefix}… are kept; if it is lost, revoke it and create another.",
    ),
    "users.out.token_usage": (
        "用法：在请求头中加入  Authorization: Bearer <上面的密钥>",
        "Use: send the header  Authorization: Bearer <the secret above>",
    ),
    "users.out.token_example": (
        '例如：INCIDENT_TOKEN=<密钥>; curl -H "Authorization: Bearer $INCIDENT_TOKEN" "http://HOST/api/wording?q=…"',
        'e.g.: INCIDENT_TOKEN=<secret>; curl -H "Authorization: Bearer $INCIDENT_TOKEN" "http://HOST/api/wording?q=…"',
    ),
    "users.out.token_inactive": (
        "注意：用户 {name} 已停用，启用前此令牌不能使用",
        "note: user {name} is inactive; the token does not work until they are active again",
    ),
    "users.out.no_tokens": ("没有 API 令牌", "no API tokens"),
    "users.out.tokens_head": ("API 令牌（{n}）", "API tokens ({n})"),
    "users.out.revoked": ("已吊销令牌 #{id}「{label}」（用户 {name}）", "token #{id} '{label}' of {name} revoked"),
    "users.out.already_revoked": (
        "令牌 #{id}「{label}」（用户 {name}）已于 {at} 吊销",
        "token #{id} '{label}' of {name} was already revoked at {at}",
    ),
    "users.out.roles_title": (
        "网页角色及其可以执行的操作（有多个角色的用户可做其中任一角色允许的事；四眼原则、名册审批人、主管等领域规则另行核对）：",
        "The web roles and what each may do (a user with several roles may do what any of them may; "
        "the domain's own rules — four eyes, the roster's approvers, supervisors — apply on top):",
    ),
    # ---- columns ------------------------------------------------------------
    "users.col.user": ("用户", "User"),
    "users.col.display_name": ("显示名", "Display name"),
    "users.col.roles": ("角色", "Roles"),
    "users.col.person": ("名册中的人", "Roster person"),
    "users.col.active": ("启用", "Active"),
    "users.col.password": ("密码", "Password"),
    "users.col.last_login": ("最近登录", "Last sign-in"),
    "users.col.id": ("编号", "Id"),
    "users.col.label": ("名称", "Label"),
    "users.col.prefix": ("前缀", "Prefix"),
    "users.col.created": ("创建", "Created"),
    "users.col.last_used": ("最近使用", "Last used"),
    "users.col.revoked": ("吊销", "Revoked"),
    # ---- errors -------------------------------------------------------------
    "users.error.password_flags": (
        "--password-stdin 与 --no-password 只能选一个",
        "--password-stdin and --no-password cannot go together",
    ),
    # One line on stderr (at most 160 columns, a CJK character is two).
    "users.error.no_terminal": (
        "没有终端可输入密码；脚本中请用 --password-stdin 从标准输入传入",
        "no terminal to type the password on; in a script pass it on stdin with --password-stdin",
    ),
    "users.error.no_terminal_add": (
        "没有终端可输入密码；脚本中请用 --password-stdin，只经由代理登录的用户用 --no-password",
        "no terminal to type the password on; in a script use --password-stdin, or --no-password "
        "for a user who only comes through the proxy",
    ),
    "users.error.empty_stdin": (
        "标准输入中没有密码（--password-stdin 读取第一行）",
        "no password on stdin (--password-stdin reads its first line)",
    ),
    "users.error.mismatch": ("两次输入的密码不一致，未做任何修改", "the two passwords differ; nothing was changed"),
    "users.error.nothing_to_set": (
        "没有要修改的内容：请给出 --role、--person、--display-name、--lang、--active 或 --inactive",
        "nothing to change: give --role, --person, --display-name, --lang, --active or --inactive",
    ),
    "users.error.bad_token_id": (
        "无效的令牌编号「{value}」（例如 3 或 #3）",
        "not a token id: '{value}' (e.g. 3 or #3)",
    ),
}

CATALOG.update(CLI_USERS_TEXTS)
