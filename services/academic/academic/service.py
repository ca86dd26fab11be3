"""Academic Affairs (教务处), windows 5 教学服务 and 6 学籍事务."""
import base64
import hashlib

from nameko.dependency_providers import Config
from nameko.rpc import rpc
from sqlalchemy import func, select

from osac_shared import cases as engine
from osac_shared.auth import require_actor
from osac_shared.cases import Case
from osac_shared.errors import DomainError, forbidden, validation_failed
from osac_shared.service import CaseService
from osac_shared.steps import Step

from .catalogue import CERTIFICATE_ITEMS, ITEMS
from .certificate import render_certificate
from . import forms as item_forms
from .domain import (RELEASED, REVOKE, REVOKED, VALID, check_download, check_revoke,
                     check_transfer, iso, may_download, new_verification_code, normalize_code,
                     open_round, public_view, revocable, unknown_view, verify_path, verify_url)
from .forms import (CertificateForm, CorrectionDoneBody, CorrectionForm, ExchangeForm,
                    PolicyQuestionForm, TransferDoneBody, TransferForm)
from .majors import MAJORS, rounds_near
from .models import Certificate, TransferApplication, lock

CORRECTION, EXCHANGE, TRANSFER = ("academic.record-correction", "academic.exchange",
                                  "academic.major-transfer")


class AcademicService(CaseService):
    """Boundary: the CaseService entrypoints (catalogue, submit_case, get_case, list_cases, act,
    expedite, health, ping) plus ``verify_certificate`` (public), ``certificate_pdf`` and
    ``revoke_certificate`` (the A post). No event handlers; no events beyond the case ones.
    A certificate is issued (PDF + verification code + QR of VERIFY_BASE_URL/verify/<code>)
    when its case is completed, and stays valid until an A post revokes it with a reason; a
    major transfer is refused at submission outside the window or when the quota is full."""
    name = "academic"
    ITEMS = ITEMS
    config = Config()            # VERIFY_BASE_URL: printed before /verify/<code> in the QR code
    FORMS = {**{code: CertificateForm for code in CERTIFICATE_ITEMS},
             "academic.policy-consultation": PolicyQuestionForm,
             "academic.record-correction": CorrectionForm,
             "academic.exchange": ExchangeForm,
             "academic.major-transfer": TransferForm}
    EXAMPLES = item_forms.EXAMPLES

    CUSTOM_ACTIONS = (REVOKE.action,)

    # ---- hooks -------------------------------------------------------------------------
    def clean_form(self, item, form):
        """The item's form and its rules, every problem in one notice; a transfer outside
        every round is refused first (409: nothing in the form can fix it)."""
        data, problems = item_forms.load_partial(self.FORMS[item.code], form)
        now = self.clock()
        if item.code == CORRECTION:
            problems.update(item_forms.correction_problems(data))
        elif item.code == EXCHANGE:
            problems.update(item_forms.exchange_problems(data, now))
        elif item.code == TRANSFER:
            problems.update(item_forms.transfer_problems(data, open_round(rounds_near(now),
                                                                          now)))
        if problems:
            raise validation_failed(problems)
        return data

    def conditional_materials(self, item, form):
        return item_forms.exchange_materials(form) if item.code == EXCHANGE else {}

    def refine_steps(self, case, item, steps):
        """Completing a correction says what the system says now; completing a transfer says
        from which term the new major counts; the academic A post may revoke a completed
        case's valid certificate."""
        done = {CORRECTION: Step("complete", "已更正，办结", "Corrected; complete",
                                 CorrectionDoneBody, tone="primary"),
                TRANSFER: Step("complete", "转入新专业，办结", "Transfer done; complete",
                               TransferDoneBody, tone="primary")}.get(item.code)
        if done is not None:
            steps = [done if s.action == "complete" else s for s in steps]
        return [*steps, REVOKE] if revocable(case.status, case.result, self.actor) else steps

    def after_submit(self, session, case, item, now):
        if item.code == "academic.major-transfer":
            self._hold_transfer_place(session, case, now)

    def after_action(self, session, case, item, action, extra, now):
        if action == "complete" and item.code in (CORRECTION, EXCHANGE, TRANSFER):
            case.result = {**(case.result or {}), **self._outcome(case, item, extra)}
        if action == "complete" and item.code in CERTIFICATE_ITEMS:
            cert = self._issue(session, case, CERTIFICATE_ITEMS[item.code], now)
            case.result = {**(case.result or {}), "certificate_code": cert.code,
                           "certificate_status": VALID, "verify_path": verify_path(cert.code),
                           "verify_url": self._verify_url(cert.code)}

    def _outcome(self, case, item, extra):
        """What a completed correction, exchange or transfer leaves in the case's result."""
        form = case.form
        if item.code == CORRECTION:
            value = str(extra.get("corrected_value") or form["correct_value"]).strip()
            return {"corrected": {"record": form.get("record", ""), "term": form.get("term", ""),
                                  "from": form["wrong_value"], "to": value}}
        if item.code == EXCHANGE:
            return {"nominated": {"partner_university": form["partner_university"],
                                  "academic_year": form["academic_year"],
                                  "term": form["term"]}}
        term = str(extra.get("effective_term") or "").strip() or \
            item_forms.next_term((case.result or {})["transfer_round"])
        zh, en = MAJORS[form["target_major"]]
        return {"new_major": form["target_major"], "new_major_zh": zh, "new_major_en": en,
                "effective_term": term}

    def _hold_transfer_place(self, session, case, now):
        form = case.form
        round_ = open_round(rounds_near(now), now)
        lock(session, f"academic.major-transfer.{round_.code}")
        live = (select(func.count()).select_from(TransferApplication)
                .join(Case, Case.id == TransferApplication.case_id)
                .where(Case.status.not_in(RELEASED)))
        used = session.scalar(live.where(TransferApplication.round_code == round_.code,
                                         TransferApplication.target_major == form["target_major"]))
        mine = session.scalar(live.where(TransferApplication.round_code == round_.code,
                                         TransferApplication.student_id == case.student_id))
        check_transfer(round_, form["current_major"], form["target_major"], used, mine > 0)
        session.add(TransferApplication(case_id=case.id, round_code=round_.code,
                                        student_id=case.student_id,
                                        current_major=form["current_major"],
                                        target_major=form["target_major"]))
        case.result = {"transfer_round": round_.code}

    def _issue(self, session, case, kind, now):
        code = new_verification_code()
        pdf = render_certificate(kind, case.student_name or case.student_id, case.student_id,
                                 case.form.get("purpose", ""), code, now,
                                 self._verify_url(code))
        cert = Certificate(code=code, case_id=case.id, student_id=case.student_id,
                           student_name=case.student_name or "", kind=kind, issued_at=now,
                           sha256=hashlib.sha256(pdf).hexdigest(), pdf=pdf)
        session.add(cert)
        return cert

    def _verify_url(self, code):
        return verify_url(self.config.get("VERIFY_BASE_URL"), code)

    # ---- entrypoints -------------------------------------------------------------------
    @rpc
    def verify_certificate(self, code):
        """PUBLIC (no actor): is this a certificate we issued, and is it still valid? Only a
        masked name and student id (``domain.public_view``); {valid: False, status: unknown}
        for a code we never issued or that cannot be one."""
        code = normalize_code(code)
        cert = self.db.get(Certificate, code) if code else None
        if cert is None:
            return unknown_view()
        return public_view(cert.code, cert.kind, cert.student_name, cert.student_id,
                           cert.issued_at, cert.sha256, cert.revoked_at, cert.revoke_reason)

    @rpc
    def revoke_certificate(self, case_id, reason):
        """An Academic Affairs A post voids the certificate of a completed case, with a reason
        the public verification shows from then on. 403 for anyone else, 409 when the case has
        no certificate or it is already revoked, 422 for a blank reason. -> the certificate as
        the public now sees it, with case_id and revoked_by."""
        case, cert = self._revoke(case_id, reason)
        return {"case_id": case.id, "revoked_by": cert.revoked_by,
                **public_view(cert.code, cert.kind, cert.student_name, cert.student_id,
                              cert.issued_at, cert.sha256, cert.revoked_at, cert.revoke_reason)}

    def revoke_certificate_step(self, case_id, reason):
        """The ``revoke_certificate`` step of ``perform`` (next_actions): -> the case."""
        return self.to_dict(self._revoke(case_id, reason)[0])

    def _revoke(self, case_id, reason):
        actor = require_actor(self.actor)
        case = engine.get_case(self.db, case_id)
        cert = self.db.scalar(select(Certificate).where(Certificate.case_id == case_id)
                              .with_for_update())
        if cert is None:
            check_revoke(actor, None, reason)            # who may, and the reason, come first
            raise DomainError("certificate_not_issued", "该事项没有已开具的证明，无法撤销",
                              "This case has no issued certificate to revoke",
                              {"case_id": "只有已办结的证明类事项可以撤销 / only a completed "
                                          "certificate case can be revoked"}, 409)
        reason = check_revoke(actor, cert.revoked_at, reason)
        now = self.clock()
        cert.revoked_at, cert.revoked_by, cert.revoke_reason = now, actor["id"], reason
        case.result = {**(case.result or {}), "certificate_status": REVOKED,
                       "revoked_at": iso(now), "revoke_reason": reason}
        self.db.commit()
        return case, cert

    @rpc
    def certificate_pdf(self, case_id):
        """The issued certificate of a completed case, for its student, Academic Affairs staff
        or the director: {case_id, code, filename, content_type, sha256, pdf_base64}."""
        actor = require_actor(self.actor)
        case = engine.get_case(self.db, case_id)
        if not may_download(actor, case.student_id):
            raise forbidden("只有本人、教务处工作人员或大厅主任可以下载该证明",
                            "Only the student, Academic Affairs staff or the director may "
                            "download this")
        cert = self.db.scalar(select(Certificate).where(Certificate.case_id == case_id))
        if cert is None:
            raise DomainError("certificate_not_issued", "该事项尚未办结，证明还未生成",
                              "The certificate is issued when the case is completed",
                              {"case_id": "请在办结后下载 / download it once completed"}, 409)
        check_download(actor, cert.revoked_at)
        return {"case_id": case_id, "code": cert.code, "filename": f"{cert.kind}-{cert.code}.pdf",
                "content_type": "application/pdf", "sha256": cert.sha256,
                "pdf_base64": base64.b64encode(cert.pdf).decode("ascii")}
