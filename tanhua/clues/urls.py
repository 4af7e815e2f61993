from django.urls import path

from . import views

app_name = "clues"
urlpatterns = [
    path("", views.clue_list, name="list"),
    path("add/", views.clue_add, name="add"),
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.clue_detail, name="detail"),
    path("<int:pk>/reporter/", views.reporter, name="reporter"),
    path("<int:pk>/dispose/", views.dispose, name="dispose"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/attachments/", views.attach, name="attach"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("<int:pk>/inquiry/", views.inquiry_issue, name="inquiry_issue"),
    path("inquiries/<int:pk>/letter.docx", views.inquiry_letter, name="inquiry_letter"),
    path("inquiries/<int:pk>/review/", views.inquiry_review, name="inquiry_review"),
    path("inquiries/<int:pk>/reply-file/", views.inquiry_reply_file, name="inquiry_reply_file"),
    path("problems/", views.problems, name="problems"),
    path("problems/export.xlsx", views.problems_export, name="problems_export"),
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("duplicates/<int:pk>/confirm/", views.duplicate_confirm, name="duplicate_confirm"),
    path("duplicates/<int:pk>/reject/", views.duplicate_reject, name="duplicate_reject"),
    path("<int:pk>/leave-group/", views.leave_group, name="leave_group"),
    path("vocabularies/", views.vocabularies, name="vocabularies"),
    path("vocabularies/<slug:kind>/", views.vocabulary_save, name="vocabulary_save"),
    path("my-inquiries/", views.my_inquiries, name="my_inquiries"),
    path("my-inquiries/<int:pk>/", views.my_inquiry, name="my_inquiry"),
    path("my-inquiries/<int:pk>/letter.docx", views.my_inquiry_letter, name="my_inquiry_letter"),
]
