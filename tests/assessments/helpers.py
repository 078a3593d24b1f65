"""Shared helpers for answering questionnaires in tests."""

from assessments.questionnaire import build_questionnaire
from assessments.tokens import issue_token


def linked_rater(rater):
    """Give ``rater`` a link and return (rater, token)."""
    return rater, issue_token(rater)


def section_post(section, value="3", **extra):
    data = {item.key: value for item in section.items}
    data.update(extra)
    return data


def answer_everything(client, url_for_section, level, value="4"):
    questionnaire = build_questionnaire(level)
    for section in questionnaire.sections:
        response = client.post(url_for_section(section.number), section_post(section, value))
        assert response.status_code == 302, response.content[:500]
    return questionnaire


def submit_all(rater, value="3", override=None, comments=None, submit=True):
    """Answer every item of ``rater``'s questionnaire through the real rules, then submit.

    ``value`` is a score for every item, or a function of the item; ``override`` maps item keys
    to values; ``comments`` maps enabler positions (1–7) to {"strength"/"improvement": text}.
    """
    from assessments import responses

    questionnaire = build_questionnaire(rater.participant.level)
    for section in questionnaire.sections:
        values = {item.key: (value(item) if callable(value) else value) for item in section.items}
        values.update({k: v for k, v in (override or {}).items() if k in values})
        responses.save_section(
            rater=rater,
            section=section,
            values=values,
            comments=(comments or {}).get(section.number, {}),
        )
    if submit:
        responses.submit_response(rater=rater)
    return questionnaire
