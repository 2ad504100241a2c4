"""Domain errors of ratings and feedback: each carries a translated message fit to show the person acting."""


class SatisfactionError(Exception):
    """The action is not allowed now; nothing was changed."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotFound(SatisfactionError):
    """The dossier, official or report does not exist (or is not public)."""


class RatingNotOpen(SatisfactionError):
    """The dossier is not finished yet: no rating before the outcome."""


class AlreadyRated(SatisfactionError):
    """The dossier has its rating already; `rating` is the recorded one."""

    def __init__(self, message, rating):
        super().__init__(message)
        self.rating = rating


class RatingLimitReached(SatisfactionError):
    """This device already rated this official today."""


class FeedbackActionError(SatisfactionError):
    """The feedback cannot make this move (wrong state, missing answer…)."""


class FeedbackPermissionError(FeedbackActionError):
    """The actor may not handle this report."""
