"""The outline topic templates seed 001 and seed 003 describe; administrators edit them."""

from django.db import migrations

TEMPLATES = [
    ("落实全面从严治党主体责任", True, [], [], [], 10, [
        "作为第一责任人,如何履行全面从严治党主体责任,班子成员“一岗双责”落实情况",
        "本单位党风廉政建设责任制分解、检查、考核情况",
        "对班子成员和下属单位主要负责人的日常监督、谈话提醒情况",
    ]),
    ("贯彻落实市委决策部署", False, [], ["重点任务"], [], 20, [
        "承担的市委市政府重点任务进展、存在的困难和问题",
        "落实中有无敷衍应付、等待观望、推诿扯皮等作风问题",
    ]),
    ("落实扶贫政策", False, [], ["扶贫任务"], [], 30, [
        "落实中央和省市扶贫政策情况,扶贫资金、项目的管理使用",
        "扶贫领域有无优亲厚友、虚报冒领、截留挪用等问题",
    ]),
    ("领导、支持执纪执法", True, ["县区"], [], [], 40, [
        "领导、组织并支持纪检监察机关依纪依法履行职责情况",
        "对本地区问题线索处置、案件查办的支持和干预情况",
    ]),
    ("廉政风险防控", False, [], ["权力集中", "资金密集", "社会关注度高"], [], 50, [
        "业务工作中哪几个环节最容易滋生廉政风险,如何防控",
        "行政审批、资金分配、项目招投标、干部选任等关键环节的制度执行和监督",
    ]),
    ("党建工作责任制", False, [], [], ["party_building"], 60, [
        "履行党建工作责任制和党风廉政建设第一责任人职责情况",
    ]),
    ("领导班子自身建设", False, [], [], ["party_building"], 61, [
        "班子民主集中制执行、“三重一大”集体决策情况",
        "班子成员之间沟通协作、相互监督情况",
    ]),
    ("干部队伍建设", False, [], [], ["party_building"], 62, [
        "调动年轻干部积极性、破解机关干部“老爷”作风的针对性措施",
        "中层干部执行力、岗位超职数配备等问题的解决情况",
    ]),
    ("基层组织和党员队伍建设", False, [], [], ["party_building"], 63, [
        "基层党组织设置、组织生活制度落实情况",
        "党员联系群众、为群众解决难题的载体和实效",
    ]),
    ("廉洁自律", False, [], [], [], 90, [
        "本人及配偶子女遵守廉洁自律规定情况,有无违反中央八项规定精神问题",
        "8小时以外的生活圈、交友圈情况",
    ]),
]


def seed(apps, schema_editor):
    OutlineTemplate = apps.get_model("talks", "OutlineTemplate")
    for title, heads_only, kinds, tags, programme_kinds, order, topics in TEMPLATES:
        OutlineTemplate.objects.get_or_create(title=title, defaults={
            "heads_only": heads_only, "unit_kinds": kinds, "unit_tags": tags, "programme_kinds": programme_kinds,
            "order": order, "topics": "\n".join(topics)})


class Migration(migrations.Migration):
    dependencies = [("talks", "0002_preparation_and_records")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
