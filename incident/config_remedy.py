"""Compensation and callbacks: caps, policies, approval, who calls back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from incident.config_types import (
    MoneyField,
    _Strict,
)
from incident.enums import Kind
from incident.formula import FormulaError, compile_formula
from incident.netcheck import BadURL, parse_url
from incident.remedy import texts as _remedy_texts  # noqa: F401  (config.reason.ticket_url_*)


class CompensationCaps(_Strict):
    """Per-waybill caps in 元 (004 ch.3 §2, DOMAIN.md §5): insured goods pay
    the actual loss up to ``insured_goods``, documents up to
    ``insured_documents``; uninsured up to ``uninsured``; a declared value
    (保价) pays the declared value up to ``declared_value``."""

    insured_goods: Annotated[MoneyField, Field(gt=0)] = Decimal("2000.00")
    insured_documents: Annotated[MoneyField, Field(gt=0)] = Decimal("200.00")
    uninsured: Annotated[MoneyField, Field(gt=0)] = Decimal("200.00")
    declared_value: Annotated[MoneyField, Field(gt=0)] = Decimal("10000.00")

    @property
    def highest(self) -> Decimal:
        return max(self.insured_goods, self.insured_documents, self.uninsured, self.declared_value)


CompensationForm = Literal["coupon", "points", "refund", "service_extension", "gift"]
# The unit each form is counted in: money (元), points, or days of service.
FORM_UNITS: dict[str, str] = {
    "coupon": "yuan",
    "refund": "yuan",
    "gift": "yuan",
    "points": "points",
    "service_extension": "days",
}


class CompensationPolicy(_Strict):
    """What an incident's affected customers are offered (first matching
    policy wins): a form, an amount or a formula, and who is eligible."""

    name: str
    kinds: list[Kind | Literal["*"]] = ["*"]
    # The customer's problem category (from the complaint or the import).
    categories: list[str] = Field(default_factory=lambda: ["*"])
    form: CompensationForm
    amount: Annotated[MoneyField, Field(gt=0)] | None = None
    # e.g. "min(amount_at_stake * 0.1, 100)"; names: amount_at_stake,
    # declared_value; functions: min, max, round. Checked when loaded.
    formula: str | None = None
    # Eligibility: complained within this many hours of the incident's start
    # (customers added by hand or from a file without a complaint time pass).
    within_hours: Annotated[int, Field(gt=0)] | None = None
    min_order_value: Annotated[MoneyField, Field(ge=0)] | None = None
    # The customer's branch or category must be in the incident's scope.
    scope_match: bool = False

    @model_validator(mode="after")
    def _amount_or_formula(self) -> "CompensationPolicy":
        if (self.amount is None) == (self.formula is None):
            raise PydanticCustomError("policy_amount", "give either amount or formula (not both)", {})
        if self.formula is not None:
            try:
                compile_formula(self.formula)
            except FormulaError as exc:
                raise PydanticCustomError(
                    "policy_formula", "bad formula {value!r}: {reason}", {"value": self.formula, "reason": str(exc)}
                ) from None
        return self


class CompensationConfig(_Strict):
    caps: CompensationCaps = Field(default_factory=CompensationCaps)
    # Above these amounts an entry needs a supervisor's approval (four
    # eyes: never the proposer); below them it is approved by policy.
    approval_thresholds: dict[Literal["yuan", "points", "days"], Annotated[MoneyField, Field(ge=0)]] = {
        "yuan": Decimal("100.00"),
        "points": Decimal("5000.00"),
        "days": Decimal("30.00"),
    }
    # People allowed to approve besides the supervisors of the teams.
    approvers: list[str] = Field(default_factory=list)
    # Alert (timeline + the supervisor) when an incident's money passes this.
    budget_yuan: Annotated[MoneyField, Field(gt=0)] | None = None
    batch_size: Annotated[int, Field(gt=0, le=10000)] = 1000
    policies: list[CompensationPolicy] = Field(default_factory=list)


class CallbackConfig(_Strict):
    """Follow-up calls (回访, DOMAIN.md §4)."""

    # The team whose members make the calls (default: the team covering
    # cs_lead); its supervisor gets the overdue ones.
    team: str | None = None
    # Agents (people keys) who call; default: the team's rotation members.
    agents: list[str] = Field(default_factory=list)
    work_days: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6, 7], min_length=1
    )
    work_start: dt.time = dt.time(9, 0)
    work_end: dt.time = dt.time(18, 0)
    result_minutes: Annotated[int, Field(gt=0)] = 60  # the result, after resolution (003 §2.4)
    unfinished_hours: Annotated[int, Field(gt=0)] = 24  # unfinished business (000 §3.1)
    ordinary_hours: Annotated[int, Field(gt=0)] = 24  # 003 §2.3
    complex_hours: Annotated[int, Field(gt=0)] = 48
    # A case is complex when this much is at stake (or it is marked so).
    complex_over_yuan: Annotated[MoneyField, Field(gt=0)] = Decimal("500.00")
    max_attempts: Annotated[int, Field(ge=1)] = 3
    # When detection opens (or a new surge bucket attaches to) an incident
    # from complaint volumes, the customers behind those complaints become
    # its affected customers and their callbacks are scheduled and assigned.
    from_complaints: bool = False
    # The ticket system's page of one ticket, "{ticket}" standing for the
    # ticket's id (https://tickets.example.com/t/{ticket}): the callbacks
    # page links a customer's complaint there. Unset: the id as plain text.
    ticket_url: str | None = None
    # Days an imported customer's dialable number (kept apart, shown only by
    # a callback's "show number") is kept once the incident is closed and the
    # customer's callbacks are over; then the sweep deletes it (last four stay).
    phone_keep_days: Annotated[int, Field(ge=0, le=365)] = 7

    @field_validator("ticket_url")
    @classmethod
    def _ticket_url(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        # Exactly one {ticket} and no other brace: the id is the only part
        # that varies, and str.format() would choke on anything else.
        if v.count("{ticket}") != 1 or v.replace("{ticket}", "").count("{") or v.replace("{ticket}", "").count("}"):
            raise PydanticCustomError(
                "ticket_url_placeholder", "must hold the ticket placeholder exactly once: {value}", {"value": v}
            )
        try:
            parse_url(v.replace("{ticket}", "T1"))
        except BadURL:
            raise PydanticCustomError("ticket_url_invalid", "not a valid ticket link: {value}", {"value": v}) from None
        return v

    @model_validator(mode="after")
    def _hours(self) -> "CallbackConfig":
        if self.work_end <= self.work_start:
            raise PydanticCustomError("work_hours", "work_end must be after work_start", {})
        return self
