"""`manage.py check --deploy` with production environment values reports nothing we have not decided on."""
import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "production-like-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "support.example.com",
    "DJANGO_SETTINGS_MODULE": "support.settings.base",
}


def run_manage(*args, env_overrides):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process; a deployment never has it.
    dropped = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def test_deploy_check_is_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    env.pop("SECRET_KEY")
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
