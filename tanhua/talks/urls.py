from django.urls import path

from . import views

app_name = "talks"
urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("programmes/add/", views.programme_add, name="programme_add"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/rounds/add/", views.round_add, name="round_add"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/designate/", views.designate, name="designate"),
    path("rounds/<int:pk>/designations/<int:designation>/delete/", views.designation_delete,
         name="designation_delete"),
    path("rounds/<int:pk>/freeze/", views.freeze, name="freeze"),
    path("rounds/<int:pk>/draw/", views.draw_now, name="draw_now"),
    path("rounds/<int:pk>/inputs/<int:slot>/commit/", views.commit, name="commit"),
    path("rounds/<int:pk>/inputs/<int:slot>/reveal/", views.reveal, name="reveal"),
    path("draws/<int:pk>/", views.draw_page, name="draw"),
    path("draws/<int:pk>/record.json", views.draw_record, name="draw_record"),
    path("verify_draw.py", views.verifier, name="verifier"),
    path("talks/", views.talk_list, name="talks"),
    path("talks/<int:pk>/", views.talk_detail, name="talk"),
    path("talks/<int:pk>/notice.docx", views.talk_notice, name="notice"),
    path("calendar/", views.talk_calendar, name="calendar"),
    path("mine/", views.my_talks, name="my_talks"),
    path("mine/<int:pk>/", views.my_talk, name="my_talk"),
    path("mine/<int:pk>/notice.docx", views.my_talk_notice, name="my_talk_notice"),
]
