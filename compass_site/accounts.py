"""Sign-in helpers: the account name django-axes counts failures against."""


def normalised_username(request, credentials=None):
    """The account a sign-in attempt is for, spelled one way: failures with ``Ana@X.org`` and
    `` ana@x.org `` count against the same account (email sign-in ignores case)."""
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "") if request is not None else ""
    return (username or "").strip().lower()
