"""The talk outline (谈话提纲): which topic templates fit a subject, the preparer's flags, a draft.

Pure: no Django. Seed 001: the outline is tailored ("量身订制") to who the subject is and what
their unit does, and starts from the problems every office gathered beforehand.
"""

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


NUMERALS = "一二三四五六七八九十"


def draft(subject, problems, templates):
    """The first version of the outline, as plain text (one paragraph per line).

    ``problems``: (source, received, summary) for each problem the preparer kept.
    """
    sections = []
    if problems:
        lines = ["需要说明的问题(逐条请本人说明情况):"]
        lines += [f"{n}. {summary}(来源:{source},{received})" for n, (source, received, summary) in
                  enumerate(problems, 1)]
        sections.append(lines)
    for template in choose(templates, subject):
        sections.append([f"{template.title}:"] + [f"{n}. {topic}" for n, topic in enumerate(template.topics, 1)])
    sections.append(["提出要求:针对谈话中指出的问题,明确整改措施和时限,按期报告整改情况。"])
    text = []
    for n, lines in enumerate(sections):
        text.append(f"{NUMERALS[n] if n < len(NUMERALS) else n + 1}、{lines[0]}")
        text += lines[1:]
    return "\n".join(text)
