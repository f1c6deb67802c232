"""A run's rows in parts, each turned into features by the same function, in this process or in
worker processes (`part.py` is the unit; `workers.py` runs the units)."""
