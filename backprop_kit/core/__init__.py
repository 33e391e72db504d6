"""The scalar core, pure Python (no numpy or matplotlib): the table of gates, the ``Value``
engine, graph utilities, numerics, staged programs, formula parsing and the autodiff switch."""
