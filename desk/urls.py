from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("hulp/", views.home, name="home"),
    path("hulp/vraag/", views.ask, name="ask"),
    path("hulp/melding/", views.report, name="report"),
    path("hulp/intervisie/", views.intervision, name="intervision"),
    path("hulp/zaken/<str:reference>/", views.case_detail, name="case"),
    path("hulp/zaken/<str:reference>/veiligheid/", views.safety, name="safety"),
    path("hulp/zaken/<str:reference>/bijlagen/<int:pk>/", views.attachment, name="attachment"),
    path("hulp/zaken/<str:reference>/inzage/", views.access_log, name="access_log"),
    path("hulp/zaken/<str:reference>/verwijderen/", views.delete_request, name="delete_request"),
    path("hulp/zaken/<str:reference>/vertrouwelijkheid/", views.confidentiality, name="confidentiality"),
    path("hulp/zaken/<str:reference>/actie/", views.case_action, name="case_action"),
    path("hulp/beheer/", views.queue, name="queue"),
    path("hulp/beheer/te-laat/", views.overdue, name="overdue"),
    path("hulp/beheer/statistiek/", views.statistics, name="statistics"),
    path("hulp/beheer/intervisie/", views.intervision_groups, name="intervision_groups"),
    path("hulp/beheer/zaken/<str:reference>/", views.manage, name="manage"),
    path("hulp/verwijzingen/", views.organisations, name="organisations"),
    path("hulp/hulpverleners/", views.helpers, name="helpers"),
]
