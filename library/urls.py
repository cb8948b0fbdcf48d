from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("bibliotheek/", views.search_view, name="search"),
    path("bibliotheek/delen/", views.share_view, name="share"),
    path("bibliotheek/mijn/", views.mine_view, name="mine"),
    path("bibliotheek/<int:pk>/", views.document_view, name="document"),
    path("bibliotheek/<int:pk>/bewerken/", views.edit_view, name="edit"),
    path("bibliotheek/<int:pk>/verwijderen/", views.delete_view, name="delete"),
    path("bibliotheek/<int:pk>/publiceren/", views.publish_view, name="publish"),
    path("bibliotheek/<int:pk>/hergebruiken/", views.reuse_view, name="reuse"),
    path("bibliotheek/<int:pk>/word/", views.download_view, {"fmt": "docx"}, name="download_docx"),
    path("bibliotheek/<int:pk>/pdf/", views.download_view, {"fmt": "pdf"}, name="download_pdf"),
    path("bibliotheek/<int:pk>/origineel/", views.original_view, name="original"),
    path("bibliotheek/bijlage/<int:pk>/", views.attachment_view, name="attachment"),
    path("bibliotheek/zoekopdrachten/opslaan/", views.save_search_view, name="save_search"),
    path("bibliotheek/zoekopdrachten/<int:pk>/verwijderen/", views.delete_search_view, name="delete_search"),
    path("bibliotheek/afmelden/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("beheer/bibliotheek/import/", views.import_upload_view, name="import_upload"),
    path("beheer/bibliotheek/import/<int:pk>/", views.import_review_view, name="import_review"),
]
