"""A unit's name before another name says each place once, and merges only a level's own organs."""

import pytest

from tanhua.registry.names import join_names


@pytest.mark.parametrize(("outer", "inner", "joined"), [
    ("清河市", "清河市党政领导干部勤政廉政半月谈", "清河市党政领导干部勤政廉政半月谈"),
    ("清河市城厢区", "城厢区勤廉半月谈", "清河市城厢区勤廉半月谈"),
    ("清河市", "中共清河市委组织部", "中共清河市委组织部"),
    ("清河市", "市委", "清河市委"),
    ("清河市城厢区", "区委书记", "清河市城厢区委书记"),
    ("清河市", "市场监督管理局", "清河市市场监督管理局"),  # 市场 is not the city's own 市
    ("清河市城厢区", "区长", "清河市城厢区区长"),
])
def test_join_names(outer, inner, joined):
    assert join_names(outer, inner) == joined
