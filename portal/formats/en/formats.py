# English pages keep the Vietnamese date order (dd/mm/yyyy); only number separators change.
from portal.formats.vi.formats import *  # noqa: F401,F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
