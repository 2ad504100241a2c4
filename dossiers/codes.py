"""Numbers and tokens handed to citizens: one implementation, used by `dossiers` and by `satisfaction` (which sits
above `dossiers`, so it imports from here without a cycle).

- A **counter** row per key (agency and day, agency and year, day) locked with `select_for_update` for the rest of
  the calling transaction: concurrent callers never share a value; a rolled-back transaction may leave a gap.
- A **daily code** `<prefix><NNNN>` from such a counter, healing itself when the proposed code is already taken.
- A **token**: random, unguessable and URL-safe (docs/ARCHITECTURE.md, "Identifiers").
"""
import secrets

from django.db import models

TOKEN_BYTES = 9  # 72 random bits, 12 URL-safe characters: a small QR (version <= 4) still fits the URL


def new_token(nbytes: int = TOKEN_BYTES) -> str:
    return secrets.token_urlsafe(nbytes)


def locked_counter(counter_model: type[models.Model], **key) -> models.Model:
    """The counter row for `key`, created if missing and locked for the rest of the calling transaction."""
    counter_model.objects.bulk_create([counter_model(**key)], ignore_conflicts=True)
    return counter_model.objects.select_for_update().get(**key)


def next_value(counter_model: type[models.Model], **key) -> int:
    counter = locked_counter(counter_model, **key)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value


def allocate_code(counter_model: type[models.Model], *, prefix: str, coded: models.QuerySet, **key) -> str:
    """`<prefix><NNNN>` from the counter row for `key`, unique among the `code`s of `coded` (the table it names).

    Rows written without the counter (a legacy import, a restored backup, a bulk seed) may already hold the next
    code. Then the sequence continues after the highest one taken with this prefix, inside the same lock, so the
    counter heals itself instead of proposing the same taken code to every later caller. The unique index on
    `code` keeps the check cheap."""
    counter = locked_counter(counter_model, **key)
    counter.last_value += 1
    if coded.filter(code=f"{prefix}{counter.last_value:04d}").exists():
        counter.last_value = highest_sequence(coded, prefix) + 1
    counter.save(update_fields=["last_value"])
    return f"{prefix}{counter.last_value:04d}"


def highest_sequence(coded: models.QuerySet, prefix: str) -> int:
    """The largest sequence among codes that start with `prefix` (any width: 9999 is not the end)."""
    suffixes = (code.removeprefix(prefix) for code in
                coded.filter(code__startswith=prefix).values_list("code", flat=True).iterator())
    return max((int(suffix) for suffix in suffixes if suffix.isascii() and suffix.isdigit()), default=0)
