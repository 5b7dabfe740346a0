"""平台预警 — flags the platform raises itself when a legal act is late or a check finds something, at the moment it
happens (not computed from OCDS releases, so not in the analytic registry): their titles, for the dashboard and the
alert lists. Each names the module that raises it and the basis it cites."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformFlag:
    id: str
    name_zh: str
    raised_by: str
    basis: str


PLATFORM_FLAGS: tuple[PlatformFlag, ...] = (
    PlatformFlag("C09", "投标保证金逾期未退还", "supervision/deposit_watch.py", "《招标投标法实施条例》第31条、第57条"),
    PlatformFlag("D01", "中标候选人逾期公示", "award/service.py", "《招标投标法实施条例》第54条"),
    PlatformFlag(
        "D02",
        "异议逾期答复（定标公示期间，迁移0017前）",
        "award/service.py（已并入K01）",
        "《招标投标法实施条例》第54条",
    ),
    PlatformFlag("D03", "书面报告逾期未提交", "award/timers.py", "《招标投标法》第47条"),
    PlatformFlag("D04", "逾期未订立书面合同", "award/timers.py", "《招标投标法》第46条"),
    PlatformFlag(
        "D05", "合同实质性内容与招标文件、投标文件不一致", "award/contracts.py", "《招标投标法实施条例》第57条"
    ),
    PlatformFlag("D06", "逾期确定中标（成交）供应商", "award/service.py", "《政府采购法实施条例》第43条"),
    PlatformFlag(
        "K01",
        "异议（质疑）逾期未答复",
        "cases/service.py",
        "《招标投标法实施条例》第22条、第54条；《政府采购法》第53条",
    ),
    PlatformFlag("K02", "投诉逾期未作出受理决定", "cases/service.py", "《招标投标法实施条例》第61条"),
    PlatformFlag(
        "K03", "投诉逾期未作出处理决定", "cases/service.py", "《招标投标法实施条例》第61条；《政府采购法》第56条"
    ),
    PlatformFlag(
        "S01", "在办交易的投标人新列入外部失信名单", "credit/timers.py", "财库〔2016〕125号；河南省社会信用条例第34条"
    ),
)


def titles() -> dict[str, str]:
    return {f.id: f.name_zh for f in PLATFORM_FLAGS}
