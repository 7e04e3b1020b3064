"""Fictional projects of other industries for the plan-fact reader: a hospital (Chinese, HL7/DICOM/FHIR) and a
logistics roll-out (English, an interface table, interfaces only a meeting names, a later mail that moves dates
and changes a protocol, gray-release waves, rollback thresholds). All names are made up."""

from __future__ import annotations

import datetime as dt

from assistant.plans.facts import SourceChunk


def chunks_of(
    file_name: str, doc_date: dt.date | None, *texts: str, language: str = "zh"
) -> list[SourceChunk]:
    doc_id = "doc-" + file_name
    return [
        SourceChunk(
            chunk_id=f"{doc_id}#{i}",
            document_id=doc_id,
            file_name=file_name,
            text=text,
            position=i,
            doc_date=doc_date,
            language=language,
        )
        for i, text in enumerate(texts)
    ]


HOSPITAL_SPEC = chunks_of(
    "市一院_信息集成方案_v0.9.docx",
    dt.date(2026, 5, 6),
    """1.3 术语
HIS：医院信息系统，院内现有系统，由东软承建。
LIS：检验信息系统，本期新建，产品为安和医疗软件有限公司的 AnLab LIS。
PACS：影像归档和通信系统，本期升级。
EMR：电子病历系统。""",
    """3.2 接口清单
接口编号 | 源系统 | 目标系统 | 协议 | 数据 | 频率 | 负责人
IF-H01 | HIS | LIS | HL7 v2.5 | 检验申请（ORM^O01） | 实时 | 孙丽
IF-H02 | LIS | HIS | HL7 v2.5 | 检验报告（ORU^R01） | 审核后 1 分钟内 | 孙丽""",
    """IF-H03 | HIS | PACS | DICOM MWL | 检查预约、工作列表 | 实时 |
IF-H04 | PACS | EMR | FHIR R4 | 影像报告（DiagnosticReport） | 报告签发后 5 分钟内 | 钱峰""",
    """3.3 实施阶段
阶段 | 起止日期 | 主要交付物
需求调研 | 2026-05-11 至 2026-06-05 | 需求规格说明书
接口开发 | 2026-06-08 至 2026-08-14 | 接口程序
联调测试 | 2026-08-17 至 2026-09-18 | 测试报告
试运行 | 2026-09-21 至 2026-10-30 | 试运行报告""",
    """3.4 上线与回退
采用灰度上线：首批在门诊检验科上线，上线日期为2026年9月21日；其余科室在2026年10月19日前完成推广。
灰度期间观察期 5 个工作日，接口消息失败率超过 1% 并持续 30 分钟时，立即回滚至原有手工流程。
回滚方案：停止新接口，恢复原 HIS 打印申请单流程，回滚须在 2 小时内完成。
培训安排：2026年9月14日对检验科护士进行 LIS 操作培训。
项目验收后移交运维手册和接口文档给信息科。""",
    language="zh",
)

HOSPITAL_MEETING = chunks_of(
    "2026-05-20_接口评审会纪要.md",
    dt.date(2026, 5, 20),
    """# 接口评审会纪要

1. 检验结果除回传 HIS 外，LIS 还需通过 FHIR 接口向区域健康平台推送检验报告，本次纳入范围。
2. 联调测试开始日期由2026年8月17日调整为2026年8月24日，结束日期不变。
3. 联系人：孙丽，电话 0571-8800-1234；需求编号 REQ-LIS-004 与 A-03 行动项另行跟踪。""",
    language="zh",
)

LOGISTICS_SPEC = chunks_of(
    "Northwind_TMS-WMS_Integration_Plan_v1.2.docx",
    dt.date(2026, 2, 10),
    """4 Interfaces
ID | Source | Target | Protocol | Data | Frequency | Owner
INT-1 | TMS | WMS | REST | Shipment orders | Every 10 min | Priya Shah
INT-2 | WMS | TMS | SFTP file | Dispatch confirmations | Daily 22:00 | Priya Shah
INT-3 | TMS | ERP | SOAP | Freight costs | Daily 23:00 | """,
    """5 Schedule
Phase | Dates | Deliverable
Design | 2026-02-16 to 2026-03-13 | Interface specification
Build | 2026-03-16 to 2026-05-08 | Interfaces, unit test report
Testing (SIT/UAT) | 2026-05-11 to 2026-06-19 | UAT sign-off
Go-live and hypercare | 2026-06-22 to 2026-07-31 | Handover list""",
    """6 Cut-over
The first wave goes live in the Leeds depot on 22 June 2026; all other depots follow by 20 July 2026.
Roll back to the legacy dispatch screens if the order error rate exceeds 2% for 30 minutes.
The rollback procedure is documented in the cut-over runbook; a rollback must complete within 4 hours.
Training: key users of the Leeds depot receive two days of TMS training on 15 June 2026.""",
    language="en",
)

LOGISTICS_MEETING = chunks_of(
    "2026-03-02_steering-minutes.md",
    dt.date(2026, 3, 2),
    """# Steering committee minutes

- The TMS publishes vehicle positions to the YMS over MQTT every 30 seconds (new, agreed today).
- UAT starts on 25 May 2026 (decision D-4). Requirement FR-012 and action A-07 are tracked elsewhere.
- Carrier hotline 0113-496-0000 moves to v2.1 of the script.""",
    language="en",
)

LOGISTICS_MAIL = chunks_of(
    "2026-03-20_RE_schedule.eml",
    dt.date(2026, 3, 20),
    """From: Priya Shah <priya@northwind.example>
To: Project team <team@northwind.example>
Date: Fri, 20 Mar 2026 09:00:00 +0000
Subject: RE: schedule

All,

The steering group agreed today: UAT starts on 1 June 2026, not 25 May.
INT-3 (TMS -> ERP) now uses REST instead of SOAP; owner: Tom Reid.

Priya

-----Original Message-----
From: Tom Reid <tom@northwind.example>
Sent: 19 March 2026 17:10
Subject: schedule

Proposal: UAT starts on 8 June 2026.""",
    language="en",
)
