"""The Dutch words the store's motion timeline (``Repository.timeline``) still writes.

What is left of prose in ``state``: the timeline entries' ``detail`` text, which ``status
--json`` and the API show as is. The words are the Dutch labels of ``templates/render.py``
(``tests/state/test_changes_codes.py`` holds the two equal) so that there is one vocabulary; the
step after this one moves the timeline's words into ``templates/`` and deletes this module.
"""

from __future__ import annotations

from collections.abc import Mapping

from state.models import Decision, ExecutionStatus, ParliamentaryStatus

__all__ = ["EXECUTION_LABELS", "STATUS_LABELS", "decision_label"]

STATUS_LABELS: Mapping[ParliamentaryStatus, str] = {
    ParliamentaryStatus.SUBMITTED: "ingediend",
    ParliamentaryStatus.ADOPTED: "aangenomen",
    ParliamentaryStatus.REJECTED: "verworpen",
    ParliamentaryStatus.HELD: "aangehouden",
    ParliamentaryStatus.WITHDRAWN: "ingetrokken",
    ParliamentaryStatus.TAKEN_OVER: "overgenomen",
    ParliamentaryStatus.POSTPONED: "stemming uitgesteld",
    ParliamentaryStatus.TIED: "stemmen gestaakt",
    ParliamentaryStatus.LAPSED: "vervallen",
    ParliamentaryStatus.REPLACED: "vervangen",
    ParliamentaryStatus.UNKNOWN: "onbekend",
}

EXECUTION_LABELS: Mapping[ExecutionStatus, str] = {
    ExecutionStatus.EXECUTED: "uitgevoerd",
    ExecutionStatus.IN_PROGRESS: "in uitvoering",
    ExecutionStatus.NOT_APPLICABLE: "niet langer van toepassing",
    ExecutionStatus.DECLINED: "wordt niet uitgevoerd",
}


def decision_label(decision: Decision) -> str:
    """``aangenomen (113-37)``: the decision with its tally when votes are known."""
    label = STATUS_LABELS[decision.status]
    if decision.votes and any(v.seats for v in decision.votes):
        yes, no = decision.tally
        return f"{label} ({yes}-{no})"
    return label
