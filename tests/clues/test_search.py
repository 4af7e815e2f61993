"""Full-text search over clue summaries and content (tanhua.clues.search), on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tanhua.accounts.scope import scope_queryset
from tanhua.clues import search, selectors, services
from tanhua.clues.models import Clue


@pytest.fixture
def everyone(make_user):
    return make_user("jw", "QH", ["staff"])


def found(user, text):
    return set(search.matching(scope_queryset(Clue.objects.all(), user), text).values_list("summary", flat=True))


@pytest.fixture
def clues(make_clue):
    make_clue("CX01", summary="违规接受管理服务对象宴请", content="反映该同志多次在周末接受辖区企业老板宴请,地点在城郊农家乐。")
    make_clue("CX01", summary="公车私用", content="反映其周末驾驶公务用车接送子女上下辅导班,车辆停放在居住小区内。")
    make_clue("SX01B", summary="借子女婚礼收受礼金",
              content="为其子操办婚礼,宴请30余桌,收受辖区企业主礼金,宏远建设有限公司负责人送礼金两万元。")
    make_clue("CZ", summary="违规发放津补贴", content="以加班费名义违规发放津补贴,年底人均领取五千余元,在KTV聚会。")


@pytest.mark.parametrize(("text", "expected"), [
    # One character: LIKE.
    ("宴", {"违规接受管理服务对象宴请", "借子女婚礼收受礼金"}),
    ("车", {"公车私用"}),
    # Two characters: LIKE, in the summary or the content.
    ("礼金", {"借子女婚礼收受礼金"}),
    ("周末", {"违规接受管理服务对象宴请", "公车私用"}),
    ("违规", {"违规接受管理服务对象宴请", "违规发放津补贴"}),
    # Three and more: the trigram index.
    ("农家乐", {"违规接受管理服务对象宴请"}),
    ("接受管理服务对象", {"违规接受管理服务对象宴请"}),
    ("宏远建设有限公司", {"借子女婚礼收受礼金"}),
    ("宏远建设无限公司", set()),
    ("30余桌", {"借子女婚礼收受礼金"}),
    # Latin letters in either case, indexed and not.
    ("ktv", {"违规发放津补贴"}),
    ("Kt", {"违规发放津补贴"}),
    # Every term must occur (AND), in either column, indexed or not.
    ("宴请 农家乐", {"违规接受管理服务对象宴请"}),
    ("周末 子女", {"公车私用"}),
    ("宴请 礼金", {"借子女婚礼收受礼金"}),
    ("宴请 公车", set()),
    ("违规 津补贴 KTV", {"违规发放津补贴"}),
    ("辖区企业 礼金\u3000两万元", {"借子女婚礼收受礼金"}),
    # Traditional input finds the Simplified text, short and long.
    ("宴請", {"违规接受管理服务对象宴请", "借子女婚礼收受礼金"}),
    ("違規接受", {"违规接受管理服务对象宴请"}),
    ("公務用車 輔導班", {"公车私用"}),
    ("", {"违规接受管理服务对象宴请", "公车私用", "借子女婚礼收受礼金", "违规发放津补贴"}),
])
def test_search_terms(clues, everyone, text, expected):
    assert found(everyone, text) == expected


SPECIAL = 'FTS5 语法字符:"引号" 星号* 甲 OR 乙 NEAR(丙 丁) 减号-前缀 col:值 ^开头 (括号) AND NOT'


@pytest.mark.parametrize("text", [
    '"', '""', '"引号"', '"引号', "*", "星号*", "OR", "甲 OR 乙", "NEAR(", "NEAR(丙", "-", "减号-前缀", "-前缀",
    "col:值", "^开头", "(括号)", "AND", "NOT", "AND NOT", ")", "'", "%", "_", "\\",
])
def test_fts_syntax_is_searched_literally(make_clue, everyone, text):
    texts = {"特殊字符": SPECIAL, "普通线索": "反映该同志甲乙丙丁 NEAR 星号 引号 括号 开头 前缀 减号 or"}
    for summary, content in texts.items():
        make_clue("CX01", summary=summary, content=content)
    # What plain substring search finds, Latin letters in either case.
    expected = {summary for summary, content in texts.items()
                if all(word.lower() in (summary + content).lower() for word in text.split())}
    assert found(everyone, text) == expected


def test_like_wildcards_are_literal(make_clue, everyone):
    make_clue("CX01", summary="完成率100%", content="完成率达到100%,a_b")
    make_clue("CX01", summary="完成率1000", content="完成率1000,axb")
    assert found(everyone, "100%") == {"完成率100%"}
    assert found(everyone, "%") == {"完成率100%"}
    assert found(everyone, "a_b") == {"完成率100%"}
    assert found(everyone, "_") == {"完成率100%"}


def test_updates_and_deletes_keep_the_index_in_step(make_clue, everyone):
    clue = make_clue("CX01", summary="公车私用", content="周末驾驶公务用车外出游玩")
    other = make_clue("CX01", summary="工作时间打牌", content="工作日下午在办公室打牌")
    assert found(everyone, "公务用车") == {"公车私用"}

    services.update_clue(None, clue, summary="超标准配备办公用房", content="办公用房面积超出标准一倍")
    assert found(everyone, "公务用车") == set() and found(everyone, "公车私用") == set()
    assert found(everyone, "办公用房") == {"超标准配备办公用房"}
    assert found(everyone, "办公") == {"超标准配备办公用房", "工作时间打牌"}

    # A change to neither column leaves the index as it was.
    Clue.objects.filter(pk=clue.pk).update(status=Clue.Status.HANDLING)
    assert found(everyone, "办公用房") == {"超标准配备办公用房"}

    Clue.objects.filter(pk=other.pk).update(content="另一件事")
    assert found(everyone, "办公室打牌") == set() and found(everyone, "另一件事") == {"工作时间打牌"}

    clue.delete()
    assert found(everyone, "办公用房") == set()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Raises if the index and the table disagree.
            cursor.execute("INSERT INTO clue_fts(clue_fts, rank) VALUES ('integrity-check', 1)")


def test_search_stays_in_the_users_scope(client, make_clue, make_user):
    make_clue("CX01", summary="城厢的宴请", content="在城郊农家乐接受宴请")
    outside = make_clue("SX01B", summary="沙溪的宴请", content="在城郊农家乐接受宴请")
    district = make_user("cx", "CX", ["staff"])
    client.force_login(district)
    for text in ("宴", "宴请", "农家乐", "农家乐 宴请", "沙溪", "沙溪的宴请"):
        assert found(district, text) <= {"城厢的宴请"}
        page = client.get(reverse("clues:list"), {"q": text})
        assert outside.number not in page.content.decode()
        assert {c.summary for c in page.context["page"]} <= {"城厢的宴请"}
    assert found(district, "农家乐") == {"城厢的宴请"}
    assert found(make_user("jw", "QH", ["staff"]), "农家乐") == {"城厢的宴请", "沙溪的宴请"}


def test_the_reporter_is_never_searchable(make_clue, everyone):
    make_clue("CX01", summary="公车私用", content="周末驾驶公务用车外出游玩",
              reporter_name="王秀英", reporter_contact="13912345678")
    for text in ("王秀英", "王秀", "秀", "13912345678", "1391"):
        assert found(everyone, text) == set()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pragma_table_info('clue_fts')")
            assert [row[0] for row in cursor.fetchall()] == ["summary", "content"]


def test_the_list_page_also_finds_numbers_and_cadres(client, make_clue, make_cadre, everyone):
    cadre = make_cadre("CX01", name="李庆庆")
    by_cadre = make_clue("CX01", cadre=cadre, summary="工作时间打牌", content="工作日下午在办公室打牌")
    other = make_clue("CX01", summary="公车私用", content="周末驾驶公务用车外出游玩")
    client.force_login(everyone)

    def listed(text):
        return {c.pk for c in client.get(reverse("clues:list"), {"q": text}).context["page"]}

    assert listed(other.number) == {other.pk}
    assert listed("李庆庆") == {by_cadre.pk}
    assert listed("李慶慶") == {by_cadre.pk}  # Traditional spelling of the name
    assert listed("公务用车") == {other.pk}
    assert listed("打牌") == {by_cadre.pk}
    # Combined with the other filters.
    assert client.get(reverse("clues:list"), {"q": "公务用车", "status": "closed"}).context["page"].paginator.count == 0
    # Too long a search is refused with a message, not dropped to show every clue.
    response = client.get(reverse("clues:list"), {"q": "公务用车" * 51})
    assert response.context["page"].paginator.count == 0
    assert "检索词过长(最多 200 个字,现有 204 个字)" in response.content.decode()


def test_query_count_does_not_grow_with_the_results(client, make_clue, everyone):
    for n in range(60):
        make_clue("CX01", summary=f"公车私用{n}", content="周末驾驶公务用车外出游玩")
    make_clue("CX01", summary="工作时间打牌", content="工作日下午在办公室打牌")
    client.force_login(everyone)
    client.get(reverse("clues:list"))  # session and caches warm
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(reverse("clues:list"), {"q": "公务用车"}).context["page"].paginator.count == 60
    for text in ("办公室打牌", "没有这回事", "车", "打牌", "公务 用车 周末"):
        with CaptureQueriesContext(connection) as captured:
            count = client.get(reverse("clues:list"), {"q": text}).context["page"].paginator.count
        # With nothing found the paginator does not fetch the (empty) page.
        assert len(captured) == len(baseline) - (0 if count else 1), text


def test_selector_query_count(make_clue, everyone, django_assert_num_queries):
    for n in range(3):
        make_clue("CX01", summary=f"公车私用{n}", content="周末驾驶公务用车外出游玩")
    scope_queryset(Clue.objects.none(), everyone)  # the user's roles, loaded once per user object
    for text, expected in (("公务用车", 3), ("公务 用车 车", 3), ("没有", 0)):
        # The cadres of that name, then the clues.
        with django_assert_num_queries(2):
            _form, _unit, clues = selectors.filtered_clues(everyone, {"q": text})
            assert len(list(clues)) == expected


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_sqlite_triggers_are_in_place(db):
    # Django rebuilds a SQLite table for many schema changes and the table's triggers go with
    # it: a migration doing that to clues_clue must call search.install_sqlite() afterwards.
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'clues_clue'")
        triggers = dict(cursor.fetchall())
    assert set(triggers) == set(search.SQLITE_TRIGGER_NAMES)
    expected = [sql.replace("IF NOT EXISTS ", "") for sql in search.SQLITE_TRIGGERS]
    assert sorted(triggers.values()) == sorted(expected)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'clue_fts'")
        assert cursor.fetchone()[0] == search.SQLITE_TABLE.replace("IF NOT EXISTS ", "")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_sqlite_long_terms_use_the_index(clues, everyone):
    qs = search.matching(scope_queryset(Clue.objects.all(), everyone), "农家乐 宴请")
    with connection.cursor() as cursor:
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan and "clue_fts" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pg_trgm indexes")
def test_postgres_terms_use_the_trigram_indexes(clues):
    # Whether the SQL can use the indexes at all (Django's icontains, UPPER(col) LIKE, cannot);
    # on a few rows PostgreSQL would rather scan.
    qs = search.matching(Clue.objects.all(), "农家乐 KTV")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "clue_summary_trgm" in plan and "clue_content_trgm" in plan and "ILIKE" in sql


class _Editor:
    """What install_sqlite needs of a schema editor (SQLite's own refuses to open in a test's transaction)."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_install_sqlite_puts_back_what_a_table_rebuild_drops(make_clue, everyone):
    make_clue("CX01", summary="公车私用", content="周末驾驶公务用车外出游玩")
    with connection.cursor() as cursor:
        for name in search.SQLITE_TRIGGER_NAMES:
            cursor.execute(f"DROP TRIGGER {name}")
    make_clue("CX01", summary="工作时间打牌", content="工作日下午在办公室打牌")
    assert found(everyone, "办公室打牌") == set()  # what a lost trigger looks like
    search.install_sqlite(_Editor())
    assert found(everyone, "办公室打牌") == {"工作时间打牌"} and found(everyone, "公务用车") == {"公车私用"}
    search.install_sqlite(_Editor())  # idempotent
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO clue_fts(clue_fts, rank) VALUES ('integrity-check', 1)")
