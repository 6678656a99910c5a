"""One planner per kind of question: each turns the scored sentences into an AnswerPlan of its shape."""

from __future__ import annotations

from collections.abc import Callable

from server.answer.staged.parse import QuestionKind
from server.answer.staged.plan import AnswerPlan, PlanContext
from server.answer.staged.planners import (
    choice,
    date,
    explanation,
    figure,
    list_members,
    overview,
    person,
    place,
    quote,
    who_is,
    yes_no,
)

Planner = Callable[[PlanContext], AnswerPlan]

PLANNERS: dict[QuestionKind, Planner] = {
    QuestionKind.PERSON: person.plan,
    QuestionKind.PLACE: place.plan,
    QuestionKind.DATE: date.plan,
    QuestionKind.CHOICE: choice.plan,
    QuestionKind.FIGURE: figure.plan,
    QuestionKind.WHO_IS: who_is.plan,
    QuestionKind.YES_NO: yes_no.plan,
    QuestionKind.QUOTE: quote.plan,
    QuestionKind.LIST: list_members.plan,
    QuestionKind.EXPLANATION: explanation.plan,
    QuestionKind.OVERVIEW: overview.plan,
}


def plan_answer(context: PlanContext) -> AnswerPlan:
    return PLANNERS[context.question.kind](context)
