"""Each kind of programme with the settings the source reports describe, to start from.

- 勤廉半月谈 (seed 000, Taicang): every two months, 4 drawn from all leaders at 副科级 and above
  plus 1 designated (petition reports or public opinion, not yet a violation); unit heads are
  talked with by the party secretary, others by the discipline secretary or a deputy; the
  subject reports item by item on each day of the last half month, life outside working hours
  and integrity self-discipline.
- 党建约谈 (seed 003, Cixi): monthly, 3-4 units (municipal departments, towns and streets);
  their party secretaries talk with the city's party secretary, discipline secretary and
  organisation head; 20 minutes' report, 40 minutes of questions; problems rectified within
  two months.
- 廉政谈话 (seed 001): each unit head by the unit's contact leader (联系领导); problems from
  every office beforehand; "谁谈话谁负责" follow-up.
- 提醒谈话, 诫勉谈话, 任前谈话, 谈心谈话: named subjects (designated), no draw.
"""

from .models import Cadence, Kind, LeadRule, ReportKind, SubjectType

COMMON = {"cadence": Cadence.AD_HOC, "subject_type": SubjectType.CADRE, "random_count": 0, "designated_count": 10,
          "lead_rule": LeadRule.FIXED, "report_kind": ReportKind.NONE, "rectification_days": 60,
          "agenda": [{"title": "谈话", "minutes": 30}]}

PRESETS = {
    Kind.HALF_MONTH: {
        "name": "勤廉半月谈", "cadence": Cadence.BIMONTHLY, "min_rank_level": 10, "random_count": 4,
        "designated_count": 1, "lead_rule": LeadRule.BY_POST, "report_kind": ReportKind.HALF_MONTH,
        "report_due_days": 3, "exclude_talked_months": 12,
        "agenda": [{"title": "条目式汇报半个月工作、业余生活和廉洁自律情况", "minutes": 20},
                   {"title": "谈话组交流、提醒", "minutes": 40}],
    },
    Kind.PARTY_BUILDING: {
        "name": "党建约谈", "cadence": Cadence.MONTHLY, "subject_type": SubjectType.UNIT, "random_count": 3,
        "designated_count": 1, "lead_rule": LeadRule.FIXED, "report_kind": ReportKind.UNIT_PARTY,
        "report_due_days": 5, "unit_kinds": ["市直部门", "镇街"], "exclude_talked_months": 12,
        "agenda": [{"title": "汇报基层党建工作", "minutes": 20}, {"title": "市委领导提问、提要求", "minutes": 40}],
    },
    Kind.INTEGRITY: {
        "name": "廉政谈话", "cadence": Cadence.YEARLY, "unit_heads_only": True, "random_count": 0,
        "designated_count": 60, "lead_rule": LeadRule.CONTACT_LEADER,
        "agenda": [{"title": "通报问题清单", "minutes": 15}, {"title": "本人说明、交流", "minutes": 30},
                   {"title": "提出整改要求", "minutes": 15}],
    },
    Kind.REMINDER: {"name": "提醒谈话"},
    Kind.ADMONISHMENT: {"name": "诫勉谈话", "rectification_days": 60},
    Kind.PRE_APPOINTMENT: {"name": "任前廉政谈话", "agenda": [{"title": "任前廉政谈话", "minutes": 30}]},
    Kind.HEART: {"name": "谈心谈话"},
}


def preset(kind):
    """The fields to start a programme of ``kind`` from (a copy; the caller may change it)."""
    fields = {**COMMON, **PRESETS.get(kind, {})}
    fields["agenda"] = [dict(s) for s in fields["agenda"]]
    fields["unit_kinds"] = list(fields.get("unit_kinds", []))
    fields["kind"] = kind
    return fields
