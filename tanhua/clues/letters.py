"""The written-inquiry letter (函询通知书) as an editable .docx, issued by the commission that owns it."""

from django.db.models import Q
from django.utils import timezone

from tanhua.dates import cn_date
from tanhua.documents import OfficialDocument
from tanhua.registry.models import Unit, UnitKind
from tanhua.registry.names import full_name

# A unit that is a discipline commission, one of its offices or a group it sends (派驻纪检监察组),
# best first: the commission itself, then what is known by its short name, then its groups.
COMMISSION_WORDS = (("纪律检查委员会", "纪律检查工作委员会"), ("纪委", "纪工委"), ("纪检",))
LEVEL_KINDS = (UnitKind.CITY, UnitKind.COUNTY, UnitKind.TOWN)  # the levels that have a commission


def _commission_rank(unit):
    for rank, words in enumerate(COMMISSION_WORDS):
        if any(word in unit.name or word in unit.short_name for word in words):
            return rank
    return None


def issuing_commission(clue):
    """The name that issues and signs the clue's 函询通知书: always a discipline commission.

    A written inquiry is the commission's act, never that of the cadre's unit. The letter is
    issued by the commission at or nearest above the organisation that owns the inquiry: the
    承办单位 if one was given (itself when it is a commission, its office or a 派驻 group), else the
    unit of whoever registered the clue, else the unit the clue is about. At each level, going
    up, the commission is that unit if it is one, or the commission unit the registry keeps under
    it (中共清河市纪律检查委员会 清河市监察委员会 under 清河市); a city, district or town whose
    commission is not in the registry is named for it (中共清河市城厢区纪律检查委员会).
    """
    creator = clue.created_by
    owner = clue.handling_unit or (creator.unit if creator is not None and creator.unit_id else None) or clue.unit
    return commission_for(owner)


def commission_for(owner):
    """The discipline commission at or nearest above the unit ``owner`` (see issuing_commission):
    also the issuer of a talk programme's notices, which the commission's office runs."""
    chain = [*owner.get_ancestors(), owner]
    words = [word for group in COMMISSION_WORDS for word in group]
    near = Q(path__in=[unit.path for unit in chain])
    for unit in chain:
        near |= Q(path__startswith=unit.path, depth=unit.depth + 1)
    named = Q()
    for word in words:
        named |= Q(name__contains=word) | Q(short_name__contains=word)
    candidates = list(Unit.objects.filter(near & named).order_by("path"))
    for unit in reversed(chain):
        if _commission_rank(unit) is not None:
            return unit.name
        below = [c for c in candidates if c.depth == unit.depth + 1 and c.path.startswith(unit.path)]
        if below:
            return min(below, key=_commission_rank).name
        if unit.kind in LEVEL_KINDS:
            return _named_commission(unit)
    return _named_commission(chain[0])


def _named_commission(unit):
    body = "纪律检查工作委员会" if unit.name.endswith("街道") else "纪律检查委员会"
    return f"中共{full_name(unit)}{body}"


def inquiry_letter(inquiry):
    clue = inquiry.clue
    cadre = clue.cadre
    issued = timezone.localtime(inquiry.issued_at).date() if inquiry.issued_at else timezone.localdate()
    doc = OfficialDocument()
    doc.title("函询通知书")
    doc.number(inquiry.letter_number)
    doc.blank()
    doc.addressee(f"{cadre.name}同志:")
    doc.body(
        "根据《中国共产党纪律检查机关监督执纪工作规则》有关规定,现就反映你的有关问题进行函询。"
        f"请你本着对党忠诚老实的态度,对以下问题如实作出书面说明,并于{cn_date(inquiry.reply_due)}前"
        "通过谈话监督管理系统提交(或送交承办部门),说明材料须本人签名。"
    )
    doc.heading("需要说明的问题")
    doc.body(inquiry.questions)
    doc.body("对函询问题的说明应当实事求是,不得隐瞒、歪曲事实,不得打听、追查反映人。")
    doc.signature(issuing_commission(clue), cn_date(issued))
    return doc.save()
