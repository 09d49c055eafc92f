"""The few errors that stop the monitor, whose messages say what to do next."""


class MonitorError(Exception):
    """Cannot continue; the message (Dutch) says what to do next."""


class ConfigurationError(MonitorError, ValueError):
    """A deployment setting (database URL, region file, a MONITOR_* variable) is wrong."""
