"""The planning pipeline that composes ``forecast`` and ``abm`` (which never import
each other): :func:`planner.pipeline.run_plan` on a :class:`planner.pipeline.PlanSpec`.
Used by the app (``app_pages/services.py`` caches its stages) and by the command line
``planner plan``."""
