"""Every string the web UI shows, Chinese first with English beside it (pure data + lookups).

``t(key, lang, **values)`` formats one message; templates call it as ``_("key")``. The language
is "zh" unless the visitor chose ``?lang=en`` (remembered in the ``osac_lang`` cookie).
Catalogue data (item names, materials) comes from the services with its own ``*_en`` fields;
``pick(obj, "name", lang)`` chooses between them.
"""
from datetime import datetime

from osac_shared.clock import TZ
from osac_shared.lifecycle import ACTION_ZH, STATUS_ZH
from osac_shared.registry import DEPARTMENT_EN, DEPARTMENT_ZH

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "osac_lang"

MESSAGES = {
    # layout
    "site.title": ("一站式学生事务中心", "One-Stop Student Affairs Center"),
    "skip": ("跳到主要内容", "Skip to main content"),
    "nav.label": ("主导航", "Main navigation"),
    "nav.guide": ("办事指南", "Service guide"),
    "nav.my": ("我的事项", "My affairs"),
    "nav.notifications": ("通知", "Notifications"),
    "nav.complaint": ("投诉建议", "Complaints"),
    "nav.repair": ("宿舍报修", "Report a repair"),
    "nav.window": ("窗口受理（B岗）", "Window queue (B post)"),
    "nav.approvals": ("集中办理（A岗）", "Processing (A post)"),
    "nav.desk": ("咨询台", "Consultation desk"),
    "nav.director": ("大厅主任看板", "Director's dashboard"),
    "nav.login": ("登录", "Log in"),
    "nav.logout": ("退出", "Log out"),
    "lang.switch": ("English", "中文"),
    "lang.switch_label": ("Switch to English", "切换到中文"),
    "hours.banner": ("全天候网上受理；B岗受理 08:30–17:30，A岗集中办理 15:30–17:30（工作日）",
                     "Online all day; B posts accept 08:30–17:30, A posts process 15:30–17:30 "
                     "(working days)"),
    "signed_in_as": ("当前用户：{name}（{role}）", "Signed in as {name} ({role})"),
    "unavailable": ("以下部门暂时无法访问，其内容稍后再显示：{names}",
                    "These departments cannot be reached right now; their part will be back "
                    "later: {names}"),
    "stale": ("以下部门暂时无法访问，显示的是最近一次的办事指南：{names}",
              "These departments cannot be reached; showing their last known guide: {names}"),
    "part_unavailable": ("{name}暂时无法访问，这部分稍后再显示；其他内容不受影响。",
                         "{name} cannot be reached right now; this part will be back later. "
                         "Everything else works."),
    "pager.label": ("分页", "Pages"),
    "pager.prev": ("上一页", "Previous"),
    "pager.next": ("下一页", "Next"),
    "pager.of": ("第 {page} 页，共 {pages} 页（{total} 条）", "Page {page} of {pages} ({total})"),
    "none": ("暂无", "None"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "optional": ("可选", "optional"),
    "required": ("必填", "required"),
    "submit": ("提交", "Submit"),
    "save": ("保存", "Save"),
    "back": ("返回", "Back"),
    "details": ("详情", "Details"),
    "confirm": ("确定要这样做吗？", "Are you sure?"),
    "colon": ("：", ": "),
    "sep": ("、", ", "),
    "count": ("（{n}）", " ({n})"),
    "required_mark": ("（必填）", " (required)"),
    "form.choose": ("请选择", "Choose"),
    "badge.green": ("绿色通道", "Green channel"),
    # login
    "login.title": ("登录", "Log in"),
    "login.username": ("学号 / 工号", "Student or staff number"),
    "login.password": ("密码", "Password"),
    "login.button": ("登录", "Log in"),
    "login.failed": ("用户名或密码错误，请核对后重试", "Wrong username or password; check and try "
                                               "again"),
    "login.needed": ("请先登录后再继续", "Please log in to continue"),
    "login.demo": ("演示账号：学生 2026000001，各部门 B岗如 logistics_b，A岗如 logistics_a，"
                   "咨询台 desk，主任 director，管理委员会 committee；密码均为 demo1234。",
                   "Demo accounts: student 2026000001, B posts e.g. logistics_b, A posts e.g. "
                   "logistics_a, desk, director, committee; password demo1234."),
    "logged_out": ("您已退出登录", "You are logged out"),
    # errors
    "error.title": ("出错了", "Something went wrong"),
    "error.csrf": ("页面已过期或来源不明，请返回上一页刷新后重新提交。",
                   "This form has expired or did not come from this site; go back, reload the "
                   "page and submit again."),
    "error.forbidden": ("您的账号没有权限打开此页面；请用对应岗位的账号登录。",
                        "Your account may not open this page; log in with the right post."),
    "error.not_found": ("没有找到该事项，请从“我的事项”进入。", "No such case; open it from My "
                                                       "affairs."),
    "error.fix": ("请按以下提示修改后重新提交：", "Please correct the following and submit again:"),
    "error.home": ("回到办事指南", "Back to the service guide"),
    # guide
    "guide.title": ("办事指南", "Service guide"),
    "guide.search": ("搜索事项", "Search services"),
    "guide.search_hint": ("输入关键字，如：证明、报修、奖学金", "Keywords, e.g. certificate, "
                                                        "repair, scholarship"),
    "guide.window": ("窗口", "Window"),
    "guide.department": ("部门", "Department"),
    "guide.all": ("全部", "All"),
    "guide.find": ("查找", "Search"),
    "guide.results": ("共找到 {n} 项", "{n} services found"),
    "guide.nothing": ("没有找到符合条件的事项，请换个关键字或查看全部。",
                      "Nothing matches; try another keyword or show all."),
    "guide.window_n": ("{n}号窗口 · {name}", "Window {n} · {name}"),
    "guide.limit": ("办结时限", "Completion limit"),
    "guide.post": ("办理岗位", "Handled by"),
    "guide.post_A": ("A岗（窗口教师审批）", "A post (teacher approves)"),
    "guide.post_B": ("B岗（学生助理当场办理）", "B post (student assistant)"),
    "guide.materials": ("所需材料", "Materials"),
    "guide.no_materials": ("无需提交材料", "No materials needed"),
    "guide.mandatory": ("必交", "required"),
    "guide.place": ("办理地点", "Place"),
    "guide.hours": ("办理时间", "Hours"),
    "guide.green": ("可走绿色通道（紧急情况优先办理）", "Green channel available (urgent cases "
                                                 "first)"),
    "guide.due_now": ("如现在提交，预计 {due} 前办结", "If you submit now, it is due by {due}"),
    "guide.due_flagged": ("（该日期超出已确认的校历，仅供参考）", "(beyond the confirmed calendar; "
                                                        "indicative only)"),
    "guide.apply": ("在线申请", "Apply online"),
    "guide.ask": ("在线咨询", "Ask online"),
    "guide.report": ("在线提交", "Report online"),
    # apply
    "apply.title": ("在线申请：{name}", "Apply: {name}"),
    "apply.materials": ("材料（请勾选已备齐的材料）", "Materials (tick those you provide)"),
    "apply.form": ("申请信息", "Application details"),
    "apply.green": ("申请绿色通道的理由（紧急时填写，否则留空）", "Reason for the green channel "
                                                          "(only if urgent)"),
    "apply.checklist": ("请一次性补齐以下内容（共 {n} 项）：", "Please fix all of the following at "
                                                       "once ({n} items):"),
    "apply.missing_material": ("必交材料，请准备好后勾选", "required; tick it once you have it"),
    "apply.sent": ("已提交，事项编号 {id}。您可以在“我的事项”中查看进度。",
                   "Submitted as {id}. Follow it in My affairs."),
    "apply.staff_only": ("只有学生本人可以在线申请；请用学生账号登录。", "Only students apply "
                                                                "online; log in as a student."),
    # my affairs
    "my.title": ("我的事项", "My affairs"),
    "my.empty": ("您还没有办理中的事项。可以从办事指南开始。", "You have no cases yet; start from "
                                                      "the service guide."),
    "my.item": ("事项", "Service"),
    "my.status": ("状态", "Status"),
    "my.submitted": ("提交时间", "Submitted"),
    "my.due": ("办结期限", "Due"),
    "my.left": ("剩余时间", "Time left"),
    "my.case_id": ("事项编号", "Case number"),
    "my.open": ("查看", "Open"),
    "left.days": ("还剩 {d} 天 {h} 小时", "{d} d {h} h left"),
    "left.hours": ("还剩 {h} 小时 {m} 分", "{h} h {m} min left"),
    "left.over": ("已超期 {h} 小时", "{h} h overdue"),
    "left.done_on_time": ("按时办结", "Finished on time"),
    "left.done_late": ("超期办结", "Finished late"),
    "left.paused": ("退回补正中，计时暂停", "Paused while returned to you"),
    "left.unknown": ("期限计算中", "Deadline being computed"),
    # case
    "case.title": ("事项详情", "Case"),
    "case.timeline": ("办理进度", "Progress"),
    "case.notice": ("补正通知（一次性告知）", "What to add or correct (one-time notice)"),
    "case.notices_before": ("历次补正通知（{n}）", "Earlier notices ({n})"),
    "case.notice_missing": ("需补交的材料", "Materials to add"),
    "case.notice_correct": ("需更正的材料", "Materials to correct"),
    "case.notice_deadline": ("请在 {date} 前补正", "Please fix it by {date}"),
    "case.notice_reason": ("说明", "Note"),
    "case.refused": ("不予办理的理由", "Reason for refusal"),
    "case.refer": ("请到以下部门办理：{dept}", "Please go to: {dept}"),
    "case.form": ("申请信息", "Application details"),
    "case.materials": ("已提交材料", "Materials given"),
    "case.resubmit": ("补正后重新提交", "Resubmit after correcting"),
    "case.resubmit_hint": ("勾选您这次补交或更正的材料", "Tick what you add or replace now"),
    "case.resubmitted": ("已重新提交，请等待窗口受理", "Resubmitted; the window will pick it up"),
    "case.withdraw": ("撤回申请", "Withdraw"),
    "case.withdrawn": ("已撤回", "Withdrawn"),
    "case.rate": ("评价本次服务", "Rate this service"),
    "case.rate_satisfied": ("满意", "Satisfied"),
    "case.rate_unsatisfied": ("不满意", "Not satisfied"),
    "case.rate_comment": ("意见或建议（可不填）", "Comment (optional)"),
    "case.rated": ("感谢您的评价", "Thank you for your rating"),
    "case.complain": ("对本事项投诉", "Complain about this case"),
    "case.overdue_complain": ("维修已超过48小时，投诉逾期", "Repair overdue: complain"),
    "case.overdue_text": ("投诉内容", "Your complaint"),
    "case.complained": ("投诉已提交，事项编号 {id}", "Complaint filed as {id}"),
    "case.green": ("绿色通道：{reason}", "Green channel: {reason}"),
    "case.asked_for": ("需补正", "asked for"),
    "history.by": ("{who}", "{who}"),
    # staff
    "staff.accept": ("受理", "Accept"),
    "staff.approve": ("审批通过", "Approve"),
    "staff.complete": ("办结", "Complete"),
    "staff.reject": ("不予办理", "Reject"),
    "staff.reason": ("理由（学生可见）", "Reason (the student sees it)"),
    "staff.note": ("备注（可不填）", "Note (optional)"),
    "staff.return": ("退回补正（一次性告知全部问题）", "Return for correction (tell everything "
                                                    "at once)"),
    "staff.provided": ("已提交", "provided"),
    "staff.return_short": ("退回补正", "Return"),
    "staff.return_missing": ("缺少（勾选）", "Missing (tick)"),
    "staff.return_wrong": ("有误之处（填写即表示需更正）", "What is wrong (fill in to ask for a "
                                                          "correction)"),
    "staff.return_deadline": ("补正期限", "Deadline to fix"),
    "staff.return_reason": ("退回说明（学生可见）", "Explanation (the student sees it)"),
    "staff.expedite": ("开启绿色通道", "Use the green channel"),
    "staff.expedite_reason": ("绿色通道理由", "Reason for the green channel"),
    "staff.done": ("已{action}：{id}", "{id}: {action}"),
    "staff.queue_new": ("待受理（新提交/重新提交）", "To accept (new / resubmitted)"),
    "staff.queue_returned": ("已退回、等待学生补正", "Returned, waiting for the student"),
    "staff.queue_waiting": ("已受理、等待办理", "Accepted, waiting"),
    "staff.queue_processing": ("办理中", "Processing"),
    "staff.delegated": ("A岗已授权B岗审批的事项", "Items the A post delegated to you"),
    "staff.empty": ("没有事项", "No cases"),
    "staff.student": ("学生", "Student"),
    "staff.green_first": ("绿色通道事项排在最前，其余按期限先后", "Green-channel cases first, then "
                                                          "by deadline"),
    "staff.delegations": ("授权B岗审批", "Delegate approval to B posts"),
    "staff.delegate_on": ("授权", "Delegate"),
    "staff.delegate_off": ("收回授权", "Take back"),
    "staff.delegate_state_on": ("已授权", "Delegated"),
    "staff.delegate_state_off": ("未授权", "Not delegated"),
    "staff.delegations_saved": ("授权已更新", "Delegation updated"),
    "handover.title": ("交接班登记", "Shift hand-over register"),
    "handover.window": ("窗口", "Window"),
    "handover.to": ("接班B岗（账号）", "Next B post (username)"),
    "handover.cases": ("未办结事项", "Open cases"),
    "handover.note": ("交接说明", "Hand-over note"),
    "handover.submit": ("登记交接", "Register hand-over"),
    "handover.pending": ("待我确认的交接", "Hand-overs waiting for me"),
    "handover.confirm": ("确认接班", "Confirm"),
    "handover.saved": ("交接已登记", "Hand-over registered"),
    "handover.confirmed": ("已确认接班", "Hand-over confirmed"),
    "handover.unconfirmed": ("未确认的交接登记", "Hand-overs not yet confirmed"),
    "handover.age": ("已等待 {m} 分钟", "waiting {m} min"),
    "handover.from": ("交班人", "From"),
    # desk
    "desk.title": ("咨询台 · 首问负责", "Consultation desk · first-question responsibility"),
    "desk.new": ("登记首问", "Record a first question"),
    "desk.student": ("提问学生学号", "Student number"),
    "desk.channel": ("来访方式", "Channel"),
    "desk.question": ("问题内容", "Question"),
    "desk.department": ("责任部门", "Responsible department"),
    "desk.record": ("登记", "Record"),
    "desk.recorded": ("已登记首问", "Question recorded"),
    "desk.list": ("问题跟踪", "Follow-up"),
    "desk.refer": ("转交", "Refer"),
    "desk.refer_to": ("转交部门", "Refer to"),
    "desk.refer_note": ("转交说明", "Note"),
    "desk.referred": ("已转交", "Referred"),
    "desk.feedback": ("反馈给学生的答复", "Feedback given to the student"),
    "desk.follow_up": ("记录反馈", "Record feedback"),
    "desk.followed": ("已记录反馈", "Feedback recorded"),
    "desk.filter": ("状态", "Status"),
    "channel.on_site": ("现场", "In person"),
    "channel.phone": ("电话", "Phone"),
    "channel.email": ("邮件", "Email"),
    "channel.wechat": ("微信", "WeChat"),
    "qstatus.open": ("已登记", "Recorded"),
    "qstatus.referred": ("已转办", "Referred"),
    "qstatus.answered": ("部门已答复", "Answered by the department"),
    "qstatus.closed": ("已反馈学生", "Feedback given"),
    "desk.answer": ("部门答复", "Department's answer"),
    "desk.referred_to_us": ("转办给本部门的咨询（一个工作日内答复）", "Questions referred to us "
                                                               "(answer within a working day)"),
    "desk.answer_button": ("提交答复", "Send the answer"),
    "desk.answered": ("答复已提交，咨询台将反馈给学生", "Answer sent; the desk tells the student"),
    "desk.owner": ("首问责任人", "Owner"),
    # director
    "dir.title": ("大厅主任看板", "Hall director's dashboard"),
    "dir.month": ("月份", "Month"),
    "dir.show": ("查看", "Show"),
    "dir.on_time": ("各窗口按时办结率（目标100%）", "On-time rate per window (target 100%)"),
    "dir.satisfaction": ("各窗口满意度（目标96%）", "Satisfaction per window (target 96%)"),
    "dir.breaches": ("各窗口超期事项数", "Breaches per window"),
    "dir.per_hour": ("一天中各时段的提交量", "Cases submitted per hour of the day"),
    "dir.report": ("时限报表", "Deadline report"),
    "dir.sunshine": ("阳光窗口评比", "Sunshine Window ranking"),
    "dir.total": ("事项数", "Cases"),
    "dir.met": ("按时", "On time"),
    "dir.late": ("超期办结", "Late"),
    "dir.breached": ("超期未结", "Overdue"),
    "dir.open": ("办理中", "Open"),
    "dir.rate": ("按时率", "On-time rate"),
    "dir.overall": ("总体按时率：{rate}（{total} 件）", "Overall on-time rate: {rate} ({total} "
                                                      "cases)"),
    "dir.breach_list": ("超期事项", "Breaches"),
    "dir.no_data": ("本月暂无数据", "No data this month"),
    "dir.target": ("目标 {v}", "target {v}"),
    "dir.window": ("{n}号窗口", "Win {n}"),
    "dir.no_data_short": ("无数据", "no data"),
    "dir.hour": ("{h}时", "{h}:00"),
    "dir.rank": ("名次", "Rank"),
    "dir.score": ("得分", "Score"),
    # the hall office: patrols, assessment, the Sunshine Window, roster, reports, the committee
    "nav.patrols": ("巡查", "Patrols"),
    "nav.assessment": ("考核", "Assessment"),
    "nav.my_assessment": ("我的考核", "My assessment"),
    "nav.sunshine": ("阳光窗口", "Sunshine Window"),
    "nav.roster": ("排班与岗位", "Roster"),
    "nav.reports": ("报表", "Reports"),
    "nav.committee": ("中心概览", "Overview"),
    "nav.vote": ("阳光窗口投票", "Vote"),
    "readonly": ("只读：管理委员会在此查看，不能修改。", "Read only: the committee sees these "
                                                  "records and does not change them."),
    "period.label": ("期间", "Period"),
    "period.hint": ("月份如 2026-03；学期如 2026-term1（2–7月）或 2026-term2（8月–次年1月）",
                    "A month like 2026-03, or a term: 2026-term1 (Feb–Jul) or 2026-term2 "
                    "(Aug–Jan)"),
    "period.quick": ("快速选择", "Quick picks"),
    "period.month": ("{y}年{m}月", "{m}/{y}"),
    "period.term1": ("{y}年春季学期（2–7月）", "Spring term {y} (Feb–Jul)"),
    "period.term2": ("{y}年秋季学期（{y}年8月–{next}年1月）", "Autumn term {y} (Aug {y}–Jan {next})"),
    "period.bad": ("“{value}”不是有效的期间，已显示本月。月份写作 2026-03，学期写作 2026-term1 或 "
                   "2026-term2。", "“{value}” is not a period; showing this month. Write a month "
                                  "like 2026-03 or a term like 2026-term1 or 2026-term2."),
    "period.bad_month": ("“{value}”不是有效的月份，已显示本月（月份写作 2026-03）。",
                         "“{value}” is not a month; showing this month (write 2026-03)."),
    "check.on_duty_discipline": ("在岗纪律", "On-duty discipline"),
    "check.badge": ("亮证上岗", "Badge worn"),
    "check.manner": ("仪态言行", "Manner and language"),
    "check.attitude": ("服务态度", "Service attitude"),
    "check.signage_and_guide": ("窗口指示牌与《办事指南》", "Window sign and service guide"),
    "check.hygiene": ("窗口卫生", "Window hygiene"),
    "check.answers": ("解答咨询与事项办理", "Answering questions and handling matters"),
    "patrol.title": ("巡查登记", "Patrols"),
    "patrol.intro": ("全面巡查每日1–2次，个别抽查不拘形式；发现的问题事事有登记、有意见、有结果。",
                     "One or two full patrols a day, spot checks as needed; every finding is "
                     "recorded with an opinion and, later, its result."),
    "patrol.new": ("登记一次巡查", "Record a patrol"),
    "patrol.date": ("巡查日期", "Patrol date"),
    "patrol.checklist": ("巡查内容", "Checklist"),
    "patrol.ok": ("合格", "OK"),
    "patrol.bad": ("不合格", "Not OK"),
    "patrol.note": ("说明（可不填）", "Note (optional)"),
    "patrol.findings": ("发现的问题", "Findings"),
    "patrol.findings_hint": ("每条问题须选择窗口并写明处理意见；当场整改的可直接填写处理结果；用不到的行留空即可。",
                             "Each finding needs its window and an opinion; give the result too "
                             "if it was fixed on the spot; leave unused rows blank."),
    "patrol.finding_n": ("问题 {n}", "Finding {n}"),
    "patrol.more_findings": ("还有问题？登记问题 2、3", "More findings? Rows 2 and 3"),
    "patrol.finding_field": ("问题 {n} · {what}", "Finding {n} · {what}"),
    "patrol.f_window": ("窗口", "Window"),
    "patrol.f_person": ("涉及人员（工号，可不填）", "Person (staff id, optional)"),
    "patrol.f_opinion": ("处理意见", "Opinion"),
    "patrol.f_result": ("处理结果（已整改时填写）", "Result (if already fixed)"),
    "patrol.submit": ("登记巡查", "Record the patrol"),
    "patrol.recorded": ("已登记巡查（{n} 条问题）", "Patrol recorded ({n} findings)"),
    "patrol.open": ("尚无处理结果的问题", "Findings without a result"),
    "patrol.open_none": ("所有巡查问题均已有处理结果。", "Every finding has its result."),
    "patrol.finding": ("巡查问题", "Finding"),
    "patrol.result": ("处理结果", "Result"),
    "patrol.resolve": ("登记处理结果", "Record the result"),
    "patrol.resolved": ("已登记处理结果", "Result recorded"),
    "patrol.list": ("{period}的巡查记录", "Patrols of {period}"),
    "patrol.count": ("共 {n} 次巡查，{f} 条问题，{o} 条待处理", "{n} patrols, {f} findings, {o} "
                                                            "without a result"),
    "patrol.by": ("巡查人 {who}", "by {who}"),
    "patrol.all_ok": ("各项检查均合格", "Every check OK"),
    "patrol.failed": ("不合格项", "Not OK"),
    "patrol.no_findings": ("未发现问题", "No findings"),
    "patrol.status_open": ("待处理", "Open"),
    "patrol.status_done": ("已处理", "Resolved"),
    "patrol.none": ("该期间没有巡查记录。", "No patrols in this period."),
    "assess.title": ("工作人员考核", "Staff assessment"),
    "assess.mine_title": ("我的考核", "My assessment"),
    "assess.intro": ("迟到早退、明显差错、经核实的投诉各记过1次；学生助理当月累计2次及以上当月时薪下调1元，"
                     "当学期累计5次及以上建议劝退。超时未办结和违反一次性告知由系统自动记录。",
                     "Lateness, a verified error and a verified complaint are one demerit each; "
                     "a student assistant with 2 or more in a month earns 1 yuan less an hour "
                     "that month, and 5 or more in a term is advised to leave. Missed deadlines "
                     "and one-time-notice violations are recorded automatically."),
    "assess.new": ("登记记过", "Record a demerit"),
    "assess.person": ("人员", "Person"),
    "assess.kind": ("类型", "Kind"),
    "assess.source_ref": ("依据（日期、事项编号或投诉编号，可不填）", "Basis (a date, a case or "
                                                               "complaint number; optional)"),
    "assess.note": ("说明", "Note"),
    "assess.submit": ("登记记过", "Record the demerit"),
    "assess.recorded": ("已为 {who} 登记记过（本月 {m} 次，本学期 {t} 次）",
                        "Demerit recorded for {who} ({m} this month, {t} this term)"),
    "assess.wage_now": ("{who} 本月记过已达2次：当月时薪下调1元", "{who} has 2 demerits this "
                                                             "month: 1 yuan less an hour"),
    "assess.dismissal_now": ("{who} 本学期记过已达5次：建议予以劝退", "{who} has 5 demerits this "
                                                                  "term: dismissal advised"),
    "assess.total": ("记过", "Demerits"),
    "assess.people": ("各人记过情况", "Demerits per person"),
    "assess.month_count": ("当月", "Month"),
    "assess.term_count": ("当学期", "Term"),
    "assess.verdict": ("处理", "Consequence"),
    "assess.wage_cut": ("时薪下调1元", "1 yuan less an hour"),
    "assess.dismissal": ("建议劝退", "dismissal advised"),
    "assess.details": ("记过明细（{n}）", "Demerits ({n})"),
    "assess.nobody": ("该期间没有记过记录。", "No demerits in this period."),
    "assess.choose": ("请选择在册人员", "Choose someone on the roster"),
    "assess.clean": ("本期无记过的在册人员：{names}", "On the roster with no demerits: {names}"),
    "kind.lateness": ("迟到早退", "Late or left early"),
    "kind.verified_error": ("明显差错（经核实）", "Verified error"),
    "kind.verified_complaint": ("受到投诉（经核实）", "Verified complaint"),
    "kind.sla_breach": ("超时未办结", "Deadline missed"),
    "kind.notice_violation": ("违反一次性告知", "One-time notice violated"),
    "post.A": ("A岗", "A post"),
    "post.B": ("B岗", "B post"),
    "sun.title": ("阳光窗口评比", "Sunshine Window ranking"),
    "sun.intro": ("每月根据学生投票、满意度、按时办结率和考核情况评比“阳光窗口”。",
                  "Each month's Sunshine Window is chosen from students' votes, satisfaction, "
                  "on-time rates and assessment."),
    "sun.winner": ("{month}阳光窗口：{window}（得分 {score}）", "Sunshine Window of {month}: "
                                                          "{window} (score {score})"),
    "sun.no_winner": ("{month}暂无阳光窗口（还没有可评比的数据）。", "No Sunshine Window for "
                                                           "{month} yet (no data to rank)."),
    "sun.tied": ("{month}暂无阳光窗口：{n} 个窗口得分与票数都相同，并列第一。", "No Sunshine Window "
                 "for {month}: {n} windows share the top score and the same votes."),
    "sun.weights": ("评分权重：{w}", "Weights: {w}"),
    "sun.votes": ("票数", "Votes"),
    "sun.demerits": ("记过", "Demerits"),
    "part.votes": ("投票", "votes"),
    "part.satisfaction": ("满意度", "satisfaction"),
    "part.on_time": ("按时办结", "on time"),
    "part.assessment": ("考核", "assessment"),
    "sat.title": ("满意度", "Satisfaction"),
    "sat.overall": ("总体满意率 {rate}（{satisfied}/{rated}），目标 96%",
                    "Overall {rate} ({satisfied}/{rated}); target 96%"),
    "sat.by_window": ("各窗口满意度", "Per window"),
    "sat.by_person": ("各工作人员满意度", "Per person"),
    "sat.person": ("人员", "Person"),
    "sat.rated": ("评价数", "Ratings"),
    "sat.satisfied": ("满意", "Satisfied"),
    "sat.rate": ("满意率", "Rate"),
    "sat.below": ("低于96%", "below 96%"),
    "sat.none": ("该期间还没有评价。", "No ratings in this period."),
    "roster.title": ("排班与岗位（A/B岗）", "Roster (A/B posts)"),
    "roster.intro": ("每个窗口由A岗（部门派驻的负责老师）与B岗（选聘的学生助理）结对：B岗轮班受理，"
                     "A岗工作日15:30–17:30到窗口集中办理。", "Each window pairs its A post (the "
                     "department's teacher) with B posts (student assistants): B posts take "
                     "turns accepting cases, the A post processes at the window 15:30–17:30 on "
                     "working days."),
    "roster.window": ("窗口", "Window"),
    "roster.a": ("A岗", "A post"),
    "roster.b": ("B岗", "B posts"),
    "roster.paired": ("A/B岗已配齐", "A and B posts in place"),
    "roster.missing": ("缺{posts}", "missing: {posts}"),
    "roster.remove": ("移出", "Remove"),
    "roster.remove_confirm": ("确定将该人员移出此窗口吗？其今天及以后在此窗口的班次也会删除。",
                              "Take this person off the window? Their shifts there from today "
                              "on are deleted too."),
    "roster.removed": ("已将 {who} 移出{window}（删除 {n} 个班次）", "{who} is off {window} ({n} "
                                                                  "shifts deleted)"),
    "roster.set": ("安排岗位", "Put someone on a window"),
    "roster.staff_id": ("工号（登录账号）", "Staff id (username)"),
    "roster.name": ("姓名", "Name"),
    "roster.post": ("岗位", "Post"),
    "roster.post_A": ("A岗（窗口负责老师）", "A post (teacher)"),
    "roster.post_B": ("B岗（学生助理）", "B post (student assistant)"),
    "roster.saved": ("已安排 {who} 到{window}（{post}）", "{who} is on {window} ({post})"),
    "roster.shifts": ("{date} 的班次", "Shifts on {date}"),
    "roster.show_day": ("查看", "Show"),
    "roster.date": ("日期", "Date"),
    "roster.start": ("开始时间", "Start"),
    "roster.end": ("结束时间", "End"),
    "roster.time": ("时间", "Time"),
    "roster.staff": ("B岗", "B post"),
    "roster.add_shift": ("添加班次", "Add a shift"),
    "roster.shift_hint": ("只能为该窗口在册的B岗排班；同一人当天的班次不能重叠。",
                          "Only a B post of that window can have a shift there; one person's "
                          "shifts on a day may not overlap."),
    "roster.shift_added": ("已添加班次", "Shift added"),
    "roster.field": ("{form} · {what}", "{form} · {what}"),
    "roster.no_shifts": ("当天没有班次。", "No shifts that day."),
    "roster.on_duty": ("当前在岗", "On duty now"),
    "roster.nobody": ("无人", "nobody"),
    "roster.a_now": ("A岗集中办理时段", "A post's hours now"),
    "roster.none": ("暂无", "none yet"),
    "rep.title": ("大厅报表", "Hall reports"),
    "rep.intro": ("按月或学期汇总各窗口的办结量、按时办结率、满意率、记过和巡查问题，可下载 JSON、CSV 或 Excel。",
                  "Per window for a month or a term: cases handled, on-time rate, satisfaction, "
                  "demerits and patrol findings; download as JSON, CSV or Excel."),
    "rep.download": ("下载{period}报表", "Download the report of {period}"),
    "rep.json": ("JSON", "JSON"),
    "rep.csv": ("CSV（表格）", "CSV (spreadsheet)"),
    "rep.xlsx": ("Excel（XLSX）", "Excel (XLSX)"),
    "rep.table": ("{period}各窗口汇总", "Windows in {period}"),
    "rep.cases_handled": ("办结事项", "Cases handled"),
    "rep.on_time_rate": ("按时办结率", "On time"),
    "rep.ratings": ("评价数", "Ratings"),
    "rep.satisfaction_rate": ("满意率", "Satisfaction"),
    "rep.demerits": ("记过", "Demerits"),
    "rep.patrol_findings": ("巡查问题", "Findings"),
    "rep.open_findings": ("待处理", "Open"),
    "rep.total": ("合计", "Total"),
    "com.title": ("学生事务中心概览", "The centre at a glance"),
    "com.intro": ("管理委员会只读查看：报表、阳光窗口、满意度、巡查与考核。", "For the management "
                  "committee, read only: reports, the Sunshine Window, satisfaction, patrols "
                  "and assessment."),
    "com.cases": ("办结事项", "Cases handled"),
    "com.satisfaction": ("满意率", "Satisfaction"),
    "com.demerits": ("记过", "Demerits"),
    "com.open_findings": ("待处理巡查问题", "Open patrol findings"),
    "com.more": ("查看{what}", "See {what}"),
    "vote.title": ("阳光窗口投票", "Vote for the Sunshine Window"),
    "vote.intro": ("每人每月可投一票，选出您认为服务最好的窗口；投票结果与满意度、按时办结率和考核一起评出本月“阳光窗口”。",
                   "One vote a month: choose the window that served you best. Votes, "
                   "satisfaction, on-time rates and assessment choose the month's Sunshine "
                   "Window."),
    "vote.month": ("{month}的投票", "Vote of {month}"),
    "vote.month_field": ("月份", "Month"),
    "vote.done": ("您本月已投票给：{window}（{when}）。下个月可以再投。", "You voted for {window} "
                  "this month ({when}). You can vote again next month."),
    "vote.choose": ("选择窗口", "Choose a window"),
    "vote.submit": ("投票", "Vote"),
    "vote.thanks": ("投票成功，感谢参与！", "Thank you for voting!"),
    "vote.rate_hint": ("已办结的事项可在事项详情页评价满意度。", "Rate a finished case on its page "
                                                           "in My affairs."),
    # due soon (the SLA's at-risk list)
    "nav.due_soon": ("即将超时", "Due soon"),
    "due.title": ("即将超时的事项", "Due soon"),
    "due.intro": ("已发出时限预警、尚未超期的事项，最早到期的排在最前；请优先办理，确保按时办结。",
                  "Deadlines whose warning has fired and that are not yet overdue, soonest "
                  "first; handle these first so everything finishes on time."),
    "due.scope_department": ("范围：{dept}", "Scope: {dept}"),
    "due.scope_all": ("范围：全部部门", "Scope: every department"),
    "due.empty": ("目前没有即将超时的事项。", "Nothing is about to be late."),
    "due.count_label": ("{n} 件", "{n}"),
    "due.timer": ("计时", "Timer"),
    "due.due_at": ("到期时间", "Due at"),
    "due.window": ("窗口", "Window"),
    "due.desk": ("咨询台", "Consultation desk"),
    "due.department": ("部门", "Department"),
    "due.referral_item": ("转办咨询 #{id}", "Referred question #{id}"),
    "timer.completion": ("办结", "Completion"),
    "timer.acceptance": ("受理", "Acceptance"),
    "timer.referral": ("转办答复", "Referral answer"),
    # notifications
    "note.title": ("通知", "Notifications"),
    "note.empty": ("暂无通知", "No notifications"),
    "note.returned": ("{item}：需要补正，请在期限内一次补齐", "{item}: returned; please add or "
                                                          "correct what is listed"),
    "note.approved": ("{item}：已审批通过，正在办理", "{item}: approved, being processed"),
    "note.completed": ("{item}：已办结，欢迎评价", "{item}: finished; please rate it"),
    "note.rejected": ("{item}：不予办理，请查看理由", "{item}: refused; see the reason"),
    "note.accepted": ("{item}：窗口已受理", "{item}: accepted by the window"),
    "note.due_soon": ("{item}：距办结期限不足 {h} 小时", "{item}: less than {h} hours to the "
                                                         "deadline"),
    "note.overdue": ("{item}：已超过办结期限，可投诉", "{item}: past the deadline; you may "
                                                      "complain"),
    "note.fix_by": ("{item}：补正期限 {date}", "{item}: fix it by {date}"),
    # forms from JSON Schema, a case's next actions, review committees
    "form.add_row": ("添加一行", "Add a row"),
    "form.row_n": ("第 {n} 行", "Row {n}"),
    "apply.sent_due": ("已提交，事项编号 {id}。承诺办结时间：{due}（北京时间）。您可以在“我的事项”中查看"
                       "进度。", "Submitted as {id}; promised to be completed by {due} (Beijing "
                                "time). Follow it in My affairs."),
    "apply.no_form": ("该事项无需填写申请信息。", "This item has no form to fill in."),
    "apply.item": ("事项", "Service"),
    "guide.example": ("填写示例", "Example form"),
    "case.waiting": ("当前进度", "Now"),
    "case.until": ("（至 {date}）", " (until {date})"),
    "case.actions": ("可办理的操作", "What you can do now"),
    "case.done": ("已完成“{label}”：{id}", "Done: {label} ({id})"),
    "staff.more_actions": ("更多操作", "more actions"),
    "staff.return_hint": ("一次性告知：勾选缺少的材料，写明每份材料需更正之处，学生将一次看到全部问题。",
                          "One notice: tick what is missing and say what to correct in each "
                          "material; the student sees it all at once."),
    "nav.review": ("评审委员会", "Review committee"),
    "review.title": ("{name} · 待评审事项", "{name} · cases to decide"),
    "review.intro": ("以下事项正等待本委员会评审决定：打开事项，填写评审结果后提交。",
                        "These cases wait for the committee's decision: open one, record the "
                        "decision and submit it."),
    "review.count": ("共 {n} 件待评审", "{n} to decide"),
    "review.empty": ("目前没有等待本委员会评审的事项。", "Nothing waits for the committee now."),
    "review.open": ("打开并评审", "Open and decide"),
    "review.more": ("办理中的事项较多，这里只查看了最早的一部分；请先评审这些。",
                       "Many cases are open; only the oldest were looked through. Decide "
                       "these first."),
    # certificate verification (/verify, public) and a case's certificate (verify.py)
    "verify.title": ("证明核验", "Certificate verification"),
    "verify.intro": ("输入证明下方印有的验证码，或用手机扫描证明上的二维码，即可核验教务处开具的电子证明是否真实有效。",
                     "Enter the code printed at the foot of the certificate, or scan its QR "
                     "code, to check that Academic Affairs issued it and that it is still "
                     "valid."),
    "verify.valid": ("证明有效", "Valid certificate"),
    "verify.valid_lead": ("该证明由教务处开具，目前有效。请核对纸质证明上的姓名、学号与下列信息一致。",
                          "Academic Affairs issued this certificate and it is valid. Check "
                          "that the name and student number on the paper match the ones "
                          "below."),
    "verify.revoked": ("证明已撤销", "Certificate revoked"),
    "verify.revoked_lead": ("该证明曾由教务处开具，但已被撤销，不再具有证明效力。",
                            "Academic Affairs issued this certificate but has revoked it; it "
                            "no longer certifies anything."),
    "verify.revoked_at": ("撤销时间", "Revoked on"),
    "verify.revoke_reason": ("撤销原因", "Reason"),
    "verify.kind": ("证明类型", "Certificate"),
    "verify.holder": ("持有人", "Holder"),
    "verify.student_id": ("学号", "Student number"),
    "verify.issued_at": ("开具时间", "Issued on"),
    "verify.issuer": ("开具单位", "Issued by"),
    "verify.code": ("验证码", "Verification code"),
    "verify.fingerprint": ("文件指纹（SHA-256）", "File fingerprint (SHA-256)"),
    "verify.fingerprint_hint": ("收到的是PDF文件时，其SHA-256值应与此一致。",
                                "If you received the PDF file, its SHA-256 must match this."),
    "verify.privacy": ("为保护个人信息，姓名和学号只显示部分字符。",
                       "To protect personal data, only part of the name and student number "
                       "is shown."),
    "verify.search": ("核验其他证明", "Check another certificate"),
    "verify.enter_code": ("验证码", "Verification code"),
    "verify.code_hint": ("12位，字母A–Z和数字2–7，不区分大小写", "12 characters, letters A–Z and "
                                                             "digits 2–7, any case"),
    "verify.check": ("核验", "Check"),
    "cert.title": ("电子证明", "E-certificate"),
    "cert.is_valid": ("证明有效，接收单位可凭验证码或二维码在线核验。",
                      "Valid: the receiver can check it online with the code or the QR code."),
    "cert.is_revoked": ("证明已于 {date} 撤销，不再有效。", "Revoked on {date}; no longer valid."),
    "cert.verify_link": ("核验地址", "Verification page"),
    "cert.download": ("下载证明（PDF）", "Download the certificate (PDF)"),
}

UNIT_EN = {"working_days": "working days", "working_hours": "working hours",
           "calendar_hours": "hours"}
UNIT_ZH = {"working_days": "个工作日", "working_hours": "个工作小时", "calendar_hours": "小时"}
STATUS_EN = {"submitted": "Submitted", "accepted": "Accepted", "returned": "Returned for "
             "correction", "resubmitted": "Resubmitted", "processing": "Processing",
             "completed": "Completed", "rejected": "Refused", "withdrawn": "Withdrawn"}
ACTION_EN = {"submit": "Submitted", "accept": "Accepted", "return": "Returned for correction",
             "resubmit": "Resubmitted", "approve": "Approved", "complete": "Completed",
             "reject": "Refused", "withdraw": "Withdrawn", "expedite": "Green channel",
             "committee": "Review committee's decision"}
HISTORY_ZH = {**ACTION_ZH, "submit": "提交申请", "expedite": "开启绿色通道",
              "committee": "评审委员会评审"}
ROLE_EN = {"student": "student", "b_post": "B post", "a_post": "A post", "desk": "desk",
           "director": "director", "committee": "committee", "system": "system"}
ROLE_ZH_SHORT = {"student": "学生", "b_post": "B岗", "a_post": "A岗", "desk": "咨询台",
                 "director": "主任", "committee": "管理委员会", "system": "系统"}
# choice codes that the services list without a Chinese label
CHOICE_ZH = {"water": "水路", "electricity": "电路", "door_window": "门窗", "furniture": "家具",
             "bathroom": "卫浴", "air_conditioner": "空调", "other": "其他",
             "fire": "消防", "public_order": "治安", "traffic": "交通",
             "personal_info": "个人信息", "course": "课程", "grade": "成绩",
             "reissue": "补办", "register": "注册", "complaint": "投诉", "suggestion": "建议",
             "in": "转入", "out": "转出", "self": "本人", "parent": "父母", "spouse": "配偶",
             "new": "新办", "replace_damaged": "损坏换卡", "cannot_login": "无法登录",
             "no_connection": "无法连接", "port_damaged": "网口损坏", "slow": "网速慢",
             "wifi": "无线网络", "grant": "助学金", "loan": "助学贷款", "scholarship": "奖学金",
             "subsidy": "困难补助", "waiver": "学费减免", "work_study": "勤工助学",
             "accounting": "会计学", "computer_science": "计算机科学与技术", "english": "英语",
             "industrial_design": "工业设计", "mechanical_engineering": "机械工程",
             "software_engineering": "软件工程", "challenge-cup": "“挑战杯”课外学术科技作品竞赛",
             "challenge-cup-business": "“挑战杯”创业计划竞赛", "innovation": "创新创业竞赛",
             "math-modeling": "数学建模竞赛"}


def norm(lang):
    return lang if lang in LANGS else DEFAULT


def t(key, lang=DEFAULT, **values):
    """The message ``key`` in ``lang`` with ``values`` filled in; an unknown key shows itself
    (a visible bug, never a crash)."""
    pair = MESSAGES.get(key)
    text = key if pair is None else pair[1 if lang == "en" else 0]
    return text.format(**values) if values else text


def pick(obj, field, lang):
    """obj[field_en] in English when present, else obj[field_zh]."""
    if not obj:
        return ""
    if lang == "en" and obj.get(f"{field}_en"):
        return obj[f"{field}_en"]
    return obj.get(f"{field}_zh") or obj.get(f"{field}_en") or ""


def department(code, lang):
    table = DEPARTMENT_EN if lang == "en" else DEPARTMENT_ZH
    return table.get(code, code or "")


def status(code, lang):
    return (STATUS_EN if lang == "en" else STATUS_ZH).get(code, code)


def action(code, lang):
    return (ACTION_EN if lang == "en" else HISTORY_ZH).get(code, code)


def role(code, lang):
    return (ROLE_EN if lang == "en" else ROLE_ZH_SHORT).get(code, code)


def actor_role(code, lang):
    """Who acted on a case, by role: a committee that acts on a case is the department's
    review committee (the centre's management committee only reads)."""
    if code == "committee":
        return "review committee" if lang == "en" else "评审委员会"
    return role(code, lang)


def timer(code, lang):
    """An SLA timer ("acceptance") as staff call it: 受理 / Acceptance; unknown ones as given."""
    key = f"timer.{code}"
    return t(key, lang) if key in MESSAGES else (code or "")


def limit(lim, lang):
    """{"value": 3, "unit": "working_days"} -> "3个工作日" / "3 working days"."""
    if not lim:
        return ""
    if lang == "en":
        return f"{lim['value']} {UNIT_EN.get(lim['unit'], lim['unit'])}"
    return f"{lim['value']}{UNIT_ZH.get(lim['unit'], lim['unit'])}"


def choice(value, label_zh, lang):
    """A form choice: the service's Chinese label (or ours), with the code in English."""
    if value in DEPARTMENT_ZH:
        return department(value, lang)
    if lang == "en":
        return str(value).replace("_", " ")
    if label_zh and label_zh != value:
        return label_zh
    return CHOICE_ZH.get(value, value)


def when(value, lang=DEFAULT):
    """An ISO 8601 string or aware datetime as "2026-03-02 17:30" in Asia/Shanghai."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=TZ)
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def percent(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%".replace(".0%", "%")
