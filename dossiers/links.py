"""Absolute public links printed on paper (QR codes): built from SITE_URL, never from the request,
so a receipt printed behind a proxy still points at the public address."""
from django.conf import settings


def tracking_path(token: str) -> str:
    return f"/t/{token}/"


def tracking_url(token: str) -> str:
    """What the Mẫu 01 QR encodes: short enough for a version <= 4 QR at error correction M."""
    return settings.SITE_URL + tracking_path(token)


def rating_url(token: str) -> str:
    """The rating page of a dossier (the smaller QR beside the tracking one)."""
    return settings.SITE_URL + tracking_path(token) + "danh-gia/"


def verification_url(verification_token: str) -> str:
    """The public page that confirms a result document is genuine."""
    return settings.SITE_URL + f"/xac-thuc/{verification_token}/"


def official_rating_url(official_pk: int) -> str:
    """The placard QR: rate an official without a dossier."""
    return settings.SITE_URL + f"/can-bo/{official_pk}/danh-gia/"
