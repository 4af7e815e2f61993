"""The rank vocabulary: leadership ranks and the parallel 职级 titles, ordered.

(name, band level, order, track). Bands follow the correspondence of the civil-service
"职务与职级并行" rules: 一级/二级巡视员 sit with 正/副厅级, 一级/二级调研员 with 正处级,
三级/四级调研员 with 副处级, 一级/二级主任科员 with 正科级, 三级/四级主任科员 with 副科级.
"""

RANKS = [
    ("正厅级", 60, 160, "领导职务"),
    ("一级巡视员", 60, 155, "职级"),
    ("副厅级", 50, 150, "领导职务"),
    ("二级巡视员", 50, 145, "职级"),
    ("正处级", 40, 140, "领导职务"),
    ("一级调研员", 40, 137, "职级"),
    ("二级调研员", 40, 134, "职级"),
    ("副处级", 30, 130, "领导职务"),
    ("三级调研员", 30, 127, "职级"),
    ("四级调研员", 30, 124, "职级"),
    ("正科级", 20, 120, "领导职务"),
    ("一级主任科员", 20, 117, "职级"),
    ("二级主任科员", 20, 114, "职级"),
    ("副科级", 10, 110, "领导职务"),
    ("三级主任科员", 10, 107, "职级"),
    ("四级主任科员", 10, 104, "职级"),
]


def load_ranks(Rank):
    """Fill the rank table (``Rank``: the model, or its historical version in a migration)."""
    for name, level, order, track in RANKS:
        Rank.objects.update_or_create(name=name, defaults={"level": level, "order": order, "track": track})
