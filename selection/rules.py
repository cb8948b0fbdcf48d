"""Who may see and do what in selection procedures. Involvement decides, never a role alone:

- a procedure and its applications are seen by its selection committee, the chair and secretary
  of its branch, and the adviser of the association invited to it; nobody else (other branches,
  other members, other staff, administrators: the procedure does not exist for them, 404);
- a committee member who declared a conflict of interest with an applicant sees that applicant's
  name and status in the list, and nothing more: not the application, not the CV, not the scores
  or interviews, and cannot score them. The conflict wins over any other capacity the person has
  (also a conflicted secretary is kept out of that applicant);
- the procedure is set up, published and closed, and status e-mails are sent, by the branch's
  chair or secretary; applicants are invited or turned down by them or the committee's chair;
  the advice is drafted and finalised by the committee's chair;
- applicants see only their own application: members through their login, everyone through the
  secret link in their e-mails.
"""

from typing import Any

import rules

from members.rules import has_member_record

from .models import Application, SelectionProcedure
from .selectors import has_selection_work, involvement


def _procedure_id(obj: Any) -> int | None:
    if isinstance(obj, Application):
        return obj.procedure_id
    if isinstance(obj, SelectionProcedure):
        return obj.pk
    return None


def _branch_id(obj: Any) -> int | None:
    if isinstance(obj, Application):
        return obj.procedure.branch_id
    if isinstance(obj, SelectionProcedure):
        return obj.branch_id
    return None


@rules.predicate
def is_procedure_official(user: Any, obj: Any) -> bool:
    """Chair or secretary of the procedure's branch."""
    branch_id = _branch_id(obj)
    return branch_id is not None and branch_id in involvement(user).official_branches


@rules.predicate
def is_on_committee(user: Any, obj: Any) -> bool:
    procedure_id = _procedure_id(obj)
    return procedure_id is not None and procedure_id in involvement(user).committee


@rules.predicate
def is_committee_chair(user: Any, obj: Any) -> bool:
    procedure_id = _procedure_id(obj)
    entry = involvement(user).committee.get(procedure_id) if procedure_id is not None else None
    return entry is not None and entry[1] == "chair"


@rules.predicate
def is_invited_adviser(user: Any, obj: Any) -> bool:
    procedure_id = _procedure_id(obj)
    return procedure_id is not None and procedure_id in involvement(user).advised


@rules.predicate
def is_conflicted(user: Any, obj: Any) -> bool:
    """The user declared a conflict of interest with this application."""
    return isinstance(obj, Application) and obj.pk in involvement(user).conflicts


@rules.predicate
def runs_a_branch(user: Any) -> bool:
    return bool(involvement(user).official_branches)


@rules.predicate
def works_on_selection(user: Any) -> bool:
    return has_selection_work(user)


sees_procedure = is_procedure_official | is_on_committee | is_invited_adviser

rules.add_rule("selection.apply", rules.always_allow)
rules.add_rule("selection.my_applications", has_member_record)
rules.add_rule("selection.view_my_procedures", works_on_selection)
rules.add_rule("selection.open_procedure", runs_a_branch)
rules.add_rule("selection.view_procedure", sees_procedure)
rules.add_rule("selection.manage_procedure", is_procedure_official)
rules.add_rule("selection.send_status_mails", is_procedure_official)
rules.add_rule("selection.view_application", sees_procedure & ~is_conflicted)
rules.add_rule("selection.declare_conflict", is_on_committee)
rules.add_rule("selection.score", is_on_committee & ~is_conflicted)
rules.add_rule("selection.interview", (is_procedure_official | is_on_committee) & ~is_conflicted)
rules.add_rule("selection.decide_status", (is_procedure_official | is_committee_chair) & ~is_conflicted)
rules.add_rule("selection.view_advice", sees_procedure)
rules.add_rule("selection.edit_advice", is_committee_chair)
