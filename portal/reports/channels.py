"""Dossiers received by channel (counter, online, postal) and the online share (issue 16): the figure the cities
report for "dịch vụ công trực tuyến".

One aggregate query, read-only, on the dossier table (as the rest of `portal.reports`, docs/ARCHITECTURE.md): for
one agency a row per procedure with the agency's total; for the whole city a row per agency.
"""
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dossiers.models import Channel, Dossier, State
from procedures.models import Agency

from .periods import Period, rate
from .tables import Column, Table


def channel_table(*, agency: Agency | None, period: Period, slug: str = "kenh-nop") -> Table:
    """Dossiers received in `period` (refusals at reception excluded: they were not received) by channel."""
    dossiers = Dossier.objects.order_by().filter(period.q("received_at")).exclude(state=State.REFUSED)
    if agency is not None:
        dossiers = dossiers.filter(agency=agency)
        key, label = ("procedure__code", "procedure__name"), _("Thủ tục")
    else:
        key, label = ("agency__code", "agency__name"), _("Cơ quan")
    counts = {channel: Count("pk", filter=Q(channel=channel)) for channel in Channel.values}
    rows = []
    totals = dict.fromkeys(Channel.values, 0)
    for row in dossiers.values(*key).annotate(**counts).order_by(key[1], key[0]):
        figures = [row[channel] for channel in Channel.values]
        for channel in Channel.values:
            totals[channel] += row[channel]
        rows.append([f"{row[key[1]]} ({row[key[0]]})", *figures, sum(figures), rate(row[Channel.ONLINE], sum(figures))])
    columns = [Column("name", label, width=50)]
    columns += [Column(channel, str(title), "int") for channel, title in Channel.choices]
    columns += [Column("total", _("Tổng số"), "int"), Column("online_share", _("Tỷ lệ trực tuyến"), "rate")]
    total = [_("Tổng cộng"), *totals.values(), sum(totals.values()), rate(totals[Channel.ONLINE], sum(totals.values()))]
    return Table(slug=slug, title=_("Hồ sơ tiếp nhận theo kênh nộp"), columns=columns, rows=rows,
                 total=total if rows else None,
                 note=_("Tỷ lệ trực tuyến: số hồ sơ nộp trực tuyến trên tổng số hồ sơ tiếp nhận trong kỳ."))
