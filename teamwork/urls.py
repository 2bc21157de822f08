from . import views

# Team activity (consultations, training, feedback, complaints): four pages per kind, under
# /reporting/ as before the app had its own.
app_name = "teamwork"
urlpatterns = views.urlpatterns()
