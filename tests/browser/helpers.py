"""What every journey uses: a Journey that checks each page it opens (axe, screenshot, and at
phone width the mobile rules), keyboard helpers, and links from the emails in the outbox."""

import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

SCREENSHOTS = Path(settings.BASE_DIR) / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A phone in a field office: 375 CSS pixels wide, touch.
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# Lines for the end-of-run summary: weights, timings, accessibility notes.
SUMMARY = []
AXE = Axe()
BLOCKING_IMPACTS = ("serious", "critical")
MIN_TARGET = 44  # px: the height of every control a thumb has to hit
# The axe rules whose outcome depends on the width of the page.
LAYOUT_RULES = (
    "scrollable-region-focusable",
    "target-size",
    "meta-viewport",
    "meta-viewport-large",
)

# Controls on a phone: buttons, the labels that are the questionnaire's radio buttons, form
# fields, section links and disclosure summaries. Plain links inside text are not included.
_MOBILE_CHECK = """(minTarget) => {
  const selector = 'button, .btn, .btn-check + label, .form-control, .form-select, '
    + '.page-link, summary, .navbar-toggler';
  const tooSmall = [];
  let controls = 0;
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;  // not displayed
    if (getComputedStyle(el).visibility === 'hidden') continue;
    controls += 1;
    if (box.height < minTarget) {
      const text = (el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      tooSmall.push(`<${el.tagName.toLowerCase()} class="${el.className}"> "${text}": `
        + `${box.height.toFixed(1)} px`);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    controls,
    tooSmall,
  };
}"""


class Journey:
    """One person's way through the app, in their own browser context.

    ``check(label)`` runs axe-core on the page (no serious or critical violation allowed),
    writes a screenshot, and on a phone checks the mobile rules. ``done()`` then asserts that
    every page the journey opened was checked, and that no page logged an error (a Content
    Security Policy violation shows up there).
    """

    def __init__(self, context, *, name, kind):
        self.context = context
        self.name = name
        self.phone = bool(kind.get("is_mobile"))
        self.folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.opened = set()  # the path of every document a page of this journey showed
        self.checked = set()
        self.errors = []
        self.notes = []  # moderate / minor axe findings, reported but not failing
        self.axe_runs = 0
        self.seconds = {"axe": 0.0, "screenshots": 0.0, "phone checks": 0.0}
        self.slowest = []  # (seconds, what)
        self.shots = 0
        self.page = None
        self.new_page()

    # --- pages ---------------------------------------------------------------------------

    def new_page(self):
        page = self.context.new_page()
        page.on("framenavigated", lambda frame: self._opened(page, frame))
        page.on("console", lambda message: self._console(page, message))
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        self.page = page
        return page

    def _opened(self, page, frame):
        if frame == page.main_frame and frame.url.startswith("http"):
            self.opened.add(urlsplit(frame.url).path)

    def _console(self, page, message):
        # A failed load is logged without its address: _response reports those, with it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"{page.url}: {message.text}")

    def _response(self, response):
        """Pages may answer 4xx on purpose (a form with errors is a 400); what they load with
        them (styles, scripts, background saves) must not fail. The favicon is not there: the
        app has none, and Chromium asks for it."""
        request = response.request
        if (
            response.status >= 400
            and request.resource_type != "document"
            and urlsplit(response.url).path != "/favicon.ico"
        ):
            self.errors.append(f"{response.status} for {request.resource_type} {response.url}")

    # --- checks --------------------------------------------------------------------------

    def check(self, label, *, screenshot=True, within=None, rules=None):
        """Axe, screenshot and (on a phone) the mobile rules, on the page as it is now.

        On a page already checked whole, ``within`` (a CSS selector) limits axe to the part
        that changed, and ``rules`` to the rules that depend on what changed (e.g. LAYOUT_RULES
        after a change of width)."""
        page = self.page
        page.wait_for_load_state("load")
        self.checked.add(urlsplit(page.url).path)
        if screenshot:
            started = time.monotonic()
            self.screenshot(label)
            self.seconds["screenshots"] += time.monotonic() - started
            self.slowest.append((time.monotonic() - started, f"screenshot {label}"))
        started = time.monotonic()
        self.axe(label, within, rules)
        self.seconds["axe"] += time.monotonic() - started
        self.slowest.append((time.monotonic() - started, f"axe {label}"))
        if self.phone:
            started = time.monotonic()
            assert_usable_on_phone(page, label)
            self.seconds["phone checks"] += time.monotonic() - started

    def axe(self, label, within=None, rules=None):
        options = {"resultTypes": ["violations"]}
        if rules:
            options["runOnly"] = {"type": "rule", "values": list(rules)}
        results = AXE.run(page := self.page, context=within, options=options).response
        self.axe_runs += 1
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        for violation in results["violations"]:
            if violation["impact"] not in BLOCKING_IMPACTS:
                nodes = len(violation["nodes"])
                self.notes.append(f"{label}: {violation['id']} ({violation['impact']}) × {nodes}")
        assert not blocking, f"axe on {label} ({page.url}):\n" + describe(blocking)

    def screenshot(self, label):
        self.shots += 1
        name = f"{self.shots:02d}-{re.sub(r'[^\w.-]+', '-', label)}.png"
        self.page.screenshot(path=self.folder / name, full_page=True)

    def done(self):
        unchecked = sorted(self.opened - self.checked)
        assert not unchecked, f"pages opened but not checked: {unchecked}"
        assert not self.errors, "errors in the browser console:\n" + "\n".join(self.errors)

    def summary_lines(self):
        lines = [
            f"{self.name}: {len(self.checked)} pages checked with axe ({self.axe_runs} runs), "
            f"screenshots in {self.folder.relative_to(settings.BASE_DIR)}/; "
            + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in self.seconds.items())
        ]
        lines += [
            f"  slowest: {what} {seconds:.1f} s" for seconds, what in sorted(self.slowest)[-2:]
        ]
        lines += [f"  axe note (not blocking): {note}" for note in sorted(set(self.notes))]
        return lines


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            lines.append(f"      {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def assert_usable_on_phone(page, label=""):
    """No horizontal scrolling of the page (tables and charts scroll inside their own box), and
    every control at least 44 px tall."""
    found = page.evaluate(_MOBILE_CHECK, MIN_TARGET)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{label}: the page scrolls sideways at {found['innerWidth']} px "
        f"(scrollWidth {found['scrollWidth']})"
    )
    assert not found["tooSmall"], f"{label}: controls under {MIN_TARGET} px tall:\n" + "\n".join(
        found["tooSmall"][:20]
    )
    return found


# --- keyboard --------------------------------------------------------------------------------


def focused(page):
    """A short description of the focused element: tag, type, name, id, text."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return el ? {tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
                       id: el.id || '', text: (el.innerText || el.value || '').trim()} : null;
        }"""
    )


def tab_until(page, predicate, *, limit=60, key="Tab"):
    """Press Tab until ``predicate(focused(page))`` holds; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and predicate(now):
            return now
    raise AssertionError(f"not reached with {limit} × {key}; focus is on {focused(page)}")


def focus_ring_shown(page):
    """Whether the focused radio's label (Bootstrap's .btn-check + label) draws a focus ring."""
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const label = el && el.labels && el.labels[0];
          if (!label) return false;
          const style = getComputedStyle(label);
          return style.boxShadow !== 'none' || style.outlineStyle !== 'none';
        }"""
    )


# --- forms -----------------------------------------------------------------------------------


def assert_error_announced(page, field_selector, text):
    """The field is marked invalid and its error message is tied to it by aria-describedby, so
    a screen reader reads the message with the field."""
    field = page.locator(field_selector)
    assert field.get_attribute("aria-invalid") == "true", f"{field_selector} not aria-invalid"
    described_by = (field.get_attribute("aria-describedby") or "").split()
    assert described_by, f"{field_selector} has no aria-describedby"
    messages = " ".join(page.locator(f"[id='{ref}']").inner_text() for ref in described_by)
    assert text in messages, f"{text!r} not in what {field_selector} refers to: {messages!r}"


def assert_question_error_announced(page, item, text="This needs an answer."):
    """A questionnaire item (its fieldset) refers to its error message with aria-describedby."""
    described_by = (item.get_attribute("aria-describedby") or "").split()
    assert described_by, f"{item} has no aria-describedby"
    messages = " ".join(page.locator(f"[id='{ref}']").inner_text() for ref in described_by)
    assert text in messages, messages


# The label of the first field of Django's set-password form; crispy-forms marks required
# fields with "*", and the second field's label starts with the same words.
def sign_in(one, email, password):
    """``one`` (a Journey) signs in on the sign-in page and lands on the home page."""
    page = one.page
    page.goto("/accounts/login/")
    one.check("sign in", screenshot=False)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    one.check("home", screenshot=False)


NEW_PASSWORD = re.compile(r"^\s*New password\*?\s*$")


# --- email -----------------------------------------------------------------------------------


def emails_to(address=None, subject_contains=""):
    """The emails sent so far to ``address`` (anyone when None) whose subject contains
    ``subject_contains``."""
    return [
        message
        for message in mail.outbox
        if (address is None or address in message.to) and subject_contains in message.subject
    ]


def links_in(message):
    return re.findall(r"https?://\S+", message.body)


def link_in(message, path_contains):
    """The one link in ``message`` whose path contains ``path_contains``."""
    found = [link for link in links_in(message) if path_contains in urlsplit(link).path]
    assert len(found) == 1, f"{path_contains!r} links in {message.subject!r}: {found}"
    return found[0]


# --- the questionnaire -----------------------------------------------------------------------


def section_heading(number):
    """The heading of section ``number`` of the questionnaire ("2 of 7: Partnerships")."""
    return re.compile(rf"^{number} of 7: ")


def questions(page):
    """The questionnaire items on the page: one fieldset each."""
    return page.locator("fieldset[id^='item-']")


def answer_section(page, *, pick=lambda index: "4", tap=False, only=None):
    """Answer the unanswered items of the section on the page by clicking (or tapping) their
    labels, which is what Bootstrap's button-style radios show. ``pick(index)`` gives the value
    ("1"–"5" or "na", None to leave the item unanswered); ``only`` limits it to the first n
    answers."""
    answered = 0
    for index, item in enumerate(questions(page).all()):
        if only is not None and answered >= only:
            break
        value = pick(index)
        if value is None or item.locator("input:checked").count():
            continue
        label = item.locator(f"label[for$='-{value}']")
        # The page is settled (no animation): skipping Playwright's waits for stability keeps
        # a hundred answers quick; the click or tap itself is a real input event.
        label.tap(force=True) if tap else label.click(force=True)
        answered += 1
    return answered


def checked_values(page):
    """{item id: checked value or None} for the section on the page."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("fieldset[id^='item-']")].map(
             f => [f.id, (f.querySelector('input:checked') || {}).value || null]))"""
    )
