from django.urls import path

from . import views

app_name = "selection"

APPLICANT = "selectie/<int:pk>/aanmeldingen/<int:application>/"

urlpatterns = [
    # Public: the calls, applying, one's own application.
    path("kandidaat-worden/", views.calls, name="calls"),
    path("kandidaat-worden/mijn-aanmeldingen/", views.my_applications, name="my_applications"),
    path("kandidaat-worden/aanmelding/<str:token>/", views.status, name="status"),
    path("kandidaat-worden/<slug:slug>/", views.call, name="call"),
    path("kandidaat-worden/<slug:slug>/aanmelden/", views.apply, name="apply"),
    # The branch, the committee and the invited adviser.
    path("selectie/", views.procedures, name="procedures"),
    path("selectie/nieuw/", views.procedure_create, name="procedure_create"),
    path("selectie/<int:pk>/", views.procedure, name="procedure"),
    path("selectie/<int:pk>/instellen/", views.procedure_edit, name="procedure_edit"),
    path("selectie/<int:pk>/actie/", views.procedure_action, name="procedure_action"),
    path("selectie/<int:pk>/criteria/", views.criteria, name="criteria"),
    path("selectie/<int:pk>/commissie/", views.committee, name="committee"),
    path("selectie/<int:pk>/advies/", views.advice, name="advice"),
    path("selectie/<int:pk>/advies.pdf", views.advice_pdf, name="advice_pdf"),
    path("selectie/<int:pk>/advies.docx", views.advice_docx, name="advice_docx"),
    path("selectie/<int:pk>/e-mails/", views.mails, name="mails"),
    path(APPLICANT, views.application, name="application"),
    path(APPLICANT + "cv/", views.cv, name="cv"),
    path(APPLICANT + "beoordelen/", views.score, name="score"),
    path(APPLICANT + "belangenverstrengeling/", views.conflict, name="conflict"),
    path(APPLICANT + "status/", views.application_status, name="application_status"),
    path(APPLICANT + "gesprekken/", views.interview_add, name="interview_add"),
    path(APPLICANT + "gesprekken/<int:interview>/", views.interview, name="interview"),
]
