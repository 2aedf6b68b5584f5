"""Why an event is refused: stable codes with a message in Chinese and English.

Codes are part of the public contract: site apps branch on them. Add codes; never reuse one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str

    def format(self, **values: Any) -> Rejection:
        return Rejection(self.code, self.zh.format(**values), self.en.format(**values))


@dataclass(frozen=True)
class Rejection:
    """A decided refusal of one event, with its stable code."""

    code: str
    message_zh: str
    message_en: str
    details: tuple[Rejection, ...] = ()
    """Every item behind a summary refusal (e.g. each gap that blocks completion)."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "zh": self.message_zh, "en": self.message_en}
        if self.details:
            out["items"] = [d.as_dict() for d in self.details]
        return out


MALFORMED = Reason("event.malformed", "事件格式无效：{detail}", "malformed event: {detail}")
UNKNOWN_TYPE = Reason("event.unknown_type", "未知事件类型 {type}", "unknown event type {type}")
ID_CONFLICT = Reason(
    "event.id_conflict",
    "事件编号 {event_id} 已用于内容不同的事件，原事件保持不变",
    "event id {event_id} was already used for different content; the original stands",
)
UNPROCESSABLE = Reason(
    "event.unprocessable",
    "事件无法处理，已隔离记录：{detail}",
    "the event could not be processed and was set aside with its bytes: {detail}",
)
FROM_THE_FUTURE = Reason(
    "time.in_future",
    "发生时间 {occurred_at} 晚于服务器时间超过 {tolerance} 秒",
    "occurred_at {occurred_at} is more than {tolerance} s ahead of the server clock",
)
BEFORE_REGISTRATION = Reason(
    "time.before_registration",
    "发生时间 {occurred_at} 早于项目登记时间 {registered_at}",
    "occurred_at {occurred_at} is before the project's registration at {registered_at}",
)
NOT_REGISTERED = Reason(
    "project.not_registered",
    "项目 {project_id} 尚未登记",
    "project {project_id} is not registered",
)
ALREADY_REGISTERED = Reason(
    "project.already_registered",
    "项目 {project_id} 已登记",
    "project {project_id} is already registered",
)
ROLE_NOT_ALLOWED = Reason(
    "auth.role_not_allowed",
    "角色 {role} 不能提交 {type}",
    "role {role} may not submit {type}",
)
NOT_A_PARTY = Reason(
    "auth.not_a_party",
    "单位 {org} 在本项目中不担任 {role}",
    "organization {org} does not hold the {role} role on this project",
)
BAD_CREDIT_CODE = Reason(
    "identity.bad_credit_code",
    "{field} 的统一社会信用代码 {code} 校验位错误（GB 32100-2015）",
    "{field}: unified social credit code {code} fails its check character (GB 32100-2015)",
)
BAD_ID_NUMBER = Reason(
    "identity.bad_id_number",
    "{field} 的公民身份号码校验位错误（GB 11643）",
    "{field}: citizen ID number fails its check character (GB 11643)",
)
ALREADY_APPOINTED = Reason(
    "party.already_appointed", "{role} 单位已委托", "a {role} party is already appointed"
)
OWNER_IS_REGISTRANT = Reason(
    "party.owner_is_registrant",
    "建设单位必须是登记项目的单位，而不是 {org}",
    "the owner party must be the organization that registered the project, not {org}",
)
NOT_YOUR_ROLE = Reason(
    "auth.not_your_role",
    "以 {role} 身份不能代表 {target} 单位提交",
    "acting as {role}, you cannot submit for the {target} party",
)
NOT_APPOINTED = Reason(
    "party.not_appointed",
    "{role} 单位尚未委托或无在任负责人",
    "no {role} party with a current lead is appointed",
)
CHANGE_BEFORE_CURRENT = Reason(
    "party.change_before_current",
    "{role} 负责人变更时间须晚于现任负责人起始时间 {start}",
    "a {role} lead change must take effect after the current lead's start {start}",
)
UNKNOWN_LEAD = Reason(
    "party.unknown_lead",
    "该身份号码不是 {role} 单位的项目负责人",
    "that ID number is not a {role} project lead on this project",
)
COMMITMENT_EXISTS = Reason(
    "party.commitment_exists",
    "{role} 负责人已签署终身责任承诺书",
    "the {role} lead already signed the lifelong commitment",
)
WITNESS_EMPLOYER = Reason(
    "witness.wrong_employer",
    "见证人必须是建设单位或监理单位人员，{org} 不是",
    "a witness must work for the owner or the supervision party; {org} is neither",
)
SIGNATURES_MISSING = Reason(
    "quality.signatures_missing",
    "检验批验收须有施工单位和监理单位签字",
    "an inspection lot acceptance needs both the construction and the supervision signature",
)
DUPLICATE_ID = Reason(
    "quality.duplicate_id", "{kind} 编号 {id} 已存在", "{kind} id {id} already exists"
)
UNKNOWN_NONCONFORMANCE = Reason(
    "nonconformance.unknown", "质量问题 {id} 不存在", "nonconformance {id} does not exist"
)
NONCONFORMANCE_STATUS = Reason(
    "nonconformance.wrong_status",
    "质量问题 {id} 状态为 {status}，须为 {needed}",
    "nonconformance {id} is {status}; it must be {needed}",
)
CORRECTION_UNKNOWN = Reason(
    "correction.unknown_event",
    "被更正事件 {event_id} 不在本项目的记录中",
    "corrected event {event_id} is not sealed on this project's trail",
)
CORRECTION_NOT_AUTHOR = Reason(
    "correction.not_author",
    "只有原提交单位或建设单位可以更正事件 {event_id}",
    "only the organization that submitted event {event_id}, or the owner, may correct it",
)
CORRECTION_INVALID = Reason(
    "correction.invalid",
    "更正后的内容无效：{detail}",
    "the corrected record would be invalid: {detail}",
)
NOT_CORRECTABLE = Reason(
    "correction.not_correctable",
    "{type} 的字段 {field} 不能更正，请提交新的事实（例如负责人变更）",
    "field {field} of {type} cannot be corrected; submit a new fact instead (e.g. a lead change)",
)
NOT_YET_APPOINTED = Reason(
    "auth.not_yet_appointed",
    "{role} 单位的委托自 {start} 起生效，事件发生时间 {occurred_at} 早于此",
    "the {role} appointment takes effect at {start}; the event occurred earlier, at {occurred_at}",
)
MATERIALS_FIELD = Reason("materials.invalid", "{field}：{why}", "{field}: {why}")
UNKNOWN_SAMPLE = Reason(
    "materials.unknown_sample", "样品 {sample} 不存在", "sample {sample} does not exist"
)
SAMPLE_NOT_RECEIVED = Reason(
    "materials.sample_not_received",
    "样品 {sample} 尚未由检测机构收样核对封样",
    "sample {sample} has not been received (and its seal checked) by the lab",
)
WITNESS_NOT_AUTHORIZED = Reason(
    "materials.witness_not_authorized",
    "{name} 不是本项目经书面授权的见证人",
    "{name} is not an authorized witness on this project",
)
REPORT_REUSED = Reason(
    "materials.report_number_reused",
    "报告编号 {report} 已被使用（{where}），疑似伪造报告",
    "report number {report} was already used ({where}): suspected counterfeit report",
)
LOT_NOT_CLOSABLE = Reason(
    "materials.lot_not_closable",
    "{lot_zh} 不能结束：尚有 {count} 项未满足",
    "{lot} cannot be closed: {count} item(s) outstanding",
)
SAMPLE_WITHOUT_RESULT = Reason(
    "materials.sample_without_result",
    "样品 {sample} 尚无检测结果或经批准的处置：{why}",
    "sample {sample} has neither a result nor an authorised disposal: {why}",
)
GRADE_MISMATCH = Reason(
    "materials.grade_mismatch",
    "样品 {sample} 为 {grade}，与{lot_zh}的 {expected} 不符",
    "sample {sample} is {grade}, not the {expected} of {lot}",
)
LOT_ALREADY_CLOSED = Reason(
    "materials.lot_closed",
    "{lot_zh} 已结束，不能再加入样品{unless}",
    "{lot} is closed: no sample may join it{unless_en}",
)
SAMPLE_DISPOSED = Reason(
    "materials.sample_disposed",
    "样品 {sample} 已记录为{cause_zh}，不能再检测或处置",
    "sample {sample} was recorded {cause}: it can be neither tested nor disposed of again",
)
DISPOSAL_NOT_ALLOWED = Reason(
    "materials.disposal_not_allowed",
    "样品 {sample} 不能记录为遗失或损坏：{why}",
    "sample {sample} cannot be recorded lost or damaged: {why}",
)
DISPOSAL_REQUIRED = Reason(
    "materials.disposal_required",
    "预警 {alert} 是材料不合格，只能按 GB 50300-2013 第5.0.6条处理（复验、实体检测、设计单位核算、返工或加固后重新验收），不能以文字说明关闭",
    "alert {alert} is a material failure: it closes only through the disposal GB 50300-2013 §5.0.6 prescribes (re-test, in-situ testing, the design unit's check, rework or repair and re-acceptance), never by a written resolution",
)
NO_OPEN_FAILURE = Reason(
    "materials.no_open_failure",
    "预警 {alert} 不是待处理的材料不合格",
    "alert {alert} is not an open material failure",
)
STEP_NOT_ALLOWED = Reason(
    "materials.step_not_allowed",
    "{lot_zh} 的处理不能进行{step_zh}：{why}",
    "{step} is not open for {lot}: {why}",
)
# The acceptance hierarchy (GB 50300-2013) and the building's completion formalities.
UNIT_EXISTS = Reason(
    "acceptance.unit_exists",
    "unit_id：单位工程 {unit} 已登记",
    "unit_id: building {unit} is already registered",
)
UNKNOWN_UNIT = Reason(
    "acceptance.unknown_unit",
    "unit_id：单位工程 {unit} 尚未登记，请先提交单位工程登记（qtrail.project.unit_registered）",
    "unit_id: building {unit} is not registered; register it first (qtrail.project.unit_registered)",
)
UNIT_COMPLETED = Reason(
    "acceptance.unit_completed",
    "unit_id：单位工程 {unit} 已竣工验收，不能再记录其验收",
    "unit_id: building {unit} has passed completion acceptance; its acceptance records are closed",
)
DIVISION_NOT_DECLARED = Reason(
    "acceptance.division_not_declared",
    "division：单位工程 {unit} 登记的分部工程中没有{division_zh}（{division}）",
    "division: building {unit} did not declare the {division_en} division ({division})",
)
LOT_NOT_ACCEPTED = Reason(
    "acceptance.lot_not_accepted",
    "inspection_lots：检验批 {lot} 未经验收",
    "inspection_lots: inspection lot {lot} was never accepted",
)
LOT_IN_OTHER_SUBITEM = Reason(
    "acceptance.lot_in_other_subitem",
    "inspection_lots：检验批 {lot} 已计入分项工程 {other}",
    "inspection_lots: inspection lot {lot} already makes up sub-item {other}",
)
SUBITEM_INCOMPLETE = Reason(
    "acceptance.subitem_incomplete",
    "分项工程不能验收：尚有 {count} 项未满足",
    "the sub-item cannot be accepted: {count} item(s) outstanding",
)
SUBITEM_ACCEPTED = Reason(
    "acceptance.subitem_already_accepted",
    "subitem：单位工程 {unit} 的{division_zh}分项工程 {subitem} 已验收",
    "subitem: sub-item {subitem} of building {unit}'s {division_en} division is already accepted",
)
DIVISION_INCOMPLETE = Reason(
    "acceptance.division_incomplete",
    "{division_zh}分部工程不能验收：尚有 {count} 项未满足",
    "the {division_en} division cannot be accepted: {count} item(s) outstanding",
)
DIVISION_ACCEPTED = Reason(
    "acceptance.division_already_accepted",
    "division：单位工程 {unit} 的{division_zh}分部工程已验收",
    "division: building {unit}'s {division_en} division is already accepted",
)
SUBITEM_NOT_ACCEPTED = Reason(
    "acceptance.subitem_not_accepted",
    "subitems：分项工程 {subitem} 未在单位工程 {unit} 的{division_zh}中验收",
    "subitems: sub-item {subitem} was not accepted in building {unit}'s {division_en} division",
)
SUBITEM_LEFT_OUT = Reason(
    "acceptance.subitem_left_out",
    "subitems：已验收的分项工程 {subitem} 未列入{division_zh}分部工程",
    "subitems: the accepted sub-item {subitem} is left out of the {division_en} division",
)
DIVISION_SIGNATURE_MISSING = Reason(
    "acceptance.division_signature_missing",
    "lead_signatures：缺少{role}项目负责人签字（GB 50300-2013 第6.0.3条）",
    "lead_signatures: the {role} lead's signature is missing (GB 50300-2013 §6.0.3)",
)
DIVISION_SIGNATURE_EXTRA = Reason(
    "acceptance.division_signature_extra",
    "lead_signatures：GB 50300-2013 第6.0.3条不要求{role}项目负责人签署{division_zh}分部工程验收",
    "lead_signatures: GB 50300-2013 §6.0.3 does not call the {role} lead to sign the {division_en} division",
)
SIGNER_NOT_APPOINTED = Reason(
    "acceptance.signer_not_appointed",
    "lead_signatures：{role} 单位未委托或无在任项目负责人，无人可签字",
    "lead_signatures: no {role} party with a current lead is appointed to sign",
)
NOT_HOUSING = Reason(
    "acceptance.not_housing",
    "unit_id：单位工程 {unit} 不是住宅，无分户验收",
    "unit_id: building {unit} is not housing; it has no per-dwelling acceptance",
)
DWELLINGS_REFUSED = Reason(
    "acceptance.dwellings_refused",
    "分户验收不能记录：尚有 {count} 项不符",
    "the per-dwelling acceptance cannot be recorded: {count} item(s) wrong",
)
UNKNOWN_DWELLING = Reason(
    "acceptance.unknown_dwelling",
    "results：户号 {dwelling} 不在单位工程 {unit} 登记的户号中",
    "results: dwelling {dwelling} is not one building {unit} registered",
)
DWELLING_PASSED = Reason(
    "acceptance.dwelling_already_passed",
    "results：户 {dwelling} 已分户验收合格，只有不合格的户可以复验",
    "results: dwelling {dwelling} already passed; only a failed dwelling is inspected again",
)
NOTICE_TOO_LATE = Reason(
    "acceptance.notice_too_late",
    "planned_on：告知日 {filed_on} 至验收日 {planned_on} 之间只有 {days} 个工作日，须至少 7 个（房屋建筑和市政基础设施工程竣工验收规定第六条）{unknown_zh}",
    "planned_on: only {days} working day(s) between the notice on {filed_on} and the acceptance on {planned_on}; at least 7 are required (竣工验收规定 art. 6){unknown_en}",
)
NOTICE_FILED_LATER = Reason(
    "acceptance.notice_filed_later",
    "filed_on：告知日 {filed_on} 晚于记录日 {recorded_on}",
    "filed_on: the notice is dated {filed_on}, after the day it is recorded, {recorded_on}",
)
WARRANTY_EXISTS = Reason(
    "acceptance.warranty_exists",
    "unit_id：单位工程 {unit} 已出具质量保修书",
    "unit_id: building {unit} already has its warranty certificate",
)
WARRANTY_INCOMPLETE = Reason(
    "acceptance.warranty_incomplete",
    "质量保修书不符合《建设工程质量管理条例》第四十条：尚有 {count} 项未满足",
    "the warranty certificate falls short of the Construction Quality Regulations art. 40: {count} item(s)",
)
WARRANTY_PART_MISSING = Reason(
    "acceptance.warranty_part_missing",
    "terms：缺少{part_zh}（{part}）的保修期限（{clause}）",
    "terms: no term for {part_en} ({part}) ({clause})",
)
WARRANTY_TOO_SHORT = Reason(
    "acceptance.warranty_too_short",
    "terms：{part_zh}（{part}）保修 {given}，短于法定最低 {minimum}（{clause}）",
    "terms: {part_en} ({part}) is warranted for {given}, less than the statutory {minimum} ({clause})",
)
WARRANTY_PART_UNFIT = Reason(
    "acceptance.warranty_term_unfit",
    "terms：{part_zh}（{part}）的期限须以{unit_zh}计",
    "terms: {part_en} ({part}) is warranted in {unit_en}",
)
COMPLETION_IMPLICIT_UNIT = Reason(
    "completion.implicit_unit",
    "unit_id：{unit} 只用于读取登记单位工程之前的记录；请先登记单位工程（qtrail.project.unit_registered），再按其编号竣工验收",
    "unit_id: {unit} only reads records from before buildings were registered; register the building (qtrail.project.unit_registered) and accept it by its id",
)
DIVISION_NOT_ACCEPTED = Reason(
    "completion.division_not_accepted",
    "{division_zh}分部工程尚未验收",
    "the {division_en} division is not accepted",
)
NO_WARRANTY = Reason(
    "completion.no_warranty",
    "施工单位尚未出具质量保修书",
    "the builder has not issued the warranty certificate",
)
NO_NOTICE = Reason(
    "completion.no_notice",
    "尚未告知质量监督机构竣工验收的时间",
    "the supervision station was not told of the acceptance",
)
NOTICE_OTHER_DAY = Reason(
    "completion.notice_other_day",
    "accepted_on：告知质量监督机构的验收日期为 {planned_on}，不是 {accepted_on}",
    "accepted_on: the station was told of an acceptance on {planned_on}, not {accepted_on}",
)
COMPLETION_NOTICE_LATE = Reason(
    "completion.notice_too_late",
    "告知日 {filed_on} 至验收日 {accepted_on} 之间只有 {days} 个工作日，须至少 7 个{unknown_zh}",
    "only {days} working day(s) between the notice on {filed_on} and the acceptance on {accepted_on}; at least 7 are required{unknown_en}",
)
DWELLING_UNINSPECTED = Reason(
    "completion.dwelling_uninspected",
    "户 {dwelling} 尚未分户验收",
    "dwelling {dwelling} has had no per-dwelling acceptance",
)
DWELLING_FAILED = Reason(
    "completion.dwelling_failed",
    "户 {dwelling} 分户验收不合格（{issues}），尚未复验合格",
    "dwelling {dwelling} failed its per-dwelling acceptance ({issues}) and has not passed since",
)
COMPLETION_INCOMPLETE = Reason(
    "completion.incomplete",
    "不能竣工验收：尚有 {count} 项未满足",
    "completion cannot be accepted: {count} item(s) outstanding",
)
COMPLETION_DONE = Reason(
    "completion.already_accepted", "已竣工验收", "completion was already accepted"
)
SIGNATURE_MISSING = Reason(
    "completion.signature_missing",
    "缺少{role}项目负责人签字",
    "the {role} lead's signature is missing",
)
OPEN_NONCONFORMANCE = Reason(
    "completion.open_nonconformance",
    "质量问题 {id} 尚未关闭（{status}）",
    "nonconformance {id} is not closed ({status})",
)
OPEN_ALERT = Reason("completion.open_alert", "预警未处理：{message}", "unresolved alert: {message}")
COMPLETION_WITHOUT_RESULT = Reason(
    "completion.sample_without_result",
    "样品 {sample}（{material}，批 {lot}）尚无检测结果或经批准的处置：{why}",
    "sample {sample} ({material}, lot {lot}) has neither a result nor an authorised disposal: {why}",
)
COMPLETION_PRELIMINARY = Reason(
    "completion.preliminary_result",
    "样品 {sample}（{material}，批 {lot}）只有初步结果：{why}",
    "sample {sample} ({material}, lot {lot}) has a preliminary result only: {why}",
)
COMPLETION_LOT_OPEN = Reason(
    "completion.lot_open",
    "{lot_zh} 有 {count} 个样品，尚未结束",
    "{lot} has {count} sample(s) and is not closed",
)
ROLE_UNAPPOINTED = Reason(
    "archive.role_unappointed", "{role} 单位未委托", "no {role} party appointed"
)
NO_CURRENT_LEAD = Reason("archive.no_current_lead", "无在任项目负责人", "no current project lead")
COMMITMENT_MISSING = Reason(
    "archive.commitment_missing",
    "{lead} 未签署终身责任承诺书",
    "{lead} has no signed lifelong commitment",
)
EVIDENCE_PENDING = Reason(
    "archive.evidence_pending",
    "证据文件 {sha}… 尚未上传",
    "evidence file {sha}… not uploaded yet",
)
UNKNOWN_PLAQUE = Reason(
    "plaque.unknown", "标牌 {serial} 不存在或已撤销", "plaque {serial} does not exist or is revoked"
)
NOT_COMPLETED = Reason(
    "plaque.not_completed", "项目尚未竣工验收", "the project has not passed completion acceptance"
)
REGISTRATION_MISSING = Reason(
    "party.registration_missing",
    "{field}：{lead_zh}须填写注册执业证号",
    "{field}: the {lead} must carry a registration number",
)
REGISTRATION_PLACEHOLDER = Reason(
    "party.registration_placeholder",
    "{field}：{number} 不是注册执业证号，{lead_zh}须填写注册证书上的编号",
    "{field}: {number} is not a registration number; the {lead} must give the certificate's",
)
QUALIFICATION_MISSING = Reason(
    "party.qualification_missing",
    "{field}：{lead_zh}须填写执业资格（{needs_zh}）",
    "{field}: the {lead} must state the qualification ({needs})",
)
QUALIFICATION_MISMATCH = Reason(
    "party.qualification_mismatch",
    "{field}：{title} 不是{lead_zh}所需的执业资格，须为{needs_zh}",
    "{field}: {title} is not the qualification of a {lead}, who must be a {needs}",
)
WITNESS_IS_SAMPLER = Reason(
    "materials.witness_is_sampler",
    "{field}：取样人不能为自己取的样品见证",
    "{field}: the sampler cannot witness their own sample",
)
WITNESS_NAMED_AS_SAMPLER = Reason(
    "materials.witness_named_as_sampler",
    "{field}：见证人与取样人同名（{name}），记录无法证明见证人独立于取样人，请由另一名见证人见证",
    "{field}: the witness has the sampler's name ({name}); the record cannot show they are two "
    "people, so another witness must attend",
)

# ----------------------------------------------------------------------------- the lifelong half
# Defects under warranty, complaints, accidents from grading to closure, findings of
# responsibility (services/domain/aftercare.py). Each message names the field it is about.

AFTERCARE_DUPLICATE = Reason(
    "aftercare.duplicate_id",
    "{field}：{kind_zh} {id} 已存在",
    "{field}: {kind} {id} already exists",
)
DATE_BEFORE = Reason(
    "aftercare.date_before",
    "{field} {value} 早于{what_zh} {other}",
    "{field} {value} is before {what} {other}",
)
DATE_AFTER_EVENT = Reason(
    "aftercare.date_after_event",
    "{field} {value} 晚于事件发生时间 {occurred}",
    "{field} {value} is after the event itself occurred, {occurred}",
)
UNIT_NOT_COMPLETED = Reason(
    "warranty.unit_not_completed",
    "data.unit_id：单位工程 {unit} 尚未竣工验收，保修期尚未开始",
    "data.unit_id: building {unit} has not passed completion acceptance: no warranty runs yet",
)
DEFECT_DWELLING_UNKNOWN = Reason(
    "warranty.unknown_dwelling",
    "data.dwelling：单位工程 {unit} 没有户号 {dwelling}",
    "data.dwelling: building {unit} has no dwelling {dwelling}",
)
PUBLIC_NOT_OWNER = Reason(
    "warranty.public_not_owner",
    "data.source：公众报修只能由建设单位核实后提交，{role} 单位不能",
    "data.source: a public report is filed only by the owner party, which verifies it; not by the {role} party",
)
PUBLIC_REPORT_REUSED = Reason(
    "warranty.public_report_reused",
    "data.public_report：公众报修 {report} 已作为报修 {defect} 提交",
    "data.public_report: public report {report} was already filed as defect {defect}",
)
UNKNOWN_DEFECT = Reason(
    "warranty.unknown_defect",
    "data.defect_id：本项目没有报修 {id}",
    "data.defect_id: no defect {id} was reported on this project",
)
DEFECT_STATUS = Reason(
    "warranty.defect_status",
    "data.defect_id：报修 {id} 状态为 {status}，须为 {needed}",
    "data.defect_id: defect {id} is {status}; it must be {needed}",
)
OWN_REPAIR = Reason(
    "warranty.own_repair",
    "data.defect_id：报修 {id} 的维修由 {org} 报告完成，该单位不能确认自己的维修",
    "data.defect_id: the repair of defect {id} was reported by {org}, which cannot confirm its own repair",
)
UNKNOWN_COMPLAINT = Reason(
    "aftercare.unknown_complaint",
    "data.complaint_id：本项目没有投诉 {id}",
    "data.complaint_id: no complaint {id} was lodged on this project",
)
COMPLAINT_ALREADY_HANDLED = Reason(
    "aftercare.complaint_already_handled",
    "data.complaint_id：投诉 {id} 已处理",
    "data.complaint_id: complaint {id} was already handled",
)
COMPLAINT_NOT_YOURS = Reason(
    "aftercare.complaint_not_yours",
    "data.complaint_id：投诉 {id} 由 {role} {org} 登记，只能由其或质量监督机构处理",
    "data.complaint_id: complaint {id} was lodged by {role} {org}: only it or the supervision station handles it",
)
UNKNOWN_ACCIDENT = Reason(
    "accident.unknown",
    "data.accident_id：本项目没有报告事故 {id}",
    "data.accident_id: no accident {id} was reported on this project",
)
ACCIDENT_STATUS = Reason(
    "accident.wrong_status",
    "data.accident_id：事故 {id} 状态为 {status}，须为 {needed}",
    "data.accident_id: accident {id} is {status}; it must be {needed}",
)
ACCIDENT_GRADE_MISMATCH = Reason(
    "accident.grade_mismatch",
    "data.grade：{given_zh}与所报数字不符：{figures_zh}，按{edition}{clause}为{grade_zh}",
    "data.grade: {given} does not match the figures: {figures} make it a {grade} by {clause} of {edition}",
)
ACCIDENT_BELOW_GRADES = Reason(
    "accident.below_grades",
    "data.grade：{figures_zh}，未达到建质〔2010〕111号第二条的任何事故等级（无人死亡、无人重伤且直接经济损失不足100万元），属质量问题，应按质量问题整改处理",
    "data.grade: {figures} reach no grade of 建质〔2010〕111号 §2 (no death, no serious injury, a direct loss under 1,000,000 CNY): a quality problem, to be raised as a nonconformance",
)
FINDING_NO_PARTY = Reason(
    "finding.no_party",
    "data.role：本项目没有 {role} 单位",
    "data.role: no {role} party was appointed on this project",
)
FINDING_NO_LEAD_THEN = Reason(
    "finding.no_lead_then",
    "data.work_done_at：{at} 时 {role} 单位没有在任项目负责人",
    "data.work_done_at: the {role} party had no lead in office at {at}",
)
FINDING_WRONG_LEAD = Reason(
    "finding.wrong_lead",
    "data.lead_id_number：{at} 时在任的 {role} 项目负责人是 {name}（{start} 至 {end}），不是所列之人",
    "data.lead_id_number: the {role} lead at {at} was {name} ({start} to {end}), not the person named",
)
FINDING_UNKNOWN_RELATED = Reason(
    "finding.unknown_related",
    "data.relates_to：本项目没有事故、报修、质量问题或投诉 {id}",
    "data.relates_to: {id} is no accident, defect, nonconformance or complaint of this project",
)
ALERT_CLOSES_WITH = Reason(
    "alert.closes_with_fact",
    "预警 {alert} 只能由{fact_zh}关闭，不能以文字说明关闭",
    "alert {alert} closes only with {fact}, never by a written resolution",
)
NOT_OVERDUE = Reason(
    "warranty.not_overdue",
    "data.as_of：报修 {id} 的维修期限为 {due}，{as_of} 未逾期",
    "data.as_of: the repair of defect {id} is due {due}: not overdue on {as_of}",
)

# ----------------------------------------------------------------------------- supervision
STATION_REQUIRED = Reason(
    "supervision.station_required",
    "data.station、data.division：项目登记须写明质量监督机构和工程所在地行政区划（qtrail.project.registered.v2）",
    "data.station, data.division: a registration names its supervision station and the site's "
    "division (qtrail.project.registered.v2)",
)
FILING_PENDING = Reason(
    "supervision.filing_pending",
    "项目 {project_id} 的质量监督注册尚待监督机构 {station} 受理：受理前只可委托参建单位",
    "project {project_id}'s supervision filing awaits station {station}: until it is accepted, "
    "only appointments are recorded",
)
REGISTRATION_LAPSED = Reason(
    "supervision.registration_lapsed",
    "项目 {project_id} 的登记已{status_zh}，须重新登记",
    "project {project_id}'s registration was {status}: register it again",
)
FILING_ANSWERED = Reason(
    "supervision.filing_answered",
    "质量监督注册已有答复（{status_zh}）",
    "the supervision filing was already answered ({status})",
)
SUPERVISION_DUPLICATE = Reason(
    "supervision.duplicate_id",
    "{field}：{kind_zh} {id} 已存在",
    "{field}: {kind} {id} already exists",
)
SUPERVISION_UNKNOWN = Reason(
    "supervision.unknown",
    "{field}：{kind_zh} {id} 不存在",
    "{field}: no {kind} {id} in this project",
)
RECTIFICATION_STATUS = Reason(
    "supervision.rectification_status",
    "data.notice_id：整改通知单 {id} 当前为「{status_zh}」，不能{act_zh}",
    "data.notice_id: rectification notice {id} is {status}: it cannot be {act}",
)
RECTIFICATION_NOT_ADDRESSED = Reason(
    "supervision.not_addressed",
    "data.notice_id：整改通知单 {id} 下发给{to_zh}，{role_zh}不能回复",
    "data.notice_id: rectification notice {id} is addressed to {to}; {role} cannot answer it",
)
ORDER_LIFTED = Reason(
    "supervision.order_lifted",
    "data.order_id：停工通知 {id} 已于 {on} 复工",
    "data.order_id: stop-work order {id} was already lifted on {on}",
)
LEAD_NOT_CURRENT = Reason(
    "supervision.lead_not_current",
    "data.lead_name：{role_zh}的在任项目负责人是 {current}，不是 {name}",
    "data.lead_name: {role}'s current lead is {current}, not {name}",
)
NOTHING_TO_ACKNOWLEDGE = Reason(
    "supervision.nothing_to_acknowledge",
    "{role_zh}的项目负责人 {name} {why_zh}",
    "{role}'s lead {name} {why}",
)
UNIT_FILED = Reason(
    "supervision.already_filed",
    "data.unit_id：单位工程 {unit} 已{what_zh}（{number}）",
    "data.unit_id: building {unit} already has its {what} ({number})",
)
DEADLINE_NOT_MISSED = Reason(
    "supervision.not_missed",
    "data.deadline_id：期限 {id} {why_zh}",
    "data.deadline_id: deadline {id} {why}",
)
RECTIFICATION_OPEN = Reason(
    "completion.rectification_open",
    "整改通知单 {id}（{to_zh}）尚未复查合格",
    "rectification notice {id} (to {to}) is not verified closed",
)
WORK_STOPPED = Reason(
    "completion.work_stopped",
    "停工通知 {id}（{scope_zh}）尚未复工",
    "stop-work order {id} ({scope}) has not been lifted",
)
STATION_OBJECTS = Reason(
    "completion.station_objects",
    "监督机构对单位工程 {unit} 的竣工验收提出异议（{on}）：{remarks}",
    "the supervision station objected to building {unit}'s completion acceptance on {on}: {remarks}",
)
