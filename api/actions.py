"""The contract actions of the API: the contract page's own table (assessments.views.ACTIONS:
form, side, service call) so that the API validates with the same forms and calls the same
services; which actions a side has in a state is the page's AVAILABLE."""

import inspect

from assessments.selectors import contract_side
from assessments.views import ACTIONS, AVAILABLE


def available_actions(user, contract) -> list[str]:
    """Return the action names `user` may take on `contract` in its current state."""
    return list(AVAILABLE.get(contract_side(user), {}).get(contract.state, []))


def may_act(user, action: str) -> bool:
    """True when `user`'s side (holder or district) may take `action` at all."""
    side = ACTIONS[action][1]
    return side == "either" or side == contract_side(user)


def action_form(action: str, contract, data=None, files=None):
    """Return the page's form of `action`, bound to `data` (no prefix)."""
    form_class = ACTIONS[action][0]
    kwargs = {}
    if "contract" in inspect.signature(form_class.__init__).parameters:
        kwargs["contract"] = contract
    return form_class(data, files, **kwargs)


def action_run(action: str, user, contract, cleaned_data):
    """Call the service of `action`. Raises the service's ValidationError/PermissionDenied."""
    return ACTIONS[action][2](user, contract, cleaned_data)
