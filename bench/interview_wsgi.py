"""gunicorn entry for bench/interview_roundtrip.py: the production config on the bench's database.

`franko.create_app` refuses a SECRET_KEY equal to DevelopmentConfig's, and DevelopmentConfig reads
SECRET_KEY from the environment too, so any key set in the environment is refused (reported to the
lead). ENV = "development" skips only that check; everything else is ProductionConfig.
"""
from franko import create_app
from franko.config import ProductionConfig


class BenchConfig(ProductionConfig):
    ENV = "development"


app = create_app(BenchConfig)
