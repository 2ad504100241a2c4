"""The backup procedure of deploy/README.md, run for real: `pg_dump -Fc` of the database, `pg_restore` into a fresh
database, and every dossier is there with its history (simple-history rows, events, step records) and its audit
chain still verifies. The restored database has a name of its own and is dropped afterwards."""
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.dossiers.conftest import *  # noqa: F403 (agency, clerk, specialist, leader, procedure, build_dossier)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# What "a dossier with its history" is, as one row per dossier, read the same way from both databases.
PER_DOSSIER = """
SELECT d.id, d.code, d.state, d.tracking_token,
       (SELECT count(*) FROM dossiers_historicaldossier h WHERE h.id = d.id),
       (SELECT count(*) FROM dossiers_dossierevent e WHERE e.dossier_id = d.id),
       (SELECT string_agg(e.chain_hash, ',' ORDER BY e.id) FROM dossiers_dossierevent e WHERE e.dossier_id = d.id),
       (SELECT count(*) FROM dossiers_steprecord s WHERE s.dossier_id = d.id),
       (SELECT count(*) FROM dossiers_historicalsteprecord hs
         WHERE hs.dossier_id = d.id)
FROM dossiers_dossier d ORDER BY d.id
"""


def conninfo(dbname: str) -> dict:
    db = connection.settings_dict
    info = {"host": db["HOST"] or "127.0.0.1", "port": str(db["PORT"] or 5432), "user": db["USER"], "dbname": dbname}
    if db.get("PASSWORD"):
        info["password"] = db["PASSWORD"]
    return info


def libpq_env(info: dict) -> dict:
    env = {"PGHOST": info["host"], "PGPORT": info["port"], "PGUSER": info["user"], "PATH": "/usr/bin:/bin"}
    if "password" in info:
        env["PGPASSWORD"] = info["password"]
    return env


def rows(dbname: str) -> list[tuple]:
    with psycopg.connect(**conninfo(dbname)) as conn:
        return conn.execute(PER_DOSSIER).fetchall()


def admin_sql(sql: str) -> None:
    with psycopg.connect(**conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"
    try:
        yield name
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restores_every_dossier_with_its_history(build_dossier, restored_name, tmp_path):
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed (Debian's postgresql-client)")
    for state in ("returned", "supplement_requested", "withdrawn", "refused", "in_progress"):
        build_dossier(state)
    source = connection.settings_dict["NAME"]
    before = rows(source)
    assert len(before) == 5 and all(row[4] >= 1 and row[5] >= 1 for row in before)

    dump = tmp_path / "motcua.dump"
    env = libpq_env(conninfo(source))
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), source], env=env, check=True,
                   timeout=300)
    admin_sql(f'CREATE DATABASE "{restored_name}"')
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_name, str(dump)], env=env,
                   check=True, timeout=300)

    assert rows(restored_name) == before
    # The restored audit chain verifies (manage.py verify_audit, as an auditor would run it on the restored copy).
    info = conninfo(restored_name)
    url = f"postgres://{info['user']}@{info['host']}:{info['port']}/{restored_name}"
    check = subprocess.run([sys.executable, "manage.py", "verify_audit"], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, **env, "DATABASE_URL": url, "REDIS_URL": ""}, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
