"""Issue 20: the dossier's agency on each step record (and its history), with the (agency, step, finished_at) index
that replaces (step, finished_at): the leaders' step reports no longer join every dossier of the agency."""
import django.db.models.deletion
from django.db import migrations, models

# PostgreSQL: one joined UPDATE per table rather than a correlated subquery per row (the portable path below).
POSTGRES_BACKFILL = """
UPDATE {table} AS record SET agency_id = dossier.agency_id
FROM dossiers_dossier AS dossier
WHERE dossier.id = record.dossier_id
"""


def backfill(apps, schema_editor):
    """Copy each dossier's agency to its step records and their history (history rows of a deleted dossier keep
    none: there is nothing left to take it from, and the historical column is nullable)."""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for table in ("dossiers_steprecord", "dossiers_historicalsteprecord"):
                cursor.execute(POSTGRES_BACKFILL.format(table=table))
        return
    Dossier = apps.get_model("dossiers", "Dossier")
    agency = models.Subquery(Dossier.objects.filter(pk=models.OuterRef("dossier_id")).values("agency_id")[:1])
    for name in ("StepRecord", "HistoricalStepRecord"):
        apps.get_model("dossiers", name).objects.update(agency=agency)


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0014_dossier_channel_index"),
        ("procedures", "0007_online_enabled_payment_details"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalsteprecord",
            name="agency",
            field=models.ForeignKey(blank=True, db_constraint=False, null=True,
                                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                                    to="procedures.agency", verbose_name="cơ quan"),
        ),
        migrations.AddField(
            model_name="steprecord",
            name="agency",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="procedures.agency", verbose_name="cơ quan"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="steprecord",
            name="agency",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="procedures.agency", verbose_name="cơ quan"),
        ),
        migrations.RemoveIndex(
            model_name="steprecord",
            name="dossiers_st_step_id_84ccb6_idx",
        ),
        migrations.AddIndex(
            model_name="steprecord",
            index=models.Index(fields=["agency", "step", "finished_at"], name="steprecord_agency_step_idx"),
        ),
    ]
