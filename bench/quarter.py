"""The quarter the benchmark loads, and the day it is loaded (kept apart: no heavy imports)."""

from __future__ import annotations

import datetime as dt

from reference.periods import Period

PERIOD = Period(2025, 3)
TODAY = dt.date(2025, 10, 15)  # a realistic delivery day: two weeks after the quarter
