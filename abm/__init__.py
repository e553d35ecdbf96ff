"""A Mesa capacity model of shelters, schools and clinics for new arrivals.

Input is an *arrivals frame* (see ``docs/architecture.md``); ``abm`` never
imports ``forecast``.
"""

__version__ = "0.1.0"
