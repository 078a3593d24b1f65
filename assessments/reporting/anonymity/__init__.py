"""The anonymity rule (PRODUCT §5, made stricter by issue 12) — the one place it lives.

Every report, chart, export and comparison asks this module what may be shown. Nothing here
touches the database: callers pass counts and sums that they aggregated in SQL (tallies of
(sum, count, raters, not observed) per participant × item × rater group), and get back cells
that are either shown or say why not.

The property: over everything one viewer can reach for a cycle (pages, charts, print, CSV/XLSX,
comparisons with earlier cycles, and the individual reports they may open), no number, and no
sum or difference of such numbers, rests on 1..k−1 anonymous raters, or on 1..k−1 participants
whose reports that viewer cannot open.

How it holds — **every total is built only from parts that are shown**, never from raw answers:

Individual reports
  1. Units. An anonymous group (peers, direct reports, partners) is a unit of its own only
     with at least k submitted responses. Groups below k are pooled as "Other raters"; a pool
     below k is merged into the smallest shown unit; if nothing reaches k, no anonymous answer
     is shown anywhere, and the report says why.
  2. Atoms. The smallest number is one unit on one item (an indicator or a pitfall). It is
     shown only if at least k of the unit's raters gave a real answer (not "not observed") to
     that item; otherwise it reads "too few answers". Self and supervisor are named and always
     shown.
  3. Totals from shown atoms. An enabler's or a level's number for a unit is the sum of that
     unit's *shown* atoms over the items it covers; "all except self" is the supervisor plus
     the shown atoms of that row; an evidence-gap share counts only the answers of shown atoms
     (and of items where nobody in the unit gave a real answer, which the page shows as such).
     So every number of a report is a sum of atoms, each atom resting on k or more anonymous
     raters (or on a named rater): any sum or difference of such numbers is again a sum of
     whole atoms with non-zero weight, and rests on 0 or at least k anonymous raters. Nothing
     hidden can be worked out by subtracting shown parts from a total, because no total holds
     a hidden part.
  4. Comments carry their unit's label and nothing finer, are not in submission order, and are
     left out when their unit is not shown.
  5. Nothing is shown before the cycle is released (see ``reports_visible``).
  6. One precision: a mean is shown to one decimal (``DECIMALS``) on pages, in charts (their
     data attributes included) and in exports, through ``shown_mean``.

Team and cohort reports: the unit is the participant
  7. A participant enters a team or cohort number only through what their own released report
     shows (``released_others``: the supervisor plus the shown atoms), and only with a real
     answer on what the number summarises. So units withheld in an individual report never
     feed a group number.
  8. A cell (a level, an org unit, a gender, the whole team…) is shown only if it holds at least
     k participants whose reports the viewer cannot open and whose part the viewer does not
     already know (a supervisor knows their own answers); fewer reads "suppressed" or "too few
     answers" (primary suppression).
  9. Secondary suppression, across every table that shares people: for each number (an enabler
     for "all except self", for self, a pitfall) the cells of every breakdown (levels, org units,
     genders, their totals, and the sum of each breakdown's shown cells) are searched for sums
     and differences of up to three of them that rest on 1..k−1 such participants; while one
     exists, the smallest cell in it is suppressed too. Within one breakdown this guarantees
     that the hidden remainder of a shown total is empty or holds at least k participants;
     across breakdowns (a gender nested in an org unit) it removes every such difference of
     two or three cells. Earlier cycles are other answers, so they cannot cancel these.
 10. Counts of participants (how many show next-level behaviours, how many fall in each
     self–other agreement category; ``protect_counts``) are tables too, decided together over
     every breakdown of the same people that shows them (levels and genders on the cohort page
     and in its exports; the team). A cell's counts are read only when at least k participants
     the viewer cannot open (and whose verdict they do not already know) are judged in it; a
     count of 1..k−1 such participants is hidden (the threshold rule of frequency tables). Then
     each count is searched two ways with the same search as rule 9, together with the number
     judged and with every sum of shown counts of one cell or of one category over a breakdown:
     as the set of participants it counts, so that no count hidden can be worked out, and as
     the participants it is taken over — a count of one category in a cell depends on every
     participant judged there — so that no sum or difference of up to three counts turns on
     1..k−1 of them (a level's count minus a gender's nested in it, a count minus the cells'
     total). While either finds one, the smallest count in it is hidden too.
 11. Earlier cycles' numbers ("change since the previous cycle") are shown only to readers who
     may open that earlier report (``access.may_open_report``), and as that report shows them.
 12. Fake raters defeat any threshold: nominations refuse the leader's own address in another
     case or with a "+tag" (``nominations``); where supervisors do not approve nominations, HR's
     cycle page says that anonymity rests on honest nominations.

Progress pulses (issue 19: ``running/pulses.py``, ``reporting/pulse_results.py``)
 13. A pulse has no report pages of its own; its numbers show on the action plan of the
     participation it follows, and only once the pulse is released (``pulse_results_visible``).
 14. Its raters are asked again in their 360 groups, and its units are disclosed from its own
     submitted responses with the 360's k, exactly as a report's (``disclose_units``); its rows
     are built from shown atoms (``combine_rows``), as the 360's are.
 15. A pulse compares "raters" as a whole before and after, so each of its numbers rests on a
     pool of anonymous raters, never on the supervisor alone: "all except self" is shown only
     where at least one anonymous unit (k or more raters) is shown in that row
     (``pooled_others``); otherwise it reads "too few answers". The change since the 360 is the
     difference of the two numbers as printed (``gap``); they rest on different answers (the
     360's and the pulse's), so neither can cancel a part of the other.

The rule is split in two modules, ``individual`` (1–6, 11, 13–15) and ``groups`` (7–10); callers
import it from here. ``released`` states rule 7 a second time, in SQL, for the team and cohort
reports to run in the database (what each participant's report shows, summed per measure), with
its Python twin; a test holds the two equal.
"""

from assessments.reporting.anonymity.groups import (
    JUDGED,
    TOTAL,
    Counts,
    Part,
    Protected,
    Score,
    Verdict,
    group_may_show,
    protect_counts,
    protect_tables,
)
from assessments.reporting.anonymity.individual import (
    DECIMALS,
    EMPTY,
    GROUP_LABELS,
    NO_ANSWERS,
    OTHERS,
    TOO_FEW,
    Cell,
    Disclosure,
    Row,
    Tally,
    Unit,
    build_row,
    combine_rows,
    comment_label,
    disclose_units,
    evidence_share,
    gap,
    leader_sees_progress,
    others_withheld,
    parts_behind,
    pooled_others,
    pulse_results_visible,
    released_others,
    reports_visible,
    shown_mean,
    shuffled_comments,
    unit_tally,
)

__all__ = [
    "Cell",
    "Counts",
    "DECIMALS",
    "Disclosure",
    "EMPTY",
    "GROUP_LABELS",
    "JUDGED",
    "NO_ANSWERS",
    "OTHERS",
    "Part",
    "Protected",
    "Row",
    "Score",
    "TOO_FEW",
    "TOTAL",
    "Tally",
    "Unit",
    "Verdict",
    "build_row",
    "combine_rows",
    "comment_label",
    "disclose_units",
    "evidence_share",
    "gap",
    "group_may_show",
    "leader_sees_progress",
    "others_withheld",
    "parts_behind",
    "pooled_others",
    "protect_counts",
    "protect_tables",
    "pulse_results_visible",
    "released_others",
    "reports_visible",
    "shown_mean",
    "shuffled_comments",
    "unit_tally",
]
