"""Domain errors of the online channel: a translated message fit to show the citizen or the clerk."""
from dossiers.errors import DossierActionError


class SubmissionError(DossierActionError):
    """The online action is not allowed now (wrong state, bad input, a limit reached); nothing was written."""
