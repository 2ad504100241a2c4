"""Reports: the public statistics and the leaders' dashboard (moved from portal/stats.py)."""
