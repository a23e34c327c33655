"""The web shell: headers, public allowlist, Chinese pages, configuration errors."""

import os
import secrets
import subprocess
import sys

from django.core.management import call_command


def test_home_page_headers(world, client_for):
    r = client_for(world.clerk_a).get("/")
    assert r.status_code == 200
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in r["Content-Security-Policy"]
    assert r["Cache-Control"] == "no-store"
    body = r.content.decode()
    assert '<html lang="zh-CN">' in body and "首页" in body


def test_anonymous_root_goes_to_chinese_login(db):
    from django.test import Client

    c = Client()
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    page = c.get(r["Location"])
    assert "登 录" in page.content.decode()
    assert page["X-Frame-Options"] == "DENY"


def test_admin_requires_login(db):
    from django.test import Client

    c = Client()
    r = c.get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")
    r = c.get(r["Location"])
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/admin/")


def test_404_page_is_chinese(world, client_for):
    r = client_for(world.clerk_a).get("/no-such-page/")
    assert r.status_code == 404
    assert "页面不存在" in r.content.decode()


def test_csrf_is_enforced(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    r = c.post("/login/", {"username": "clerk_a", "password": "x"})
    assert r.status_code == 403 and "页面已过期" in r.content.decode()


def test_reference_data_loaded_once(db):
    from kechuang.core.models import ChangeLog, OrgUnit, Region
    from kechuang.core.reference import load_reference_data

    assert Region.townships().count() == 27
    assert Region.resolve("溪美").name == "溪美街道"
    assert Region.resolve("雪峰开发区").name == "雪峰华侨经济开发区"
    assert Region.objects.get(name="南安市").code == "350583"
    assert OrgUnit.resolve("工信局").short_name == "市工信局"
    before = ChangeLog.objects.count()
    assert load_reference_data() == 0
    call_command("migrate", verbosity=0)
    assert ChangeLog.objects.count() == before


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = dict(os.environ, KECHUANG_PRODUCTION="1", KECHUANG_SECRET_KEY=secrets.token_urlsafe(64),
               KECHUANG_ALLOWED_HOSTS="kc.example.gov.cn", KECHUANG_VAR_DIR=str(tmp_path),
               KECHUANG_DATABASE_URL=f"sqlite:///{tmp_path}/p.sqlite3")
    r = subprocess.run([sys.executable, "-m", "kechuang.cli", "check", "--deploy", "--fail-level", "WARNING"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def _cli(env_extra, *args, tmp_path):
    env = dict(os.environ, KECHUANG_VAR_DIR=str(tmp_path), **env_extra)
    env.pop("KECHUANG_PRODUCTION", None) if "KECHUANG_PRODUCTION" not in env_extra else None
    return subprocess.run([sys.executable, "-m", "kechuang.cli", *args], env=env, capture_output=True, text=True)


def test_missing_secret_in_production_is_a_clear_error(tmp_path):
    env = {"KECHUANG_PRODUCTION": "1", "KECHUANG_ALLOWED_HOSTS": "x", "KECHUANG_SECRET_KEY": ""}
    r = _cli(env, "check", tmp_path=tmp_path)
    assert r.returncode == 2
    assert "KECHUANG_SECRET_KEY" in r.stderr and "Traceback" not in r.stderr


def test_unreachable_database_is_a_clear_error(tmp_path):
    r = _cli({"KECHUANG_DATABASE_URL": "postgres://u:p@127.0.0.1:1/none"}, "migrate", tmp_path=tmp_path)
    assert r.returncode == 2
    assert "KECHUANG_DATABASE_URL" in r.stderr and "Traceback" not in r.stderr


def test_unsupported_database_url_is_a_clear_error(tmp_path):
    r = _cli({"KECHUANG_DATABASE_URL": "mysql://u:p@h/db"}, "migrate", tmp_path=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_createsuperuser_is_refused_with_the_reason(tmp_path):
    r = _cli({"KECHUANG_DATABASE_URL": f"sqlite:///{tmp_path}/s.sqlite3"}, "createsuperuser", "--noinput",
             "--username", "root", tmp_path=tmp_path)
    assert r.returncode == 2 and "本平台不设超级用户" in r.stderr and "Traceback" not in r.stderr


def test_serve_creates_administrators_with_random_passwords_once(tmp_path):
    env = {"KECHUANG_DATABASE_URL": f"sqlite:///{tmp_path}/s.sqlite3", "KECHUANG_ADMIN_PASSWORD": ""}
    first = _cli(env, "serve", "--no-serve", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("初始密码") == 3
    passwords = [line.split("初始密码：")[1].split("（")[0] for line in first.stdout.splitlines() if "初始密码" in line]
    assert len(set(passwords)) == 3 and all(len(p) >= 12 for p in passwords)
    second = _cli(env, "serve", "--no-serve", tmp_path=tmp_path)
    assert second.returncode == 0 and "初始密码" not in second.stdout


def test_menu_shows_only_modules_the_role_has_pages_in(world, client_for):
    broker_home = client_for(world.broker_a).get("/").content.decode()
    assert "技术市场" in broker_home and "派单工作台" in broker_home
    assert "目标考核" not in broker_home and "建设中" not in broker_home
    staff_home = client_for(world.staff).get("/").content.decode()
    assert "目标考核看板" in staff_home and "成果审核" in staff_home
