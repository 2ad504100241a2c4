"""Every state change of a dossier: one function per use case, one transaction, audit written.

Each service takes the acting `User`, checks the actor's role and agency, locks the dossier row, performs the
FSM transition (the protected state field is never assigned), writes the step records and the public event,
and sets the history reason. When an action is not allowed it raises `DossierActionError` (or its
`DossierPermissionError` subclass) with a translated message, and nothing is written.

The package's modules, each re-exported here so callers write `from dossiers import services; services.receive`:
- `_core`: the locked dossier and acting official, role and step-holder checks, the one audited save, the one
  event writer, numbered letters, `ROLES_FOR`;
- `reception`: receive, refuse at the counter, guidance slip;
- `processing`: assign, forward, send back;
- `pauses`: supplement and financial obligation (one pause/resume), extensions (Mẫu 04);
- `closing`: result ready and returned, stop, reject, withdraw;
- `records`: prints, result documents, the personal-data access log, the citizen's opt-out;
- `audit_chain` and `certificates`: the chain's publication and checks, the agency's signing certificate.
Codes and tokens are `dossiers.codes` (satisfaction uses them too).

Legal basis: Nghị định 118/2025/NĐ-CP on the one-stop mechanism (as amended by 367/2025/NĐ-CP) and the forms of
Thông tư 03/2025/TT-VPCP; dossier codes follow Thông tư 01/2018/TT-VPCP Điều 19.
"""
from ..codes import new_token
from ..errors import DossierActionError, DossierPermissionError
from ._core import (
    LETTER_KINDS,
    ROLES_FOR,
    STEP_HOLDER_ACTIONS,
    Event,
    _audited_save,
    _Context,
    _event,
    _save,
    _start,
    can_act_on_step,
    official_of,
    require_action_role,
)
from .audit_chain import publish_chain_heads, verify_audit_chains
from .certificates import add_trusted_root, install_agency_certificate, record_certificate_use
from .closing import mark_processed, reject, return_result, stop, withdraw
from .pauses import (
    approve_extension,
    await_payment,
    confirm_payment,
    extension_deadline,
    fulfil_supplement,
    reject_extension,
    request_extension,
    request_supplement,
)
from .processing import assign, forward, send_back
from .reception import (
    GUIDANCE_NAME_LENGTH,
    GUIDANCE_PHONE_LENGTH,
    SUPPLEMENT_NOTICE_WORKING_DAYS,
    Applicant,
    ReceivedDocument,
    give_guidance,
    preview_due_at,
    receive,
    refuse_at_counter,
)
from .records import (
    opt_out_of_notifications,
    record_access,
    record_print,
    register_result_document,
)

__all__ = [
    "GUIDANCE_NAME_LENGTH", "GUIDANCE_PHONE_LENGTH", "LETTER_KINDS", "ROLES_FOR", "STEP_HOLDER_ACTIONS", "SUPPLEMENT_NOTICE_WORKING_DAYS",
    "Applicant", "DossierActionError", "DossierPermissionError", "Event", "ReceivedDocument", "_Context",
    "_audited_save", "_event", "_save", "_start", "add_trusted_root", "approve_extension", "assign", "await_payment",
    "can_act_on_step", "confirm_payment", "extension_deadline", "forward", "fulfil_supplement", "give_guidance",
    "install_agency_certificate", "mark_processed", "new_token", "official_of", "opt_out_of_notifications",
    "preview_due_at", "publish_chain_heads", "receive", "record_access", "record_certificate_use", "record_print",
    "refuse_at_counter", "register_result_document", "reject", "reject_extension", "request_extension",
    "request_supplement", "require_action_role", "return_result", "send_back", "stop", "verify_audit_chains", "withdraw",
]
