"""The portal's one time zone. Deadlines, days of a report and printed dates are read in Vietnam time."""
from zoneinfo import ZoneInfo

# The same zone as settings.TIME_ZONE; a named constant so code that reads "Vietnam time" says so.
VN = ZoneInfo("Asia/Ho_Chi_Minh")
