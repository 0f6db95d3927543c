"""The desk's words: field names as officers know them, the choices of each field, the kinds of
due item, and which pages each role has. The event, status and grade words are the CLI's
(:mod:`disputes.domain.vocabulary`)."""

from __future__ import annotations

from disputes.domain.roster import Role

FIELD: dict[str, str] = {
    "category": "类别",
    "source": "来源",
    "village": "村（警务室）",
    "summary": "简要情况",
    "parties": "当事人",
    "people_involved": "涉及人数",
    "attachments": "照片",
    "grade": "等级",
    "reason": "理由",
    "signals": "风险信号",
    "leader": "分包责任领导",
    "officer": "责任人",
    "auxiliary": "专职辅警",
    "grid_worker": "网格员",
    "plan": "方案",
    "attendees": "参会人员",
    "mode": "方式",
    "note": "情况",
    "result": "结果",
    "with_units": "联调单位",
    "to": "移交单位",
    "referral": "移交序号",
    "outcome": "回执结果",
    "agreement": "协议内容",
    "form": "协议形式",
    "observe_days": "观察天数",
    "level": "督办等级",
    "kind": "后果类型",
    "ref": "警情/案件编号",
    "station": "派出所",
    "at": "发生时间",
    "occurred_at": "发生时间",
    "case": "案件编号",
}

CHOICES: dict[str, dict[str, str]] = {
    "grade": {"red": "红", "yellow": "黄"},
    "mode": {"in-person": "当面", "phone": "电话"},
    "result": {"progress": "有进展", "failed": "未成功"},
    "outcome": {"accepted": "已受理", "handled": "已办结", "returned": "退回"},
    "form": {"written": "书面协议", "oral": "口头协议", "judicial-confirmation": "司法确认"},
    "level": {"yellow-card": "黄牌督办", "red-card": "红牌督办"},
    "kind": {
        "criminal-case": "民转刑",
        "public-order-case": "民转治安",
        "homicide": "命案",
        "mass-incident": "群体性事件",
        "petition": "越级上访",
    },
    "party_role": {"applicant": "申请方", "respondent": "被申请方", "related": "关系人"},
}

DUE_KIND: dict[str, str] = {
    "first-contact": "首次接触",
    "contact": "定期接触",
    "follow-up": "回访",
    "referral-reply": "移交回执",
    "observation-end": "观察期满",
    "stalled": "久调未决",
}

SUPERVISION: dict[str, str] = {
    "normal": "正常",
    "none": "正常",
    "yellow-card": "黄牌",
    "red-card": "红牌",
}

ROLE: dict[str, str] = {
    Role.LEADER: "分包责任领导",
    Role.COMMUNITY_POLICE: "社区民警",
    Role.AUXILIARY_POLICE: "专职辅警",
    Role.GRID_WORKER: "网格员",
    Role.AUDITOR: "审计员",
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDIT_ADMIN: "审计管理员",
    Role.FINANCE: "财务",
}

NEXT_STEP: dict[str, str] = {
    "reported": "等待民警研判定级",
    "open": "民警调处中",
    "observing": "已化解，回访观察中",
    "closed": "已销号",
}
"""What a grid worker is told of their report's next step, by status."""

PAGES: dict[str, tuple[tuple[str, str], ...]] = {
    Role.GRID_WORKER: (("/desk/report", "上报"), ("/desk/my-reports", "我的上报")),
    Role.AUXILIARY_POLICE: (
        ("/desk/todo", "我的待办"),
        ("/desk/report", "上报"),
        ("/desk/my-reports", "我的上报"),
    ),
    Role.COMMUNITY_POLICE: (
        ("/desk/todo", "我的待办"),
        ("/desk/ledger", "台账"),
        ("/desk/report", "上报"),
    ),
    Role.LEADER: (
        ("/desk/board", "督办"),
        ("/desk/todo", "我的待办"),
        ("/desk/ledger", "台账"),
        ("/desk/figures", "统计"),
        ("/desk/rating", "五星警务室"),
    ),
    Role.AUDITOR: (("/desk/audit", "审计"), ("/desk/ledger", "台账")),
    Role.AUDIT_ADMIN: (("/desk/audit", "审计"),),
}
"""The menu of each role (others: none; the administrators work from the CLI)."""

HOME: dict[str, str] = {
    Role.GRID_WORKER: "/desk/report",
    Role.AUXILIARY_POLICE: "/desk/todo",
    Role.COMMUNITY_POLICE: "/desk/todo",
    Role.LEADER: "/desk/board",
    Role.AUDITOR: "/desk/audit",
    Role.AUDIT_ADMIN: "/desk/audit",
}
