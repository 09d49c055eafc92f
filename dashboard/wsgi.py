"""The WSGI entry point for production: `gunicorn dashboard.wsgi:server`.

Production never runs in demo mode: there are no default accounts, $MONITOR_DEMO is refused, and
so is a database with active demo accounts (from `make run`). The sign-in throttle needs
$MONITOR_RATELIMIT_STORAGE (Redis, shared by the workers); `memory://` is accepted with a warning.
Create the first beheerder with `python -m accounts add NAAM --role beheerder`.
"""

from accounts.demo import active_demo_accounts
from config.errors import ConfigurationError
from dashboard import data, logs, throttle
from dashboard.app import create_app
from dashboard.security import DEMO_ENV, Settings
from dashboard.warm import warm_up


def check_production(settings: Settings, storage_set: bool) -> None:
    """Refuse what production must not run with (demo mode, demo accounts, no throttle storage)."""
    if settings.demo:
        raise ConfigurationError(f"{DEMO_ENV} is alleen voor `make run`; zet het uit voor een productieserver.")
    if names := active_demo_accounts(data.engine()):
        raise ConfigurationError(
            f"Deze database heeft actieve demo-accounts ({', '.join(names)}); een productieserver start daar niet "
            "mee. Schakel ze uit met `python -m accounts disable-demo` (of `python -m accounts disable NAAM` "
            "voor elk) en start de server opnieuw."
        )
    if not storage_set:
        raise ConfigurationError(
            f"{throttle.STORAGE_ENV} is niet gezet: de rem op mislukte aanmeldingen per adres moet zijn tellingen "
            "delen tussen de workers. Zet het op Redis, bijvoorbeeld 'redis://127.0.0.1:6379/0' "
            "(of bewust op 'memory://': dan telt elke worker apart)."
        )


settings = Settings.from_environment()
logs.configure()
try:
    check_production(settings, storage_set=bool(throttle.configured_storage()))
except ConfigurationError as refusal:
    logs.log.critical("refused start why=%s", logs.quoted(refusal))
    raise
app = create_app(settings)
server = app.server
warm_up(app)  # each worker imports this module before it serves: its first visitor does not pay the start
if settings.ratelimit_storage == throttle.MEMORY:
    logs.log.warning('throttle storage=memory:// why="each worker counts failed sign-ins on its own"')
elif not throttle.reachable(server):
    logs.log.warning('throttle storage=unreachable why="counting in each worker\'s memory until it answers"')
