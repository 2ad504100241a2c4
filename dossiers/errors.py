"""Domain errors of the dossier lifecycle: each carries a translated message fit to show a clerk."""


class DossierActionError(Exception):
    """The action is not allowed now (wrong state, stale screen, invalid input); nothing was changed."""

    def __init__(self, message, *, field: str = ""):
        super().__init__(str(message))
        self.message = message
        # The action form's field the error is about, so the page shows it beside that field ("" for the form).
        self.field = field


class DossierPermissionError(DossierActionError):
    """The actor has no role or no jurisdiction for this action on this dossier."""
