"""Database helpers shared by the apps."""

from django.db import connection


def insert_rows(model, rows):
    """Insert rows (dicts of attname to database value): COPY on PostgreSQL, else executemany.

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
        if connection.vendor == "postgresql":
            # COPY is several times faster than even pipelined INSERTs on PostgreSQL.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                qn(model._meta.db_table), ", ".join(qn(model._meta.get_field(c).column) for c in columns)
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(tuple(row[c] for c in columns))
        else:
            cursor.executemany(sql, [tuple(row[c] for c in columns) for row in rows])
