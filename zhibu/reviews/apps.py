from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "zhibu.reviews"
    label = "reviews"
    verbose_name = "述职评议"

    def ready(self) -> None:
        # The member's own page shows their 三诺一评 and the reviews they are to grade.
        from django.utils.translation import gettext_lazy as _

        from zhibu.core.pages import Tab, register_tab
        from zhibu.reviews.views import me_card

        register_tab("members.me", Tab("promises", _("三诺一评"), "reviews/_me_card.html", me_card))
