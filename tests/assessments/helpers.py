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
