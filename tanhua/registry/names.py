"""Writing an organisation's name in front of another name without saying a place twice.

Names in the registry may already carry the place above them (清河市城厢区, 城厢区柳桥镇) or not
(城厢区), and titles may repeat the unit's place (城厢区勤廉半月谈, 区委书记). Text that puts a unit
before a programme, a post or a sub-unit goes through :func:`join_names`, so that "清河市" and
"清河市党政领导干部…" make "清河市党政领导干部…", not "清河市清河市…".
"""

# Characters that end the name of a place: 清河市|城厢区|柳桥镇|城厢街道.
PLACE_ENDINGS = ("省", "市", "州", "盟", "区", "县", "旗", "镇", "乡", "街道")
# What a level's one character starts when it names that level's own organs: 市委, 区政府, 县人大 …
LEVEL_ORGANS = ("委", "人民政府", "政府", "人大", "政协", "纪委", "监委")


def _cuts(name):
    """Where a place's name ends inside ``name``: 清河市城厢区 → [3, 6]."""
    return [i + len(end) for i in range(len(name)) for end in PLACE_ENDINGS if name.startswith(end, i)]


def join_names(outer, inner):
    """``outer`` followed by ``inner``, leaving out what ``inner`` repeats of ``outer``'s places.

    清河市 + 清河市财政局 → 清河市财政局; 清河市城厢区 + 城厢区勤廉半月谈 → 清河市城厢区勤廉半月谈;
    清河市城厢区 + 区委书记 → 清河市城厢区委书记; 清河市 + 中共清河市委组织部 → 中共清河市委组织部.
    """
    if not outer or not inner:
        return outer + inner
    if inner.startswith(outer):
        return inner
    cuts = [c for c in _cuts(outer) if c < len(outer)]
    for cut in cuts:  # the longest tail first: 城厢区… after 清河市城厢区
        if inner.startswith(outer[cut:]):
            return outer + inner[len(outer) - cut:]
    for cut in reversed(cuts):  # the place above: 清河市… after 清河市城厢区
        if inner.startswith(outer[:cut]):
            return outer + inner[cut:]
    if outer[-1] in "市区县镇乡" and inner[0] == outer[-1] and inner[1:].startswith(LEVEL_ORGANS):
        return outer + inner[1:]  # 清河市 + 市委 → 清河市委; not 市场监督管理局, not 区长
    if outer in inner or any(outer[cut:] in inner for cut in cuts):
        return inner  # it names the place inside: 中共城厢区委组织部, 国家税务总局清河市税务局
    return outer + inner


def full_name(unit):
    """The unit's name with the places above it, each said once: 城厢街道 → 清河市城厢区城厢街道."""
    name = ""
    for ancestor in [*unit.get_ancestors(), unit]:
        name = join_names(name, ancestor.name)
    return name
