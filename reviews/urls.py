from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("<int:pk>/", views.record_review, name="record"),
    path("<int:pk>/report/", views.review_report, name="report"),
    path("<int:pk>/report.pdf", views.review_report_pdf, name="report_pdf"),
    path("<int:review_pk>/correct/", views.correct_review, name="correct"),
    path("<int:review_pk>/withdraw/", views.withdraw_review, name="withdraw"),
    path("cases/<int:pk>/boosters/new/", views.add_booster, name="add_booster"),
]
