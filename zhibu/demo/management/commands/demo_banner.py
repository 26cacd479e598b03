from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from zhibu.demo.logins import DEMO_LOGINS


class Command(BaseCommand):
    help = "Print the demo URL and logins (used by `make demo`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options) -> None:
        width = max(len(login.username) for login in DEMO_LOGINS)
        name_width = max(len(login.full_name) for login in DEMO_LOGINS)
        lines = [
            "",
            "支部 Zhibu 演示环境 / demo",
            f"  地址 URL:      {url}",
            f"  密码 password: {settings.ZHIBU_DEMO_PASSWORD}  (所有演示账号 / every demo login)",
            "  账号 logins:",
        ]
        lines += [
            f"    {login.username.ljust(width)}  {login.full_name.ljust(name_width, '　')}  {login.role}"
            for login in DEMO_LOGINS
        ]
        lines.append("  按 Ctrl+C 停止 / press Ctrl+C to stop")
        self.stdout.write("\n".join(lines) + "\n")
