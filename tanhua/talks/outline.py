"""The talk outline (谈话提纲): which topic templates fit a subject, the preparer's flags, a draft.

Pure: no Django. Seed 001: the outline is tailored ("量身订制") to who the subject is and what
their unit does, and starts from the problems every office gathered beforehand.
"""

import re
from dataclasses import dataclass, field

LONG_TENURE_YEARS = 5


@dataclass(frozen=True)
class Subject:
    name: str
    unit_name: str
    unit_kind: str = ""
    unit_tags: frozenset = frozenset()
    is_unit_head: bool = False
    is_party_gov_head: bool = False
    programme_kind: str = ""
    subject_type: str = "cadre"
    years_in_post: float | None = None
    post_changed_recently: bool = False
    sensitive_post: str = ""


@dataclass(frozen=True)
class Template:
    """A topic template; every condition given must hold (an empty one is no condition)."""

    title: str
    topics: tuple
    heads_only: bool = False  # unit heads (一把手) and party/government heads
    unit_kinds: frozenset = field(default_factory=frozenset)
    unit_tags: frozenset = field(default_factory=frozenset)  # any of them
    programme_kinds: frozenset = field(default_factory=frozenset)
    order: int = 0


def applies(template, subject):
    if template.heads_only and not (subject.is_unit_head or subject.is_party_gov_head
                                    or subject.subject_type == "unit"):
        return False
    if template.unit_kinds and subject.unit_kind not in template.unit_kinds:
        return False
    if template.unit_tags and not (template.unit_tags & subject.unit_tags):
        return False
    return not template.programme_kinds or subject.programme_kind in template.programme_kinds


def choose(templates, subject):
    """The templates that fit ``subject``, in their order."""
    return sorted((t for t in templates if applies(t, subject)), key=lambda t: (t.order, t.title))


def flags(subject):
    """What the preparer should notice (seed 001): recent post change, long tenure, sensitive post."""
    out = []
    if subject.post_changed_recently:
        out.append("本次换届期间职务有调整")
    if subject.years_in_post is not None and subject.years_in_post >= LONG_TENURE_YEARS:
        out.append(f"同一职务任职{LONG_TENURE_YEARS}年以上({subject.years_in_post:.1f}年)")
    if subject.sensitive_post:
        out.append(f"敏感岗位:{subject.sensitive_post}")
    sensitive_tags = sorted(subject.unit_tags & {"权力集中", "资金密集", "社会关注度高"})
    if sensitive_tags:
        out.append("单位属" + "、".join(sensitive_tags) + "部门")
    return out


# The levels of an official document's numbering (GB/T 9704): 一、 → (一) → 1. → (1).
DIGITS = "零一二三四五六七八九"
MARKERS = (
    re.compile(r"^[一二三四五六七八九十]+、\s*"),
    re.compile(r"^[((][一二三四五六七八九十]+[))]\s*"),
    re.compile(r"^\d{1,2}(?:[.．](?!\d)|、)\s*"),
    re.compile(r"^[((]\d{1,2}[))]\s*"),
)


def cn_number(n):
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (to 99)."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return DIGITS[n]
    return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[ones] if ones else "")


def item_no(level, n):
    """The number of the ``n``-th item at ``level`` (0: 一、, 1: (一), 2: 1., 3 and below: (1))."""
    return (f"{cn_number(n)}、", f"({cn_number(n)})", f"{n}.", f"({n})")[min(level, 3)]


def renumber(text, top=0):
    """``text`` with each numbered line's number rewritten by how deep it is nested.

    A line's marker (一、 (一) 1. (1), as typed) says only which list it belongs to: a marker not
    seen above opens a list inside the current item, one seen above continues that list. The lists
    are then numbered from level ``top`` down, in order: ``top=1`` for an outline that sits under a
    document's own 三、 heading, whose top items become (一)(二) and theirs 1. 2. Lines without a
    marker are kept as they are.
    """
    kinds, counts, out = [], [], []
    for line in text.splitlines():
        stripped = line.strip()
        kind = next((k for k, marker in enumerate(MARKERS) if marker.match(stripped)), None)
        if kind is None:
            out.append(line)
            continue
        if kind in kinds:
            depth = kinds.index(kind)
            del kinds[depth + 1:], counts[depth + 1:]
            counts[depth] += 1
        else:
            kinds.append(kind)
            counts.append(1)
        out.append(item_no(top + len(kinds) - 1, counts[-1]) + MARKERS[kind].sub("", stripped, count=1))
    return "\n".join(out)


def draft(subject, problems, templates):
    """The first version of the outline, as plain text (one paragraph per line): 一、 sections, (一) items.

    ``problems``: (source, received, summary) for each problem the preparer kept.
    """
    sections = []
    if problems:
        sections.append(("需要说明的问题(逐条请本人说明情况):",
                         [f"{summary}(来源:{source},{received})" for source, received, summary in problems]))
    for template in choose(templates, subject):
        sections.append((f"{template.title}:", list(template.topics)))
    sections.append(("提出要求:针对谈话中指出的问题,明确整改措施和时限,按期报告整改情况。", []))
    text = []
    for n, (title, items) in enumerate(sections, 1):
        text.append(item_no(0, n) + title)
        text += [item_no(1, m) + item for m, item in enumerate(items, 1)]
    return "\n".join(text)
