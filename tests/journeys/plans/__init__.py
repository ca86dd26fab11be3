"""Journey plans, one module per department (``plans/<department>.py``): what the
data-driven journey suite (``tests/journeys/test_items.py``) needs to know about an item beyond
the catalogue and the case's own ``next_actions``. See ``tests/journeys/walk.py`` for the
``Plan`` fields."""
