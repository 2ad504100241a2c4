"""Signing in through the real login page, with the second factor that leaders and agency admins need."""
import re

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def enrolled(official):
    """An official whose authenticator is already set up (leaders must sign in with two factors)."""
    TOTPDevice.objects.create(user=official.user, name="authenticator", confirmed=True)
    return official


def log_in(page, base, username):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:  # the second step of portal/two_factor.py
        page.wait_for_url(re.compile(r"/accounts/"))
        page.get_by_label("Mã xác thực").fill(f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}")
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(base + "/ho-so/")
