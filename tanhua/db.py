"""Database helpers shared by the apps."""

from django.db import connection


def insert_rows(model, rows):
    """INSERT rows (dicts of attname to database value) with one executemany.

    bulk_create runs every value through the field API, which made 100,000 cadres take most
    of a minute on SQLite; callers pass plain dates, strings, booleans and ids, which both
    drivers adapt by themselves. No signals, no ``save()``: callers keep derived columns
    (such as Cadre.unit_path) right themselves.
    """
    columns = list(rows[0])
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table),
        ", ".join(qn(model._meta.get_field(c).column) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(row[c] for c in columns) for row in rows])
