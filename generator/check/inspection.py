"""The national site-inspection rules (《政府网站与政务新媒体检查指标》, 国办秘函〔2019〕19号)
that `check` holds the section to, and the summary that sets each count against its limit.

单项否决 (the site fails outright when any holds):
- 网站不更新: no update in the two weeks before the inspection (监测 2 周);
- 栏目不更新 1: the 动态、要闻 columns of the last two weeks and the 通知公告、政策文件
  columns of the last six months, five or more not updated (累计超过（含）5 个) — our section
  has no news column, so the items with `freshness_months` (catalog schema) are counted;
- 栏目不更新 2: ten or more columns that should be updated and have not been for long
  (应更新但长期未更新的栏目数量超过（含）10 个): items behind their monthly or yearly rule,
  and the items above;
- 空白栏目: five or more empty columns (空白栏目数量超过（含）5 个).
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

NO_UPDATE_DAYS = 14  # 网站不更新: no update in the two weeks before the inspection
POLICY_STALE_LIMIT = 5  # 栏目不更新 1: 通知公告、政策文件类栏目 6 个月未更新，累计超过（含）5 个
STALE_COLUMNS_LIMIT = 10  # 栏目不更新 2: 应更新但长期未更新的栏目数量超过（含）10 个
EMPTY_COLUMNS_LIMIT = 5  # 空白栏目数量超过（含）5 个


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it has no such day (08-31 + 6 = 02-28)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def fresh_until(last: dt.date, months: int) -> dt.date:
    """The last day on which an item last updated on `last` still meets a rule of `months`:
    an inspection on that day finds the update within the months before it."""
    return add_months(last, months)


@dataclass(frozen=True)
class Summary:
    """Each rule's count, for the text report."""
    last_update: dt.date | None  # the section's newest public record
    today: dt.date
    policy_stale: int  # items with a freshness rule not updated in time
    long_stale: int  # items behind their update rule, or the freshness rule (distinct)
    empty: int  # blank columns: no public record, no current note, no expired 公示 line
    noted: int  # empty items explained by a current no-information note
    expired_only: int  # empty items showing only the lines of expired 公示
    late: int  # records published after their legal deadline

    def lines(self) -> list[str]:
        if self.last_update is None:
            update = "专栏没有任何公开信息（超过 2 周不更新即单项否决）"
        else:
            days = (self.today - self.last_update).days
            update = (f"最近一次更新 {self.last_update}，距今 {days} 天"
                      f"（上限 {NO_UPDATE_DAYS} 天，超过即单项否决）")
        explained = "；".join(part for part in (
            f"另有 {self.noted} 个已注明无此类信息" if self.noted else "",
            f"{self.expired_only} 个只有公示期满已撤下的记录" if self.expired_only else "") if part)
        return [
            f"网站不更新：{update}",
            f"栏目不更新（政策文件、通知公告）：超过六个月未更新的政策/通知栏目 {self.policy_stale} 个"
            + _limit(POLICY_STALE_LIMIT),
            f"栏目不更新（长期未更新）：应更新而长期未更新的栏目 {self.long_stale} 个" + _limit(STALE_COLUMNS_LIMIT),
            f"空白栏目 {self.empty} 个" + _limit(EMPTY_COLUMNS_LIMIT) + (f"；{explained}" if explained else ""),
            f"逾期公开 {self.late} 条（超过法定公开时限，年度统计计入）",
        ]


def _limit(fails_at: int) -> str:
    return f"（上限 {fails_at - 1} 个，{fails_at} 个及以上为单项否决）"
