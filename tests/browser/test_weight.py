"""What a phone on a slow connection downloads to open the questionnaire the first time.

Measured as production serves it: static files collected with whitenoise's compressed manifest
storage and served by whitenoise (gzip, as the browser asks), the page itself by Django. The
figure is what went over the wire: Chromium's own count of the bytes received (headers and
bodies) for every request of the page, with an empty cache.
"""

from django.urls import reverse

from assessments.answering.tokens import issue_token
from assessments.models import RaterGroup

from . import offscreen
from .helpers import PHONE, SUMMARY

BUDGET = 300 * 1024
LEADER = ("lucia.ortega@iom.example.org", "Lucía Ortega", "Heads of Teams", "", "Kenya", "")


def test_the_questionnaire_weighs_under_300_kb_on_first_load(browser, production_server, hr_admin):
    # Off-screen: an open cycle, and a partner with a link.
    cycle = offscreen.open_cycle(hr_admin, [LEADER])
    leader = offscreen.participant(cycle, LEADER[0])
    partner = ("Amina Diallo", "amina.diallo@partner.example.net", "partner")
    offscreen.nominate(leader, [partner], send=False)
    token = issue_token(leader.raters.get(group=RaterGroup.PARTNER))
    url = production_server + reverse("rater:section", args=[token, 1])

    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        requests = watch_network(context, page)
        page.goto(url, wait_until="networkidle")
        assert page.locator("fieldset[id^='item-']").count() > 10
    finally:
        context.close()

    loaded = [r for r in requests.values() if "wire" in r]
    wire = sum(r["wire"] for r in loaded)
    decoded = sum(r.get("decoded", 0) for r in loaded)
    kinds = {}
    for r in loaded:
        kinds[r["type"]] = kinds.get(r["type"], 0) + r["wire"]
    breakdown = ", ".join(f"{kind} {size / 1024:.0f} KB" for kind, size in sorted(kinds.items()))
    SUMMARY.append(
        f"questionnaire first load (section 1, phone, whitenoise + gzip): {wire / 1024:.0f} KB "
        f"over {len(loaded)} requests ({breakdown}; {decoded / 1024:.0f} KB uncompressed)"
    )
    for r in loaded:
        SUMMARY.append(
            f"  {r['status']} {r['wire'] / 1024:6.1f} KB {r.get('encoding') or 'identity':8} "
            f"{r['url'].removeprefix(production_server).replace(token, '<token>')}"
        )

    static = [r for r in loaded if r["type"] in ("Stylesheet", "Script")]
    assert len(static) >= 3, loaded  # Bootstrap's CSS and JS, htmx, the app's CSS
    for r in static:
        assert r["status"] == 200, r
        assert r.get("encoding") in ("gzip", "br"), f"not compressed: {r}"
    assert wire < BUDGET, f"{wire / 1024:.0f} KB on first load, over the {BUDGET // 1024} KB budget"


def watch_network(context, page):
    """{request id: url, type, status, encoding, wire bytes, decoded bytes}, from Chromium's
    DevTools protocol: ``encodedDataLength`` counts what came over the network."""
    requests = {}
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def entry(event):
        return requests.setdefault(event["requestId"], {})

    def response(event):
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        entry(event).update(
            url=event["response"]["url"],
            type=event.get("type", "Other"),
            status=event["response"]["status"],
            encoding=headers.get("content-encoding"),
        )

    def data(event):
        found = entry(event)
        found["decoded"] = found.get("decoded", 0) + event["dataLength"]

    def finished(event):
        entry(event)["wire"] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", response)
    cdp.on("Network.dataReceived", data)
    cdp.on("Network.loadingFinished", finished)
    return requests
