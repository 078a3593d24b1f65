"""Personal rater links.

A rater's link is stable for the whole cycle: invitations, reminders and resends carry the same
one, so a questionnaire open in a browser keeps working. It is derived, not stored:

    token = HMAC-SHA256(RATER_LINK_KEY, rater.link_secret)   (urlsafe base64, 43 characters)

``link_secret`` is 256 random bits kept on the rater; ``token_hash`` is the SHA-256 of the
token, the one indexed column a link is looked up by. Someone who reads the database alone has
the secret and the hash but not the key, so can build no working link; the server can rebuild
the link for every email. Replacing or removing a rater (a new row) or ``revoke_token`` retires
a link.

Rotating ``RATER_LINK_KEY`` changes every link. The next email to a rater carries the new one,
and the link it replaces keeps working (``previous_token_hash``) until the rater is sent a link
once more under yet another key: one rotation never strands a rater mid-questionnaire. Links
issued before links were derived (random tokens) are carried over the same way.
"""

import base64
import hashlib
import hmac
import itertools
import re
import secrets
import weakref
from functools import partial

from django.conf import settings
from django.db import connections
from django.db.models.query import get_related_populators
from django.urls import reverse

SECRET_BYTES = 32


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(secret):
    digest = hmac.new(settings.RATER_LINK_KEY.encode(), secret.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(rater):
    """``rater``'s link token, the same every time it is asked for (for the same key).

    Gives the rater a secret the first time; writes only when something changed."""
    changed = []
    if not rater.link_secret:
        rater.link_secret = secrets.token_urlsafe(SECRET_BYTES)
        changed.append("link_secret")
    token = _derive(rater.link_secret)
    token_hash = hash_token(token)
    if rater.token_hash != token_hash:
        if rater.token_hash:
            # Issued under an earlier key (or before links were derived): keep it working.
            rater.previous_token_hash = rater.token_hash
            changed.append("previous_token_hash")
        rater.token_hash = token_hash
        changed.append("token_hash")
    if changed:
        rater.save(update_fields=changed)
    return token


def revoke_token(rater):
    rater.link_secret = ""
    rater.token_hash = None
    rater.previous_token_hash = None
    rater.code_hash = None
    rater.save(update_fields=["link_secret", "token_hash", "previous_token_hash", "code_hash"])


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
    it), so there the statement is prepared once per database session, in the same round trip
    as its first run (``PREPARE``; ``EXECUTE``), and then only executed. A session is the
    DB-API connection: a new one (Django reconnects after an error or ``CONN_MAX_AGE``) prepares
    again. Prepared statements outlive transactions, rolled back or not; a name is never
    reused, so a statement left behind by a failed first run is never prepared twice.
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
                "prepare": connection.vendor == "postgresql",
                "prepared": (None, None),  # (the DB-API connection, weakly; statement name)
            }
            self._compiled[connection] = compiled
        return compiled

    def first(self, value):
        connection = connections[self.queryset.db]
        compiled = self._compile(connection)
        params = list(compiled["params"])
        params[compiled["value_at"]] = value
        with connection.cursor() as cursor:  # connects (or reconnects) first
            sql, prepared = _statement(connection, compiled, params)
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if prepared is not None:
            compiled["prepared"] = prepared
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


_statement_names = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")


def _statement(connection, compiled, params):
    """(SQL to run with ``params``, what to remember once it ran): the compiled SQL itself, or
    on PostgreSQL the prepared statement's EXECUTE, preceded by its PREPARE in a new session."""
    if not compiled["prepare"]:
        return compiled["sql"], None
    session, name = compiled["prepared"]
    execute = f"EXECUTE {{name}}({', '.join(['%s'] * len(params))})"
    if session is not None and session() is connection.connection:
        return execute.format(name=name), None
    name = f"compass_lookup_{next(_statement_names)}"
    numbers = itertools.count(1)
    body = _PLACEHOLDER.sub(
        lambda m: m.group() if m.group() == "%%" else f"${next(numbers)}", compiled["sql"]
    )
    prepared = (weakref.ref(connection.connection), name)
    return f"PREPARE {name} AS {body}; {execute.format(name=name)}", prepared


class RaterLookup:
    """The rater whose link a token is, through ``queryset`` (which says what comes with them):
    one indexed query on the token's hash, a second one on the previous link's hash only when
    the first finds nothing."""

    def __init__(self, queryset):
        self.current = CompiledLookup(queryset, "token_hash")
        self.previous = CompiledLookup(queryset, "previous_token_hash")

    def find(self, token):
        if not token or len(token) > 100:
            return None
        token_hash = hash_token(token)
        rater = self.current.first(token_hash)
        if rater is None:
            rater = self.previous.first(token_hash)
        return rater


def find_rater(token, queryset):
    """The rater whose link this is, or None (``RaterLookup``, for a lookup made once)."""
    return RaterLookup(queryset).find(token)


def absolute(path):
    """A path of the site as the absolute link emails and cards carry."""
    return f"{settings.SITE_URL}{path}"


def rater_link(token):
    return f"{settings.SITE_URL}{reverse('rater:start', args=[token])}"


# --- short codes (raters without email) --------------------------------------------------
#
# A rater without email gets a printed card; besides the link and its QR code, the card carries
# a short code to type at /r/. It is derived like the link (HMAC of the rater's secret under the
# server key, with another label) and only its SHA-256 is stored (``code_hash``).
#
# 12 characters of Crockford's base-32 alphabet (no I, L, O, U) = 60 bits. The form at /r/ takes
# at most RATER_LINK_ATTEMPTS wrong codes or links per RATER_LINK_WINDOW per client address and
# does not even look a code up beyond that, so with the defaults (20 per 15 minutes) one address
# tries 1,920 codes a day. Against N live codes, one guess succeeds with probability N / 2^60:
# with N = 100,000 cards, an attacker needs 2^60 / 100,000 ≈ 1.15 × 10^13 guesses on average,
# about 6 × 10^9 days (16 million years) from one address (README, "Raters without email").

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
CODE_GROUP = 4
# What people type for what they see: Crockford's reading of ambiguous characters.
_CODE_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def _derive_code(secret):
    digest = hmac.new(
        settings.RATER_LINK_KEY.encode(), f"short-code\0{secret}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * CODE_LENGTH)
    chars = []
    for _position in range(CODE_LENGTH):
        chars.append(CODE_ALPHABET[number & 31])
        number >>= 5
    return "".join(reversed(chars))


def format_code(code):
    """``ABCD-EFGH-JKMN``: groups of four are easier to read out and type."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalize_code(typed):
    """The code someone typed, as it was issued: case, spaces and dashes do not matter, and
    O/I/L read as 0/1/1. None when it cannot be a code."""
    code = "".join((typed or "").upper().split()).replace("-", "").translate(_CODE_READS_AS)
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def issue_code(rater):
    """``rater``'s short code (formatted), the same every time for the same key; stores its
    hash. Gives the rater a link first when they have none."""
    issue_token(rater)
    code = _derive_code(rater.link_secret)
    code_hash = hash_token(code)
    if rater.code_hash != code_hash:
        rater.code_hash = code_hash
        rater.save(update_fields=["code_hash"])
    return format_code(code)


def find_rater_by_code(typed, queryset):
    """The rater whose card carries this code, or None. A rater whose link was retired
    (replaced, erased, revoked) is not found."""
    code = normalize_code(typed)
    if code is None:
        return None
    return queryset.filter(code_hash=hash_token(code), token_hash__isnull=False).first()
