"""Texts of the incident history (search, filters, export) and of the
site's error pages for unknown paths and malformed requests, zh-CN and en."""

from __future__ import annotations

from incident.i18n import CATALOG

CATALOG.update(
    {
        "web.history.title": ("事件历史", "Incident history"),
        "web.history.link": ("历史与搜索（含已解决、已关闭）", "History and search (resolved and closed too)"),
        "web.history.found": ("找到 {n} 个事件", "{n} incidents found"),
        "web.history.none": ("没有符合条件的事件。", "No incident matches."),
        "web.history.q": ("关键词或编号", "Words or id"),
        "web.history.q_hint": ("标题、概述，或编号如 INC-12、12", "title, summary, or an id such as INC-12 or 12"),
        "web.history.kind": ("类型", "Kind"),
        "web.history.severity": ("级别", "Severity"),
        "web.history.status": ("状态", "Status"),
        "web.history.since": ("宣布时间从", "Declared from"),
        "web.history.until": ("宣布时间至", "Declared until"),
        "web.history.region": ("地区", "Region"),
        "web.history.product": ("产品", "Product"),
        "web.history.page": ("页码", "Page"),
        "web.history.any": ("全部", "any"),
        "web.history.status_open": ("进行中（默认）", "open (default)"),
        "web.history.status_all": ("全部状态", "all statuses"),
        "web.history.apply": ("筛选", "Filter"),
        "web.history.reset": ("清除条件", "Clear"),
        "web.history.export_csv": ("导出 CSV", "Export CSV"),
        "web.history.export_json": ("导出 JSON", "Export JSON"),
        "web.history.page_of": ("第 {page} / {pages} 页", "page {page} of {pages}"),
        "web.history.col.ref": ("编号", "Id"),
        "web.history.col.title": ("标题", "Title"),
        "web.history.col.summary": ("概述", "Summary"),
        "web.history.col.declared": ("宣布时间", "Declared"),
        "web.history.col.resolved": ("解决时间", "Resolved"),
        "web.history.col.closed": ("关闭时间", "Closed"),
        "web.history.col.regions": ("地区", "Regions"),
        "web.history.col.products": ("产品", "Products"),
        # Bad filters: named field, the value as typed, and what would do.
        "web.history.bad_choice": (
            "筛选条件「{field}」的值「{value}」无效；可选：{allowed}",
            "the filter '{field}' has an invalid value '{value}'; choose one of: {allowed}",
        ),
        "web.history.bad_date": (
            "筛选条件「{field}」的值「{value}」不是日期；请用 YYYY-MM-DD 格式，例如 2026-11-24",
            "the filter '{field}' has '{value}', which is not a date; use YYYY-MM-DD, e.g. 2026-11-24",
        ),
        "web.history.bad_range": (
            "「{since_field}」（{since}）晚于「{until_field}」（{until}）",
            "'{since_field}' ({since}) is after '{until_field}' ({until})",
        ),
        "web.history.bad_page": (
            "「页码」的值「{value}」无效；请用 1 以上的整数",
            "'Page' has an invalid value '{value}'; use a whole number from 1",
        ),
        "web.history.bad_text": (
            "筛选条件「{field}」太长（最多 {max} 个字符）",
            "the filter '{field}' is too long (at most {max} characters)",
        ),
        "web.history.too_many": (
            "符合条件的事件有 {n} 个，超过一次导出的上限 {max}；请缩小时间范围或增加条件",
            "{n} incidents match, more than one export may hold ({max}); narrow the time range or add filters",
        ),
    }
)

CATALOG.update(
    {
        "web.error.bad_request_title": ("请求有误", "Bad request"),
        "web.error.no_page": ("没有这个页面：{path}", "there is no page at {path}"),
        "web.error.no_route": ("没有这个接口：{path}", "there is no API route at {path}"),
        "web.error.method": (
            "地址 {path} 不接受 {method} 请求",
            "{path} does not accept a {method} request",
        ),
        "web.error.http": ("请求未能完成（HTTP {status}）", "the request could not be completed (HTTP {status})"),
        "web.error.bad_param": (
            "参数「{name}」的值「{value}」无效",
            "the parameter '{name}' has an invalid value '{value}'",
        ),
        "web.error.missing_param": ("缺少参数「{name}」", "the parameter '{name}' is missing"),
        "web.error.bad_params": ("请求参数有误：{problems}", "the request's parameters are wrong: {problems}"),
    }
)
