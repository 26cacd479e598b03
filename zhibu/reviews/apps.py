from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "zhibu.reviews"
    label = "reviews"
    verbose_name = "述职评议"
