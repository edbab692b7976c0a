"""gunicorn entry for bench/admin_usage.py: the production config on the bench's database.

`create_app` refuses any SECRET_KEY taken from the environment (DevelopmentConfig.SECRET_KEY reads
the same variable, so the two compare equal; reported to the lead). ENV = "development" skips only
that check; everything else is ProductionConfig.
"""
from franko import create_app
from franko.config import ProductionConfig


class BenchConfig(ProductionConfig):
    ENV = "development"


app = create_app(BenchConfig)
