"""Reports over a period: the monthly report of 001 §4.2 (monthly.py),
its renderings (render.py)."""
