from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.ledger_export, name="ledger_export"),
    path("add/", views.item_add, name="item_add"),
    path("from-talk/<int:pk>/", views.from_talk, name="from_talk"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/verify/", views.verify, name="verify"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/follow-ups/<int:visit>/", views.follow_up, name="follow_up"),
    path("<int:pk>/follow-ups/<int:visit>/correct/", views.follow_up_correct, name="follow_up_correct"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/add/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/items/", views.meeting_item, name="meeting_item"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/count/", views.notifications_count, name="notifications_count"),
]
