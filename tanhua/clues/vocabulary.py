"""The sources and categories the source reports use, seeded by a data migration."""

SOURCES = [
    ("信访举报", ["来信", "来访", "来电", "网络举报"]),
    ("12345热线", []),
    ("巡察", []),
    ("审计", ["经济责任审计", "离任审计", "专项审计"]),
    ("派驻纪检监察组", []),
    ("党风政风监督", ["落实中央八项规定精神检查", "“四风”问题检查"]),
    ("抽查", []),
    ("明察暗访", []),
    ("舆论/媒体", []),
    ("民主生活会", []),
    ("“三重一大”会议", []),
    ("案件监督管理", []),
    ("其他", []),
]

CATEGORIES = [
    ("政治纪律", []),
    ("组织纪律", []),
    ("廉洁纪律", []),
    ("群众纪律", []),
    ("工作纪律", []),
    ("生活纪律", []),
    ("违反中央八项规定精神", ["形式主义", "官僚主义", "享乐主义", "奢靡之风"]),
]


def seed(source_model, category_model):
    """Create the entries that are missing; edited or deactivated ones stay as they are."""
    for model, entries in ((source_model, SOURCES), (category_model, CATEGORIES)):
        for order, (name, children) in enumerate(entries, start=1):
            parent, _ = model.objects.get_or_create(name=name, parent=None, defaults={"order": order * 10})
            for sub_order, child in enumerate(children, start=1):
                model.objects.get_or_create(name=child, parent=parent, defaults={"order": order * 10 + sub_order})
