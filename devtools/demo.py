"""Believable demo data for `make run`. Idempotent: running it twice changes nothing.

Everything is built through the project's own rules (enrolment, nominations, opening, invitations,
draft saves, submissions, declines, closing, releasing), so the demo exercises them. Only the
timestamps are moved afterwards, so that a cycle opened "a week ago" looks like it.

Two cycles, recognised by name:

- an **open** cycle (the current cohort): two dozen leaders over the four levels, raters in every
  group and in every state: submitted, draft, declined, invited, and some not invited yet because
  their leader has not sent the nominations;
- a **released** cycle (last year's cohort) with complete answers for the reports, including one
  leader whose direct reports stay below the anonymity threshold; the demo leader's action plan
  on it (two focus areas, the ones her report suggests) and her **progress pulse** of four
  months later, released (issue 19).

Emails go to Django's in-memory backend and are thrown away; background tasks run at once.
"""

import datetime
import logging
import random
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.answering import invitations, nominations, responses, tokens
from assessments.answering.questionnaire import (
    NOT_OBSERVED,
    Section,
    build_questionnaire,
    questionnaire_for,
)
from assessments.models import (
    HR_ADMINS_GROUP,
    AuditEvent,
    Comment,
    Cycle,
    Participant,
    Rater,
    RaterGroup,
    Response,
    User,
)
from assessments.plans import action_plans
from assessments.reporting import reports
from assessments.running import cycles, pulses
from compass.models import Level

DEMO_PASSWORD = "compass-demo"  # noqa: S105 (published demo sign-in)

DEMO_PEOPLE = [
    ("hr@demo.example.org", "Hana Rahimi", "HR admin"),
    ("leader@demo.example.org", "Lucía Ortega", "Leader"),
    ("supervisor@demo.example.org", "Samuel Okoro", "Supervisor"),
]
HR_EMAIL, LEADER_EMAIL, SUPERVISOR_EMAIL = (email for email, _name, _role in DEMO_PEOPLE)
HR, LEADER, SUPERVISOR_KEY = "hr", "lucia", "samuel"  # their keys in PEOPLE below

OPEN_CYCLE_NAME = "Leadership 360 — 2026 cohort B"
RELEASED_CYCLE_NAME = "Leadership 360 — 2025 cohort A"
STAFF_DOMAIN = "demo.example.org"
SEED = 2026

SELF = RaterGroup.SELF
SUPERVISOR = RaterGroup.SUPERVISOR
PEER = RaterGroup.PEER
DIRECT_REPORT = RaterGroup.DIRECT_REPORT
PARTNER = RaterGroup.PARTNER

HT, COM, DIR, EXO = "heads-of-teams", "chiefs-of-mission", "directors", "executive-office"

G = Participant.Gender

# --- The demo organisation ------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    gender: str = ""
    email: str = ""


def staff_email(name, domain=STAFF_DOMAIN):
    """``Lucía Ortega`` → ``lucia.ortega@demo.example.org``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    local = ".".join(ascii_name.lower().replace("'", "").split())
    return f"{local}@{domain}"


# Leaders and supervisors; the three demo sign-ins keep their published addresses.
PEOPLE = {
    HR: Person("Hana Rahimi", G.WOMAN, HR_EMAIL),
    LEADER: Person("Lucía Ortega", G.WOMAN, LEADER_EMAIL),
    SUPERVISOR_KEY: Person("Samuel Okoro", G.MAN, SUPERVISOR_EMAIL),
    "amina": Person("Amina Diallo", G.WOMAN),
    "hiroshi": Person("Hiroshi Tanaka", ""),
    "ingrid": Person("Ingrid Johansson", G.WOMAN),
    "rafael": Person("Rafael Mendoza", G.MAN),
    "priya": Person("Priya Raman", G.WOMAN),
    "omar": Person("Omar Haddad", G.MAN),
    "nomvula": Person("Nomvula Dlamini", G.WOMAN),
    "fatima": Person("Fatima Zahra Benali", G.WOMAN),
    "chen": Person("Chen Wei", G.UNDISCLOSED),
    "aigerim": Person("Aigerim Seitkali", G.WOMAN),
    "mateus": Person("Mateus Carvalho", G.MAN),
    "layla": Person("Layla Al-Mansouri", G.WOMAN),
    "kwame": Person("Kwame Asante", G.MAN),
    "grace": Person("Grace Wanjiru", G.WOMAN),
    "tomas": Person("Tomás Herrera", ""),
    "joseph": Person("Joseph Lado Deng", G.MAN),
    "elena": Person("Elena Popescu", G.WOMAN),
    "tanvir": Person("Tanvir Rahman", G.MAN),
    "nusrat": Person("Nusrat Jahan", G.WOMAN),
    "maria": Person("Maria Santos", G.WOMAN),
    "alex": Person("Alex Moreau", G.ANOTHER),
    "dawit": Person("Dawit Bekele", ""),
    "ahmed": Person("Ahmed Yusuf", G.MAN),
    "meilin": Person("Mei Lin Ong", G.WOMAN),
    "carlos": Person("Carlos Gutiérrez", G.MAN),
    "aisha": Person("Aisha Bello", G.WOMAN),
    "pierre": Person("Pierre Dubois", G.MAN),
    "yuki": Person("Yuki Sato", G.WOMAN),
    "olga": Person("Olga Petrenko", G.WOMAN),
    "hassan": Person("Hassan Karimi", G.MAN),
    "beatriz": Person("Beatriz Almeida", G.WOMAN),
    "kofi": Person("Kofi Mensah", G.UNDISCLOSED),
}

# Org units from the IOM Headquarters organizational review (seeds/003) and the field.
EXO_HQ = "Executive Office (HQ)"
DOE_HQ = "Department of Operations and Emergencies (HQ)"
DPR_HQ = "Department of Policy and Research (HQ)"
GDI_HQ = "Global Data Institute (HQ)"
HRM_HQ = "Department of Human Resources Management (HQ)"
RO_NAIROBI = "Regional Office Nairobi"
RO_BANGKOK = "Regional Office Bangkok"
RO_VIENNA = "Regional Office Vienna"
CO_KENYA = "Country Office Kenya"
CO_SOUTH_SUDAN = "Country Office South Sudan"
CO_BANGLADESH = "Country Office Bangladesh"
CO_PHILIPPINES = "Country Office Philippines"
CO_UKRAINE = "Country Office Ukraine"
CO_AFGHANISTAN = "Country Office Afghanistan"

# (person, level, org unit, supervisor): heads of teams report to chiefs of mission, who report
# to directors, who report to the Executive Office; the top of the cohort reports to nobody in it.
OPEN_ROSTER = [
    ("amina", EXO, EXO_HQ, None),
    ("hiroshi", EXO, EXO_HQ, "amina"),
    ("ingrid", DIR, DOE_HQ, "amina"),
    ("priya", DIR, DPR_HQ, "amina"),
    ("rafael", DIR, RO_NAIROBI, "hiroshi"),
    ("omar", DIR, RO_BANGKOK, "hiroshi"),
    ("samuel", COM, CO_KENYA, "rafael"),
    ("nomvula", COM, CO_SOUTH_SUDAN, "rafael"),
    ("fatima", COM, CO_BANGLADESH, "omar"),
    ("chen", COM, CO_PHILIPPINES, "omar"),
    ("aigerim", COM, DOE_HQ, "ingrid"),
    ("mateus", COM, GDI_HQ, "priya"),
    ("layla", COM, DPR_HQ, "priya"),
    ("lucia", HT, CO_KENYA, "samuel"),
    ("kwame", HT, CO_KENYA, "samuel"),
    ("grace", HT, CO_KENYA, "samuel"),
    ("tomas", HT, CO_KENYA, "samuel"),
    ("joseph", HT, CO_SOUTH_SUDAN, "nomvula"),
    ("elena", HT, CO_SOUTH_SUDAN, "nomvula"),
    ("tanvir", HT, CO_BANGLADESH, "fatima"),
    ("nusrat", HT, CO_BANGLADESH, "fatima"),
    ("maria", HT, CO_PHILIPPINES, "chen"),
    ("alex", HT, DOE_HQ, "aigerim"),
    ("dawit", HT, GDI_HQ, "mateus"),
]
# Leaders of the open cycle who have not sent their nominations yet.
OPEN_NOT_SENT = {"tomas": 2, "alex": 4, "dawit": 0}  # peers nominated so far

RELEASED_ROSTER = [
    ("hiroshi", EXO, EXO_HQ, None),
    ("beatriz", DIR, HRM_HQ, "hiroshi"),
    ("kofi", DIR, RO_VIENNA, "hiroshi"),
    ("samuel", COM, CO_KENYA, "rafael"),
    ("nomvula", COM, CO_SOUTH_SUDAN, "rafael"),
    ("olga", COM, CO_UKRAINE, "kofi"),
    ("hassan", COM, CO_AFGHANISTAN, "omar"),
    ("lucia", HT, CO_KENYA, "samuel"),
    ("kwame", HT, CO_KENYA, "samuel"),
    ("ahmed", HT, CO_KENYA, "samuel"),
    ("meilin", HT, CO_KENYA, "samuel"),
    ("carlos", HT, CO_SOUTH_SUDAN, "nomvula"),
    ("aisha", HT, CO_SOUTH_SUDAN, "nomvula"),
    ("pierre", HT, CO_UKRAINE, "olga"),
    ("yuki", HT, CO_AFGHANISTAN, "hassan"),
]
# Yuki's direct reports stay below k (two of three answered), so the report pools them.
RELEASED_THIN_GROUP = ("yuki", DIRECT_REPORT)
# One supervisor never finished: the draft is kept and not counted.
RELEASED_SUPERVISOR_DRAFT = "pierre"

# Colleagues who are nominated as peers and direct reports (they need no account).
STAFF_NAMES = [
    "Abdi Hassan", "Adaeze Nwosu", "Ahmad Farouk", "Alejandra Castro", "Ali Reza Hosseini",
    "Amara Koroma", "Ana Beatriz Costa", "Andrei Ionescu", "Anh Nguyen", "Anjali Mehta",
    "Arjun Nair", "Bashir Ahmadi", "Camila Rojas", "Chinedu Okafor", "Clara Schneider",
    "Daniela Ferreira", "Darius Moradi", "Diego Navarro", "Efua Boateng", "Emeka Eze",
    "Esra Yilmaz", "Farah Siddiqui", "Fatou Ndiaye", "Felipe Araújo", "Gulnara Abenova",
    "Hana Novak", "Ibrahim Sesay", "Ifeoma Adeyemi", "Ioana Marin", "Isabel Fonseca",
    "Jamal Abdullah", "Jean-Pierre Habimana", "Joon-ho Park", "Juliana Vargas",
    "Kateryna Kovalenko", "Keiko Yamamoto", "Khalid Mansour", "Lars Eriksen", "Leila Nasser",
    "Liam O'Connor", "Mariam Touré", "Marco Bianchi", "Mehmet Demir", "Miriam Achieng",
    "Mohammed Al-Sayed", "Nadia Karim", "Natalia Gómez", "Niamh Kelly", "Nikolai Smirnov",
    "Noura Khalil", "Oluwaseun Adebayo", "Paolo Rossi", "Patience Mutasa", "Rania Saleh",
    "Ravi Shankar", "Rosa Delgado", "Rustam Karimov", "Sabine Keller", "Salma Idris",
    "Sandeep Kaur", "Seo-yeon Kim", "Siddharth Rao", "Sina Tavakoli", "Siosaia Taufa",
    "Sofia Lindqvist", "Tariq Aziz", "Thandiwe Moyo", "Thi Lan Tran", "Valentina Russo",
    "Wanjiku Kamau", "Xu Ming", "Yasmin Osman", "Yohannes Tesfaye", "Zainab Bangura",
    "Zeynep Kaya",
]  # fmt: skip

# Partners outside the organization: UN agencies, NGOs, governments, donors.
PARTNERS = [
    ("Hélène Martin", "unhcr.example.org"), ("David Kimani", "unhcr.example.org"),
    ("Mariana Oliveira", "unicef.example.org"), ("Sunil Perera", "unicef.example.org"),
    ("Vo Thi Hoa", "unicef.example.org"), ("Agnes Mwale", "wfp.example.org"),
    ("Tobias Müller", "wfp.example.org"), ("Rahel Gebre", "wfp.example.org"),
    ("Rashida Mahmoud", "undp.example.org"), ("Kenji Watanabe", "undp.example.org"),
    ("Elif Aksoy", "who.example.org"), ("Kwabena Owusu", "ilo.example.org"),
    ("Chiara Conti", "ilo.example.org"), ("Beatrice Achieng", "ngo.example.org"),
    ("Samir Benjelloun", "ngo.example.org"), ("Claire Fontaine", "ngo.example.org"),
    ("Moses Ochieng", "ngo.example.org"), ("Ayesha Chowdhury", "ngo.example.org"),
    ("Mustafa Nuri", "ngo.example.org"), ("Lerato Khumalo", "ngo.example.org"),
    ("Gabriel Souza", "redcross.example.org"), ("Astrid Solberg", "redcross.example.org"),
    ("Peter Lokuji", "gov.example.org"), ("Rosa María Paredes", "gov.example.org"),
    ("Ferdinand Mugisha", "gov.example.org"), ("Nasrin Akter", "gov.example.org"),
    ("Jonathan Reyes", "gov.example.org"), ("Michael Brennan", "donor.example.org"),
    ("Sarah Whitfield", "donor.example.org"), ("Anders Berg", "donor.example.org"),
]  # fmt: skip

# --- What raters write ----------------------------------------------------------------------

STRENGTH_COMMENTS = {
    "workforce": [
        "Makes time for one-to-one conversations with each team member, even during emergencies.",
        "Gives honest, timely feedback and follows up on development plans.",
        "Delegates real responsibility and backs people when things get difficult.",
        "Handled the restructuring of the unit with care and transparency.",
        "Actively supports flexible working and staff well-being.",
    ],
    "partnerships": [
        "Trusted by government counterparts; doors open because of the relationships built.",
        "Brings UN agencies and NGOs around the table and keeps them there.",
        "Very good at finding common ground with partners who have different priorities.",
        "Represents IOM confidently in inter-agency coordination meetings.",
    ],
    "funding": [
        "Secured multi-year funding for the programme by linking it clearly to donor priorities.",
        "Proposals are well argued and grounded in evidence from the field.",
        "Keeps donors informed early, which has built a lot of goodwill.",
        "Widened the funding base beyond our two traditional donors.",
    ],
    "data-evidence": [
        "Insists on data before decisions and asks good questions about where numbers come from.",
        "Uses DTM findings well to shape programme priorities.",
        "Made monitoring part of how the team works instead of an afterthought.",
        "Shares evidence openly with partners and Member States.",
    ],
    "learning-innovation": [
        "Encourages the team to try new approaches and to talk openly about what did not work.",
        "Introduced after-action reviews that the whole office now uses.",
        "Curious and open to ideas from junior colleagues.",
        "Supported the pilot of cash-based assistance from the start.",
    ],
    "communication": [
        "Explains difficult decisions clearly and early, so nobody hears about them second-hand.",
        "Listens carefully in meetings before giving a view.",
        "Team meetings are focused and everyone leaves knowing what is expected.",
        "Writes clear, short briefings that senior management actually read.",
        "Keeps the field informed about what is happening at headquarters.",
    ],
    "internal-systems": [
        "Knows the rules well and uses them to get things done rather than to say no.",
        "Streamlined procurement approvals without cutting corners on compliance.",
        "Takes risk management seriously and makes it practical for the team.",
        "Follows up on audit recommendations promptly.",
    ],
}
IMPROVEMENT_COMMENTS = {
    "workforce": [
        "Could delegate more; decisions often wait until this leader is available.",
        "Performance conversations tend to be postponed when the workload is high.",
        "More attention to the team's workload during surge periods would help.",
        "Career development of national staff deserves more focus.",
        "Could recognise good work more often and more visibly.",
    ],
    "partnerships": [
        "Could involve smaller local NGOs earlier, not only the large agencies.",
        "Follow-up after coordination meetings is sometimes slow.",
        "Sometimes defends IOM's position before hearing partners out.",
        "Relationships depend heavily on this leader personally; more could be shared.",
    ],
    "funding": [
        "Could plan fundraising further ahead instead of reacting to calls for proposals.",
        "Budget revisions are sometimes communicated to the team too late.",
        "Would benefit from engaging non-traditional donors and the private sector.",
        "Reporting to donors is occasionally late, which puts relationships at risk.",
    ],
    "data-evidence": [
        "Decisions are sometimes made on anecdote when data is available.",
        "Could invest in the quality of monitoring data, not only in collecting more of it.",
        "Findings from evaluations rarely make it back into planning.",
        "Sharing data across units could be encouraged more actively.",
    ],
    "learning-innovation": [
        "Tends to stick with familiar approaches even when the context has changed.",
        "Lessons learned are documented but not really discussed as a team.",
        "Could give the team more room to experiment without fear of getting it wrong.",
        "Little time is set aside for learning; training requests are often postponed.",
    ],
    "communication": [
        "Messages sometimes change between meetings, which confuses the team.",
        "Could share the reasons behind decisions, not only the decisions.",
        "Emails are long; a short summary of what is needed would help.",
        "Could listen more before proposing solutions in meetings.",
        "Could explain how our work connects to the wider Strategic Vision.",
    ],
    "internal-systems": [
        "Approvals can be a bottleneck; clearer delegation of authority would help.",
        "Sometimes works around procedures in ways that create compliance risks later.",
        "Could engage more with the new ERP roll-out instead of leaving it to administration.",
        "Risk registers are updated only before audits.",
    ],
}
DECLINE_REASONS = [
    "I joined the office only a few weeks ago and have not worked with this leader enough to "
    "give fair feedback.",
    "I am on extended leave until after the closing date.",
    "Our work barely overlaps, so I could not answer most of the questions.",
    "I am deployed to an emergency response this month and cannot give this the attention it "
    "deserves.",
    "I am in a selection process that this leader is part of, so I prefer not to give feedback "
    "now.",
]

# How each group tends to see a leader, on top of the leader's own profile.
GROUP_BIAS = {SELF: 0.0, SUPERVISOR: 0.0, PEER: -0.1, DIRECT_REPORT: 0.05, PARTNER: -0.05}
# How often each group cannot observe an item, and where they see least of the leader's work.
NOT_OBSERVED_RATE = {SELF: 0.0, SUPERVISOR: 0.03, PEER: 0.06, DIRECT_REPORT: 0.05, PARTNER: 0.15}
NOT_OBSERVED_EXTRA = {
    (PARTNER, "workforce"): 0.3,
    (PARTNER, "internal-systems"): 0.4,
    (PARTNER, "learning-innovation"): 0.12,
    (DIRECT_REPORT, "funding"): 0.2,
    (DIRECT_REPORT, "partnerships"): 0.1,
    (PEER, "workforce"): 0.08,
    (PEER, "funding"): 0.06,
}


@dataclass
class Profile:
    """How a leader really behaves, and how they see themselves."""

    base: float
    enablers: dict  # enabler slug → offset from base
    self_bias: float
    group_tilt: dict  # (group, enabler slug) → how that group sees this enabler
    signature_pitfall: dict  # enabler slug → position of the pitfall that shows most
    used_comments: set = field(default_factory=set)


def make_profile(rng, slugs):
    order = list(slugs)
    rng.shuffle(order)
    enablers = {}
    for n, slug in enumerate(order):
        if n < 2:
            enablers[slug] = rng.uniform(0.45, 0.9)  # strengths
        elif n < 4:
            enablers[slug] = -rng.uniform(0.5, 1.0)  # development areas
        else:
            enablers[slug] = rng.uniform(-0.25, 0.25)
    roll = rng.random()
    if roll < 0.7:
        self_bias = rng.uniform(0.4, 0.9)  # most leaders see themselves more kindly
    elif roll < 0.88:
        self_bias = rng.uniform(-0.1, 0.2)
    else:
        self_bias = -rng.uniform(0.3, 0.7)  # the modest ones: hidden strengths
    return Profile(
        base=rng.uniform(3.0, 3.7),
        enablers=enablers,
        self_bias=self_bias,
        group_tilt={(g, s): rng.uniform(-0.35, 0.35) for g in RaterGroup for s in slugs},
        signature_pitfall={s: rng.randrange(3) for s in slugs},
    )


@dataclass(frozen=True)
class ScriptedProfile:
    """A profile written by hand, for the leader whose report the demo shows first."""

    base: float
    enablers: dict
    self_bias: float
    self_tilt: dict  # enabler slug → how much higher (or lower) self sees it than others do

    def apply(self, profile):
        # Other groups still differ a little, as people do; self differs where scripted.
        tilt = {key: value / 2 for key, value in profile.group_tilt.items()}
        tilt.update({(SELF, slug): value for slug, value in self.self_tilt.items()})
        return Profile(
            base=self.base,
            enablers=dict(self.enablers),
            self_bias=self.self_bias,
            group_tilt=tilt,
            signature_pitfall=profile.signature_pitfall,
        )


# The demo leader: trusted by partners and a clear communicator; sees her Data & Evidence work
# more kindly than others do (a blind spot) and undersells how she leads her team (a hidden
# strength). A year on, Data & Evidence has improved.
DEMO_LEADER_2025 = ScriptedProfile(
    base=3.45,
    enablers={
        "partnerships": 0.75,
        "communication": 0.55,
        "workforce": 0.35,
        "learning-innovation": 0.05,
        "internal-systems": -0.15,
        "funding": -0.55,
        "data-evidence": -0.8,
    },
    self_bias=0.3,
    self_tilt={"data-evidence": 1.5, "workforce": -1.8},
)
DEMO_LEADER_2026 = ScriptedProfile(
    base=3.55,
    enablers={**DEMO_LEADER_2025.enablers, "data-evidence": -0.3, "funding": -0.4},
    self_bias=0.3,
    self_tilt={"data-evidence": 0.9, "workforce": -1.1},
)


def _score(rng, mean, spread=0.6):
    return min(5, max(1, round(rng.gauss(mean, spread))))


def answer_sections(rng, questionnaire, profile, group):
    """[(section, values, comments)] for one rater: scores that follow the leader's profile and
    the rater's group, some "not observed", and a comment here and there."""
    leniency = 0.0 if group == SELF else rng.gauss(0, 0.3)
    visibility = 0.0 if group == SELF else rng.uniform(0.5, 1.5)
    planned = []
    for section in questionnaire.sections:
        slug = section.enabler.slug
        offset = profile.enablers[slug]
        mean = profile.base + offset + GROUP_BIAS[group] + leniency
        mean += profile.group_tilt[(group, slug)]
        if group == SELF:
            mean += profile.self_bias
        unseen = visibility * (NOT_OBSERVED_RATE[group] + NOT_OBSERVED_EXTRA.get((group, slug), 0))

        def value(mean, unseen=unseen):
            return NOT_OBSERVED if rng.random() < unseen else str(_score(rng, mean))

        values = {item.key: value(mean) for item in section.general_items}
        # Level-specific behaviours are the harder ones.
        values.update({item.key: value(mean - 0.25) for item in section.level_items})
        for position, item in enumerate(section.pitfall_items):
            often = 2.4 - 0.9 * offset - 0.3 * leniency - (0.5 if group == SELF else 0)
            if offset < -0.3 and position == profile.signature_pitfall[slug]:
                often += 0.8
            values[item.key] = value(often, unseen and unseen + 0.04)
        planned.append((section, values, _comments(rng, profile, group, slug, offset)))
    return planned


def _comments(rng, profile, group, slug, offset):
    if group == PARTNER and slug in ("workforce", "internal-systems"):
        return {}
    damp = 0.5 if group == SELF else 1.0
    chances = {
        # Mostly where the leader is clearly strong or clearly weak.
        Comment.Kind.STRENGTH: (0.05 + (0.25 if offset > 0.35 else 0), STRENGTH_COMMENTS),
        Comment.Kind.IMPROVEMENT: (0.05 + (0.25 if offset < -0.35 else 0), IMPROVEMENT_COMMENTS),
    }
    comments = {}
    for kind, (chance, pool) in chances.items():
        if rng.random() < chance * damp:
            fresh = [text for text in pool[slug] if text not in profile.used_comments]
            if fresh:
                text = rng.choice(fresh)
                profile.used_comments.add(text)
                comments[kind] = text
    return comments


def save_sections(rater, planned):
    """Save [(section, values, comments)] through the draft save, in as few calls as the
    comments allow.

    What is stored is the same whichever way the sections are saved: ``save_section`` stores the
    answers of the items it is given and the comments of the section's enabler. Comments belong
    to one enabler per call, so the first commented section goes with all the uncommented ones,
    and every further commented section is saved on its own. This keeps the seed fast.
    """
    commented = [entry for entry in planned if entry[2]]
    lead, _values, lead_comments = commented[0] if commented else (planned[0][0], {}, {})
    alone = [entry for entry in commented if entry[0] is not lead]
    together = [entry for entry in planned if entry not in alone]
    responses.save_section(
        rater=rater,
        section=Section(
            number=lead.number,
            enabler=lead.enabler,
            general_items=[item for section, _v, _c in together for item in section.items],
        ),
        values={key: value for _s, values, _c in together for key, value in values.items()},
        comments=lead_comments,
    )
    for section, values, comments in alone:
        responses.save_section(rater=rater, section=section, values=values, comments=comments)


# --- Building one cycle ---------------------------------------------------------------------


@dataclass
class CycleSpec:
    name: str
    roster: list
    opens_on: datetime.date
    closes_on: datetime.date
    opened_at: datetime.datetime
    answers_until: datetime.datetime  # the latest a demo answer is dated
    closed_at: datetime.datetime | None = None
    released_at: datetime.datetime | None = None
    not_sent: dict = field(default_factory=dict)
    profiles: dict = field(default_factory=dict)  # person key → ScriptedProfile


@dataclass
class Fate:
    action: str  # "submit", "draft", "decline", "invite" (left alone)
    sections: int = 0  # drafts: how many sections are saved


class CycleBuilder:
    """Builds one cycle through the rule functions, then dates it."""

    def __init__(self, spec, *, people, rng):
        self.spec = spec
        self.people = people
        self.hr = people[HR]
        self.rng = rng
        self.released = spec.released_at is not None
        self.questionnaires = {}

    def build(self):
        spec = self.spec
        # A past cycle is replayed as if it were running: it takes its real close date once
        # its answers are in (links refuse answers after the close date).
        cycle = Cycle.objects.create(
            name=spec.name,
            opens_on=spec.opens_on,
            closes_on=max(spec.closes_on, timezone.localdate()),
            created_by=self.hr,
        )
        levels = {level.slug: level for level in Level.objects.filter(edition=cycle.edition)}
        enabler_slugs = [s.enabler.slug for s in self._questionnaire(levels[HT]).sections]
        participants = {}
        for key, level_slug, org_unit, boss in spec.roster:
            participants[key] = cycles.add_participant(
                cycle=cycle,
                person=self.people[key],
                level=levels[level_slug],
                supervisor=self.people[boss] if boss else None,
                org_unit=org_unit,
                gender=PEOPLE[key].gender,
            )
        self._nominate(participants)
        cycles.open_cycle(cycle=cycle, by=self.hr)
        # The rule enqueues the invitations when the transaction commits; the demo answers
        # before that, so it invites now (already invited raters are skipped afterwards).
        invitations.invite_cycle(cycle)
        profiles = {key: make_profile(self.rng, enabler_slugs) for key in participants}
        for key, scripted in self.spec.profiles.items():
            profiles[key] = scripted.apply(profiles[key])
        self._answer(participants, profiles)
        if self.released:
            cycles.close_cycle(cycle=cycle, by=self.hr)
            cycles.release_cycle(cycle=cycle, by=self.hr)
        self._date(cycle)
        return cycle

    def _questionnaire(self, level):
        if level.pk not in self.questionnaires:
            self.questionnaires[level.pk] = build_questionnaire(level)
        return self.questionnaires[level.pk]

    # Nominations

    def _nominate(self, participants):
        rng = self.rng
        roster = {key: (level, boss) for key, level, _unit, boss in self.spec.roster}
        for key, participant in participants.items():
            level, boss = roster[key]
            taken = {PEOPLE[key].name}
            peers = self._cohort_peers(key, roster, rng)
            taken.update(PEOPLE[k].name for k in peers)
            # Most leaders nominate a few more than the fewest allowed; last year's cohort was
            # leaner, still at least k in every group.
            sizes = [3, 3, 4, 4] if self.released else [3, 4, 4, 5, 6]
            n_peers = rng.choice(sizes)
            nominees = [(PEER, PEOPLE[k].name, self.people[k].email) for k in peers]
            nominees += [(PEER, *person) for person in self._staff(n_peers - len(peers), taken)]
            team = [k for k, (_l, b) in roster.items() if b == key][:6]
            taken.update(PEOPLE[k].name for k in team)
            small_team = level == HT and not team and rng.random() < 0.3
            if self.released and key == RELEASED_THIN_GROUP[0]:
                n_reports = 3  # and only two of them answer: the group stays below k
            elif small_team and key not in self.spec.profiles:  # the demo leader has a team
                n_reports = 0  # fewer than three: nominate none, so nobody can be recognised
            else:
                n_reports = max(rng.choice(sizes), len(team))
            nominees += [(DIRECT_REPORT, PEOPLE[k].name, self.people[k].email) for k in team]
            staff = self._staff(n_reports - len(team), taken)
            nominees += [(DIRECT_REPORT, *person) for person in staff]
            n_partners = {HT: rng.choice([0, 0, 1, 2]), COM: rng.randint(1, 3)}.get(
                level, rng.randint(2, 3)
            )
            if self.released:
                n_partners = min(n_partners, 2)
            if key in self.spec.profiles:
                n_partners = 2  # below k: the demo report shows how small groups are pooled
            for name, domain in rng.sample(PARTNERS, n_partners):
                nominees.append((PARTNER, name, staff_email(name, domain)))
            if key in self.spec.not_sent:
                # Still choosing: a few peers so far, nothing sent.
                nominees = [n for n in nominees if n[0] == PEER][: self.spec.not_sent[key]]
            for group, name, email in nominees:
                nominations.nominate_rater(
                    participant=participant, name=name, email=email, group=group
                )
            if key not in self.spec.not_sent:
                nominations.submit_nominations(participant=participant)

    @staticmethod
    def _cohort_peers(key, roster, rng):
        """One to three leaders of the same level from the cohort, team mates first."""
        level, boss = roster[key]
        same = [
            k
            for k, (lv, b) in roster.items()
            if lv == level and k not in (key, boss) and b != key  # not one's boss or team
        ]
        mates = [k for k in same if roster[k][1] == boss]
        others = [k for k in same if k not in mates]
        rng.shuffle(mates)
        rng.shuffle(others)
        return (mates + others)[: rng.randint(1, 3)]

    def _staff(self, n, taken):
        if n <= 0:
            return []
        names = self.rng.sample([name for name in STAFF_NAMES if name not in taken], n)
        taken.update(names)
        return [(name, staff_email(name)) for name in names]

    # Answers

    def _fates(self, key, group, raters):
        rng = self.rng
        if not self.released:
            return [self._open_fate(key, group) for _ in raters]
        if group == SELF:
            return [Fate("submit") for _ in raters]
        if group == SUPERVISOR:
            late = key == RELEASED_SUPERVISOR_DRAFT
            return [Fate("draft", 4) if late else Fate("submit") for _ in raters]
        if (key, group) == RELEASED_THIN_GROUP:
            return [Fate("submit"), Fate("submit"), Fate("decline")]
        if group == PARTNER:
            return [Fate("submit") if rng.random() < 0.75 else self._missing() for _ in raters]
        misses = min(rng.choice([0, 0, 0, 1, 1, 2]), max(len(raters) - 3, 0))
        fates = [Fate("submit")] * (len(raters) - misses) + [self._missing() for _ in range(misses)]
        rng.shuffle(fates)
        return fates

    def _missing(self):
        rng = self.rng
        action = rng.choice(["decline", "draft", "invite"])
        return Fate(action, rng.randint(1, 5))

    def _open_fate(self, key, group):
        rng = self.rng
        if group == SELF and key == LEADER:
            return Fate("draft", 3)  # the demo leader's self-assessment: three sections in
        weights = {
            SELF: {"submit": 30, "draft": 40, "invite": 30},
            SUPERVISOR: {"submit": 30, "draft": 15, "invite": 55},
            PEER: {"submit": 30, "draft": 20, "decline": 6, "invite": 44},
            DIRECT_REPORT: {"submit": 30, "draft": 20, "decline": 6, "invite": 44},
            PARTNER: {"submit": 30, "draft": 15, "decline": 10, "invite": 45},
        }[group]
        action = rng.choices(list(weights), weights=list(weights.values()))[0]
        return Fate(action, rng.randint(1, 5))

    def _answer(self, participants, profiles):
        by_key = {p.pk: key for key, p in participants.items()}
        raters = defaultdict(list)
        for rater in Rater.objects.filter(
            participant__in=participants.values(), status=Rater.Status.INVITED
        ).select_related("participant__level", "participant__cycle"):
            raters[(by_key[rater.participant_id], rater.group)].append(rater)
        for key in participants:
            for group in RaterGroup:
                group_raters = raters[(key, group)]
                fates = self._fates(key, group, group_raters)
                if key == LEADER and group == PEER and not self.released:
                    # The printed rater link needs a peer who has not started yet.
                    fates[-1] = Fate("invite")
                for rater, fate in zip(group_raters, fates, strict=True):
                    self._act(rater, fate, profiles[key])

    def _act(self, rater, fate, profile):
        if fate.action == "invite":
            return
        if fate.action == "decline":
            responses.decline(rater=rater, reason=self.rng.choice(DECLINE_REASONS))
            return
        questionnaire = self._questionnaire(rater.participant.level)
        planned = answer_sections(self.rng, questionnaire, profile, rater.group)
        if fate.action == "draft":
            save_sections(rater, planned[: fate.sections])
        else:
            save_sections(rater, planned)
            responses.submit_response(rater=rater)

    # Dates: a cycle that ran its course, not one built in a second.

    def _date(self, cycle):
        rng, spec = self.rng, self.spec
        opened = spec.opened_at
        created = opened - timedelta(days=12, hours=3)
        invited = opened + timedelta(minutes=4)
        until = spec.answers_until

        def between(start, end):
            if end <= start:
                return end
            return start + (end - start) * rng.random()

        Cycle.objects.filter(pk=cycle.pk).update(
            closes_on=spec.closes_on,
            created_at=created,
            opened_at=opened,
            closed_at=spec.closed_at,
            released_at=spec.released_at,
        )
        for action, when in (
            ("open", opened),
            ("close", spec.closed_at),
            ("release", spec.released_at),
        ):
            AuditEvent.objects.filter(cycle=cycle, action=action).update(created_at=when)

        participants = list(cycle.participants.all())
        nominated_at = {}
        for participant in participants:
            participant.invited_at = invited
            sent = participant.nominations_submitted_at is not None
            nominated_at[participant.pk] = between(
                opened + timedelta(hours=2), opened + timedelta(days=4)
            )
            participant.nominations_submitted_at = nominated_at[participant.pk] if sent else None
        Participant.objects.bulk_update(participants, ["invited_at", "nominations_submitted_at"])

        raters = list(Rater.objects.filter(participant__cycle=cycle))
        rater_invited = {}
        for rater in raters:
            if rater.group in (SELF, SUPERVISOR):
                rater.created_at = created
                rater.invited_at = invited if rater.invited_at else None
            else:
                sent_at = nominated_at[rater.participant_id]
                rater.created_at = sent_at - timedelta(minutes=rng.randint(5, 90))
                rater.invited_at = sent_at if rater.invited_at else None
            rater_invited[rater.pk] = rater.invited_at or invited
        Rater.objects.bulk_update(raters, ["created_at", "invited_at"])

        answers = list(Response.objects.filter(rater__participant__cycle=cycle))
        for response in answers:
            start = between(rater_invited[response.rater_id], until - timedelta(hours=3))
            response.started_at = start
            if response.submitted_at is not None:
                done = between(start + timedelta(minutes=12), start + timedelta(hours=3))
                response.updated_at = response.submitted_at = done
            else:
                response.updated_at = between(start + timedelta(minutes=5), until)
        Response.objects.bulk_update(answers, ["started_at", "updated_at", "submitted_at"])


# --- The demo leader's plan and progress pulse (issue 19) -------------------------------------

PULSE_AFTER_DAYS = 110  # the pulse started this long after the 360's release
PLAN_GOALS = [
    "Share the reasons behind decisions with the team before they are announced.",
    "Agree with each partner what we report to them, and when.",
]
PULSE_CHANGES = ["+1", "+1", "+2", "0", "+1", "+2", "na"]


def build_plan_and_pulse(released, people, rng):
    """The demo leader's action plan on last year's report — the two enablers the report itself
    suggests — and the progress pulse she started four months after the release, answered by
    most of her raters and released, so that her plan shows the change since the 360. Built
    through the rules as if it ran at the time, then dated."""
    participant = Participant.objects.select_related("cycle", "level", "person").get(
        cycle=released, person=people[LEADER]
    )
    report = reports.individual_report(participant)
    for suggestion, goal in zip(action_plans.suggest_focus(report)[:2], PLAN_GOALS, strict=False):
        section = next(s for s in report.sections if s.enabler.pk == suggestion.enabler.pk)
        lowest = sorted(
            (line for line in section.indicators if line.row.others.shown),
            key=lambda line: line.row.others.mean,
        )
        action_plans.add_focus(
            participant=participant,
            enabler=suggestion.enabler,
            goal=goal,
            indicator_ids=[line.item.indicator_id for line in lowest[:2]],
        )
    released_at = released.released_at
    # The rule takes today as the start: the release is moved into the window meanwhile.
    started = timezone.now()
    Cycle.objects.filter(pk=released.pk).update(
        released_at=started - timedelta(days=PULSE_AFTER_DAYS)
    )
    participant.cycle.refresh_from_db()
    pulse = pulses.start_pulse(
        participant=participant,
        by=people[LEADER],
        rater_ids=[rater.pk for rater in pulses.candidate_raters(participant)],
    )
    invitations.invite_cycle(pulse.cycle)
    answer_pulse(pulse, rng)
    cycles.close_cycle(cycle=pulse.cycle, by=None)
    cycles.release_cycle(cycle=pulse.cycle, by=None)
    Cycle.objects.filter(pk=released.pk).update(released_at=released_at)
    _date_pulse(pulse, released_at + timedelta(days=PULSE_AFTER_DAYS), rng)
    return pulse


def answer_pulse(pulse, rng):
    """Every rater of the pulse but one answers: the behaviours a little better than last year,
    and mostly "a little more effective"."""
    questionnaire = questionnaire_for(pulse)
    for rater in list(pulse.raters.order_by("group", "name"))[:-1]:
        for section in questionnaire.sections:
            values = {
                item.key: rng.choice(PULSE_CHANGES)
                if item.is_change
                else str(min(5, max(2, round(rng.gauss(3.8, 0.6)))))
                for item in section.items
            }
            responses.save_section(rater=rater, section=section, values=values, comments={})
        responses.submit_response(rater=rater, questionnaire=questionnaire)


def _date_pulse(pulse, opened, rng):
    """Move the pulse to when it ran: three weeks from ``opened``."""
    closes_on = timezone.localdate(opened) + timedelta(days=pulses.OPEN_DAYS)
    closed = opened + timedelta(days=pulses.OPEN_DAYS + 1)
    released = closed
    Cycle.objects.filter(pk=pulse.cycle_id).update(
        opens_on=timezone.localdate(opened),
        closes_on=closes_on,
        created_at=opened,
        opened_at=opened,
        closed_at=closed,
        released_at=released,
    )
    for action, when in (("create", opened), ("open", opened), ("close", closed)):
        AuditEvent.objects.filter(cycle=pulse.cycle, action=action).update(created_at=when)
    AuditEvent.objects.filter(cycle=pulse.cycle, action="release").update(created_at=released)
    AuditEvent.objects.filter(cycle=pulse.follows.cycle, action="pulse").update(created_at=opened)
    Rater.objects.filter(participant=pulse).update(created_at=opened, invited_at=opened)
    Participant.objects.filter(pk=pulse.pk).update(
        invited_at=opened, nominations_submitted_at=opened
    )
    answers = list(Response.objects.filter(rater__participant=pulse))
    for response in answers:
        response.started_at = opened + timedelta(hours=rng.randint(2, 24 * 14))
        response.updated_at = response.submitted_at = response.started_at + timedelta(minutes=6)
    Response.objects.bulk_update(answers, ["started_at", "updated_at", "submitted_at"])


# --- Entry point ----------------------------------------------------------------------------


# Invitations are rendered (so broken templates show) and dropped: nothing is sent or kept.
DISCARDED_MAIL = {
    "default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend", "OPTIONS": {}}
}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@contextmanager
def quiet_side_effects():
    """Render and drop emails, run background tasks at once, and keep the task log quiet.

    DEBUG is off meanwhile: the development server's query log would only slow seeding down."""
    task_log = logging.getLogger("django.tasks")
    level = task_log.level
    task_log.setLevel(logging.WARNING)
    try:
        with override_settings(MAILERS=DISCARDED_MAIL, TASKS=IMMEDIATE_TASKS, DEBUG=False):
            yield
    finally:
        task_log.setLevel(level)


def _people():
    """The demo organisation's accounts, all with the demo password (hashed once)."""
    existing = {u.email: u for u in User.objects.filter(email__in=_emails())}
    password = None
    people = {}
    for key, person in PEOPLE.items():
        email = _email(key)
        user = existing.get(email)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)
            user = User.objects.create(email=email, full_name=person.name, password=password)
        people[key] = user
    group, _created = Group.objects.get_or_create(name=HR_ADMINS_GROUP)
    people[HR].groups.add(group)
    return people


def _email(key):
    return PEOPLE[key].email or staff_email(PEOPLE[key].name)


def _emails():
    return [_email(key) for key in PEOPLE]


def _specs(now):
    today = timezone.localdate(now)
    opened = now.replace(hour=8, minute=30, second=0, microsecond=0) - timedelta(days=7)
    last_year = today.year - 1
    utc = datetime.UTC

    def at(month, day, hour):
        return datetime.datetime(last_year, month, day, hour, tzinfo=utc)

    return [
        CycleSpec(
            name=RELEASED_CYCLE_NAME,
            roster=RELEASED_ROSTER,
            opens_on=datetime.date(last_year, 10, 6),
            closes_on=datetime.date(last_year, 10, 31),
            opened_at=at(10, 6, 8),
            answers_until=at(10, 31, 18),
            closed_at=at(11, 3, 9),
            released_at=at(11, 17, 10),
            profiles={LEADER: DEMO_LEADER_2025},
        ),
        CycleSpec(
            name=OPEN_CYCLE_NAME,
            roster=OPEN_ROSTER,
            opens_on=today - timedelta(days=7),
            closes_on=today + timedelta(days=14),
            opened_at=opened,
            answers_until=now - timedelta(minutes=30),
            not_sent=OPEN_NOT_SENT,
            profiles={LEADER: DEMO_LEADER_2026},
        ),
    ]


def _summary(cycle):
    raters = Rater.objects.filter(participant__cycle=cycle)
    return (
        f"  {cycle.name} ({cycle.get_state_display().lower()}): "
        f"{cycle.participants.count()} participants, {raters.count()} raters, "
        f"{Response.objects.filter(rater__in=raters, submitted_at__isnull=False).count()} "
        f"submitted responses, "
        f"{raters.filter(status=Rater.Status.STARTED).count()} drafts, "
        f"{raters.filter(status=Rater.Status.DECLINED).count()} declined"
    )


def account_note(width=95):
    """Which demo people have an account (the leaders and supervisors of both cycles, and HR)
    and which do not (the colleagues and partners they nominated, who answer by link)."""
    others = [PEOPLE[key].name for key in PEOPLE if key not in (HR, LEADER, SUPERVISOR_KEY)]
    lines = [
        f"  These {len(others)} leaders and supervisors have accounts too, with the same "
        f"password (name.surname@{STAFF_DOMAIN}, e.g. {_email('amina')}):"
    ]
    line = "   "
    for index, name in enumerate(others):
        piece = f" {name}" + ("," if index < len(others) - 1 else ".")
        if len(line) + len(piece) > width:
            lines.append(line)
            line = "   "
        line += piece
    lines.append(line)
    lines.append(
        '  Signed in, each finds the feedback asked of them under "Feedback requested from '
        'you" on the home page.'
    )
    lines.append(
        "  Peers, direct reports and partners nominated by the leaders have no account: they "
        "answer through their personal link."
    )
    return lines


def _role_detail(email):
    """What each demo sign-in shows, in one line."""
    if email == HR_EMAIL:
        return f"{PEOPLE[HR].name}, in the {HR_ADMINS_GROUP} group: runs both cycles"
    if email == SUPERVISOR_EMAIL:
        now, then = (
            sum(1 for *_row, boss in roster if boss == SUPERVISOR_KEY)
            for roster in (OPEN_ROSTER, RELEASED_ROSTER)
        )
        return (
            f"{PEOPLE[SUPERVISOR_KEY].name}, Chief of Mission, {CO_KENYA}: supervises {now} "
            f"leaders in the open cycle and {then} in last year's, {PEOPLE[LEADER].name} among them"
        )
    return (
        f"{PEOPLE[LEADER].name}, Head of Team, {CO_KENYA}: self-assessment started in the open "
        "cycle; last year's report released, with her action plan and its progress pulse"
    )


def demo_rater_link():
    """A fresh link for a peer of the demo leader who has not submitted yet, with who it is for.

    Issuing it retires that rater's previous link, as a resent invitation would."""
    rater = (
        Rater.objects.filter(
            participant__cycle__name=OPEN_CYCLE_NAME,
            participant__cycle__state=Cycle.State.OPEN,
            participant__person__email=LEADER_EMAIL,
            group=PEER,
            status__in=[Rater.Status.INVITED, Rater.Status.STARTED],
        )
        .select_related("participant__person")
        .order_by("status", "name")  # "invited" sorts before "started": a fresh start first
        .first()
    )
    if rater is None:
        return None, None
    return tokens.rater_link(tokens.issue_token(rater)), rater


def seed():
    """Create what is missing and return the lines to print."""
    rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
    # One generator per cycle, so that either can be built alone with the same result.
    cycle_rngs = [random.Random(rng.getrandbits(64)) for _ in range(2)]  # noqa: S311
    now = timezone.now()
    created = []
    with quiet_side_effects():
        people = _people()
        for spec, cycle_rng in zip(_specs(now), cycle_rngs, strict=True):
            if Cycle.objects.filter(name=spec.name).exists():
                continue
            with transaction.atomic():
                cycle = CycleBuilder(spec, people=people, rng=cycle_rng).build()
                created.append(cycle)
                if spec.released_at is not None:
                    cycle.refresh_from_db()
                    created.append(build_plan_and_pulse(cycle, people, cycle_rng).cycle)
        for cycle in created:
            cycle.refresh_from_db()
        link, rater = demo_rater_link()

    lines = []
    if created:
        lines.append("Created:")
        lines += [_summary(cycle) for cycle in created]
        invited = Rater.objects.filter(participant__cycle__in=created, invited_at__isnull=False)
        lines.append(f"  {invited.count()} invitation emails rendered and discarded (none sent).")
    else:
        lines.append("The demo cycles already exist: nothing added.")
    login = f"{settings.SITE_URL}{reverse('login')}"
    lines += ["", f"Sign in at {login} as:"]
    for email, _name, role in DEMO_PEOPLE:
        lines.append(f"  {role:<11} {email:<28} password: {DEMO_PASSWORD}")
        lines.append(f"  {'':<11} {_role_detail(email)}")
    lines += account_note()
    lines.append("")
    if link:
        lines.append(f"A rater link (no account needed): {link}")
        lines.append(
            f"  for {rater.name}, a peer of {rater.participant.person.get_full_name()}; "
            "each run issues a new link and retires the previous one."
        )
    else:
        lines.append("No rater link: every peer of the demo leader has answered or declined.")
    return lines
