"""The audit trail's one size limit, applied to every model's history.

django-simple-history keeps the "why" of a row change in a 100-character column, and PostgreSQL refuses longer
text (a 500 on the action that wrote it). Services put the user's note into the reason ("triage: <note>"), so
the reason is cut to fit, here, for every historical record of every app; the full note stays on its own row.
"""
HISTORY_REASON_LENGTH = 100


def history_reason(text: str | None) -> str | None:
    """`text` as it fits the history column: cut with an ellipsis when longer."""
    if text is None or len(text) <= HISTORY_REASON_LENGTH:
        return text
    return text[: HISTORY_REASON_LENGTH - 1] + "…"


def fit_history_reason(sender, history_instance, **kwargs) -> None:
    """pre_create_historical_record receiver: no history row is refused for a long reason."""
    history_instance.history_change_reason = history_reason(history_instance.history_change_reason)
