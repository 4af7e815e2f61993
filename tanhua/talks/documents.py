"""The .docx documents of a talk, in the official-document layout of ``tanhua.documents``."""

from django.utils import timezone

from tanhua.documents import OfficialDocument, cn_date

from .models import ReportKind

REPORT_TEXT = {
    ReportKind.HALF_MONTH: "请于{due}前通过系统提交书面汇报:最近半个月每天的工作安排、8小时以外的业余生活、"
                           "廉洁自律情况,条目式逐项填写。",
    ReportKind.UNIT_PARTY: "请于{due}前通过系统提交本单位党建工作汇报(履行党建工作责任制和党风廉政建设"
                           "第一责任人职责、领导班子自身建设、干部队伍建设、基层组织和党员队伍建设等情况)。",
    ReportKind.FREE: "请于{due}前通过系统提交书面汇报。",
}


def notice(talk):
    """谈话通知书: to the subject, with time, place, who talks, the agenda and what to hand in."""
    local = timezone.localtime(talk.starts_at)
    doc = OfficialDocument()
    doc.title("谈话通知书")
    programme = talk.programme
    addressee = f"{talk.cadre.name}同志" if talk.cadre else f"{talk.unit.name}主要负责同志"
    doc.addressee(f"{addressee}:")
    weekday = "一二三四五六日"[local.weekday()]
    doc.body(
        f"根据{programme.unit.name}{programme.name}工作安排,定于{cn_date(local.date())}(星期{weekday})"
        f"{local:%H:%M}在{talk.place or '另行通知的地点'}与你进行{talk.get_kind_display()}"
        + (f",由{talk.lead_name}同志主谈" if talk.lead_name else "") + "。"
    )
    if talk.agenda:
        segments = ",".join(f"{s['title']}{s['minutes']}分钟" for s in talk.agenda)
        doc.body(f"谈话安排:{segments}。")
    if talk.report_kind in REPORT_TEXT and talk.report_due:
        doc.body(REPORT_TEXT[talk.report_kind].format(due=cn_date(talk.report_due)))
    doc.body("请按时参加。如有特殊情况不能参加,请提前向谈话活动办公室说明。")
    doc.signature(programme.unit.name, cn_date(timezone.localdate()))
    return doc.save()
