"""The workshop dashboard: a Mesa SolaraViz page a facilitator runs on a projector, offline.

Modules:

* :mod:`~pe_sim.dashboard.captions` - the plain-language text (no Solara needed);
* :mod:`~pe_sim.dashboard.session` - :class:`Workshop`, the Mesa model the page drives: one or two
  :class:`~pe_sim.model.TeamModel` setups stepping together, with live practice changes and events;
* :mod:`~pe_sim.dashboard.figures` - the live matplotlib plots and the team view;
* :mod:`~pe_sim.dashboard.app` - the Solara page (imports Solara and Mesa's visualization);
* :mod:`~pe_sim.dashboard.server` - offline settings and the in-process server behind `pe-sim dashboard`.

Importing this package does not import Solara.
"""
