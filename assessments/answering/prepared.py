"""Statements that run on every request of a rater, prepared once instead of on each run.

Django compiles a queryset's SQL every time it runs, and PostgreSQL plans every statement it
receives; for the few statements behind each rater page and draft save, compiling and planning
cost more CPU than running them. ``CompiledLookup`` compiles a lookup once per connection;
``execute`` prepares a statement once per PostgreSQL session.
"""

import itertools
import re
import weakref
from functools import partial

from django.db import connections
from django.db.models.query import get_related_populators

_names = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")
# per Django connection (each thread has its own): {sql: (DB-API connection, weakly; name)}
_prepared = weakref.WeakKeyDictionary()


def execute(cursor, sql, params, *, connection):
    """``cursor.execute(sql, params)``; on PostgreSQL through a statement prepared once per
    database session, in the same round trip as its first run (``PREPARE``; ``EXECUTE``), then
    only executed, its plan kept (PostgreSQL plans it again if a table it reads changes).

    ``sql`` must be the same text on every run, the values all in ``params``. A session is the
    DB-API connection: after a reconnect (an error, ``CONN_MAX_AGE``) the statement is prepared
    again. Prepared statements outlive transactions, rolled back or not; a name is never
    reused, so a statement left behind by a failed first run is never prepared twice.
    """
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    statements = _prepared.setdefault(connection, {})
    session, name = statements.get(sql, (None, None))
    arguments = ", ".join(["%s"] * len(params))
    if session is not None and session() is connection.connection:
        cursor.execute(f"EXECUTE {name}({arguments})", params)
        return
    name = f"compass_{next(_names)}"
    numbers = itertools.count(1)
    body = _PLACEHOLDER.sub(lambda m: m.group() if m.group() == "%%" else f"${next(numbers)}", sql)
    cursor.execute(f"PREPARE {name} AS {body}; EXECUTE {name}({arguments})", params)
    statements[sql] = (weakref.ref(connection.connection), name)


class CompiledLookup:
    """``queryset.filter(<column>=value).order_by("pk").first()``, its SQL compiled once per
    database connection and run again with each value: for the lookups that run on every
    request of a rater (the link's rater, leader, cycle and response in one join).

    Django compiles a queryset's SQL each time it runs; for that join the compiling cost twice
    as much CPU as the rest of the lookup. The SQL of an equality on one column is the same
    whatever the value, so it is compiled with a stand-in value, and each run puts the real one
    in its place. Rows become model instances as the queryset itself builds them (Django's own
    converters and select_related populators), so the objects are the same as before.

    PostgreSQL planned the five-table join on every run as well (more of its CPU than running
    it): the statement runs through ``execute``.
    """

    _STAND_IN = "compiled-lookup-stand-in-value"

    def __init__(self, queryset, column):
        self.queryset = queryset.filter(**{column: self._STAND_IN}).order_by("pk")[:1]
        self._compiled = weakref.WeakKeyDictionary()  # per connection: each thread has its own

    def _compile(self, connection):
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiler = self.queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            select, klass_info = compiler.select, compiler.klass_info
            fields = klass_info["select_fields"]
            fetch_mode = self.queryset._fetch_mode
            compiled = {
                "sql": sql,
                "params": list(params),
                "value_at": list(params).index(self._STAND_IN),
                "converters": list(compiler.get_converters([c[0] for c in select]).items()),
                "init_list": [c[0].target.attname for c in select[fields[0] : fields[-1] + 1]],
                "columns": slice(fields[0], fields[-1] + 1),
                "from_db": partial(klass_info["model"].from_db, fetch_mode=fetch_mode),
                "related": get_related_populators(klass_info, select, connection.alias, fetch_mode),
            }
            self._compiled[connection] = compiled
        return compiled

    def first(self, value):
        connection = connections[self.queryset.db]
        compiled = self._compile(connection)
        params = list(compiled["params"])
        params[compiled["value_at"]] = value
        with connection.cursor() as cursor:
            execute(cursor, compiled["sql"], params, connection=connection)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (converters, expression) in compiled["converters"]:
            for converter in converters:
                row[position] = converter(row[position], expression, connection)
        obj = compiled["from_db"](connection.alias, compiled["init_list"], row[compiled["columns"]])
        for populator in compiled["related"]:
            populator.populate(row, obj)
        return obj
