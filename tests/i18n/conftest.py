from tests.referrals.support import celery_eager, fast_password_hashing  # noqa: F401 - fixtures
