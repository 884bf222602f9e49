"""Wording-linter benchmark: median time to lint a realistic 2,000-character
zh-CN statement (target < 5 ms), plus the one-off cost of compiling the rules.

    python -m benchmarks.lint        (or: python benchmarks/lint.py)
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from incident.wording import lint as lint_mod  # noqa: E402

TARGET_MS = 5.0

# What a public statement about an outage looks like (000 §5, §6.2): cause,
# fix, compensation, dedicated channel, ETA wording — with the odd slip an
# agent's draft really has (你 for 您, an unfilled XX, a full phone number,
# an absolute promise), so the linter reports something as it works.
_PARAGRAPHS = [
    "【客服中心】关于11月23日App登录异常的说明",
    "尊敬的客户：11月23日09:10至10:40，因机房核心网络设备故障，部分客户在App及小程序登录时提示“服务器繁忙”，"
    "无法查询快件或预约上门取件。故障发生后，我们第一时间成立专项小组，联合业务、技术、法务部门排查原因，"
    "并于10:40完成系统修复，目前各项服务已恢复正常。给您带来的不便，我们深表歉意。",
    "在故障期间下单的客户，如发现订单状态异常，请通过客服热线95311或App内“专属客服通道”与我们联系，"
    "我们会优先为您处理。受影响客户可在12月31日前申请补偿，我们将为您发放50元优惠券，或将会员服务期延长一个月。",
    "对于故障期间延误的快件，我们已安排各网点加派人手优先派送，预计今日18:00前完成积压快件的派送；"
    "个别偏远地区可能稍有延迟，我们会持续跟进修复进度，第一时间反馈给您。",
    "如您的快件在此期间发生遗失或损毁，请提供运单号及相关凭证，我们将按照契约条款为您办理理赔："
    "未保价的物品类快件按实际损失赔偿，每票最高2000元；保价快件按申报价值赔偿，每票最高10000元。",
    "我们已对本次故障进行复盘，增加了备用线路并完善了监控告警，尽量避免类似问题再次发生。"
    "感谢您的耐心等待与理解支持，如有任何疑问，欢迎随时联系我们，我们将竭力为您服务。",
    "客户服务中心的工作人员会在24小时内回访受影响的客户，确认问题是否解决，并记录您的意见和建议，"
    "我们将不断改善服务，让您满意。",
    "附：常见问题。一、为什么登录时提示服务器繁忙？因机房网络设备故障，部分请求无法到达服务器。"
    "二、故障期间的订单是否有效？有效，系统恢复后已自动同步。三、如何申请补偿？请在App“我的—服务—补偿申请”中提交，"
    "或拨打客服热线，客服人员会帮您登记。四、快件延误如何处理？我们会优先派送，并在派送后短信通知您。",
    "草稿备注：如客户追问原因，你可以说由于XX方面的原因，我们保证今天全部送达；联系人电话13812345678。",
]


def statement(length: int = 2000) -> str:
    """A realistic zh-CN statement of exactly ``length`` characters."""
    text = ""
    i = 0
    while len(text) < length:
        text += _PARAGRAPHS[i % len(_PARAGRAPHS)] + "\n"
        i += 1
    return text[:length]


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def run(runs: int = 300) -> list[tuple[str, str]]:
    t = time.perf_counter()
    lint_mod._builtin.cache_clear()
    rules = lint_mod.load_rules()
    compile_ms = (time.perf_counter() - t) * 1000
    text = statement(2000)
    findings = lint_mod.lint(text, rules=rules)
    for _ in range(20):  # warm-up
        lint_mod.lint(text, rules=rules)
    zh_ms = _median_ms(lambda: lint_mod.lint(text, rules=rules), runs)
    en = (
        "On 23 November from 09:10 to 10:40 a network fault in our data centre stopped some customers from "
        "signing in to the app. We have fixed the system and the service is back to normal. "
    ) * 12
    en = en[:2000]
    en_ms = _median_ms(lambda: lint_mod.lint(en, rules=rules), runs)
    return [
        ("compile the built-in rules (once per process)", f"{compile_ms:.1f} ms"),
        (f"lint a 2,000-character zh-CN statement (median of {runs}, {len(findings)} findings)", f"{zh_ms:.2f} ms"),
        (f"lint a 2,000-character en statement (median of {runs})", f"{en_ms:.2f} ms"),
        (f"target < {TARGET_MS:g} ms for the zh-CN statement", "met" if zh_ms < TARGET_MS else "NOT met"),
    ]


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label}: {figure}")
