from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre"),
    path("export.xlsx", views.export, name="export"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("template.xlsx", views.template, name="template"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("units/", views.units, name="units"),
    path("units/add/", views.unit_add, name="unit_add"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
]
