"""The WSGI entry point for production: `gunicorn dashboard.wsgi:server`.

Production never runs in demo mode: there are no default accounts, and $MONITOR_DEMO is refused.
Create the first beheerder with `python -m accounts add NAAM --role beheerder`.
"""

from config.errors import ConfigurationError
from dashboard.app import create_app
from dashboard.security import DEMO_ENV, Settings

settings = Settings.from_environment()
if settings.demo:
    raise ConfigurationError(f"{DEMO_ENV} is alleen voor `make run`; zet het uit voor een productieserver.")
app = create_app(settings)
server = app.server
