"""The workshop dashboard: a Solara page over a Mesa model that a facilitator runs on a projector, offline.

Modules:

* :mod:`~pe_sim.dashboard.captions` - the plain-language text (no Solara needed);
* :mod:`~pe_sim.dashboard.session` - :class:`Workshop`, the Mesa model the page drives: one or two
  :class:`~pe_sim.model.TeamModel` setups stepping together, with live practice changes and events;
  :class:`Room`, the session at server level (play loop, pause, the band of 100 runs) that every tab
  and every reload attaches to;
* :mod:`~pe_sim.dashboard.figures` - the live plots (small SVG charts) and the team view;
* :mod:`~pe_sim.dashboard.app` - the Solara page (imports Solara);
* :mod:`~pe_sim.dashboard.server` - offline settings and the in-process server behind `pe-sim dashboard`.

Importing this package does not import Solara.
"""
