"""The written-inquiry letter (函询通知书) as an editable .docx."""

from django.utils import timezone

from tanhua.documents import OfficialDocument, cn_date


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
    doc.signature(clue.handling_unit.name if clue.handling_unit_id else clue.unit.name, cn_date(issued))
    return doc.save()
