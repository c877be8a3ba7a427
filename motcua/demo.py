"""Demo data for `make run` / `motcua demo`: one staff user per role, and a few dossiers started
on the engine (idempotent: users that exist are left alone, dossiers are added once).

The demo accounts (username / password) are printed when loaded; see DEMO_USERS. So is the token
of a demo consulted agency (DEMO_AGENCY), whose system may post consultation replies to
`/api/v1/interagency/replies` for requests sent to it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from motcua import db
from motcua.catalog import load_catalog
from motcua.dossiers import Applicant, IncompleteDossier, receive_dossier
from motcua.roles import StaffRole
from motcua.staff_accounts import create_user, find_user, issue_agency_token
from motcua.statuses import ApplicantKind, Channel

# username, full name, role; the password is "<username>-demo"
DEMO_USERS = (
    ("tiepnhan", "Nguyễn Thị Lan (tiếp nhận)", StaffRole.RECEPTION),
    ("chuyenvien", "Trần Văn Minh (chuyên viên)", StaffRole.SPECIALIST),
    ("truongphong", "Lê Thị Hương (trưởng phòng)", StaffRole.HEAD),
    ("lanhdao", "Phạm Quốc Bảo (lãnh đạo Sở)", StaffRole.LEADER),
    ("vanhanh", "Hoàng Anh Tuấn (vận hành)", StaffRole.OPERATOR),
    ("quantri", "Đỗ Thu Trang (quản trị)", StaffRole.ADMIN),
)
# code (as the appraisal forms name it), name, token: a fixed demo token, like the demo passwords
DEMO_AGENCY = ("police-fire", "Cảnh sát PCCC và CNCH tỉnh", "police-fire-demo-token")
DEMO_ACTOR = "tiepnhan"
DEMO_APPLICANTS = (
    ("Nguyễn Văn An", "079090001234", "0912345678", "12 Lê Lợi, phường Thuận Hóa"),
    ("Công ty TNHH Xây dựng Hòa Bình", "0301234567", "0987654321", "45 Trần Hưng Đạo, phường Phú Hội"),
    ("Lê Thị Bích", "046185004321", "0905111222", "8 Nguyễn Huệ, phường Vĩnh Ninh"),
)


def password_of(username: str) -> str:
    return f"{username}-demo"


def load(settings) -> None:  # noqa: ANN001 - motcua.settings.Settings
    db.migrate(settings.database_url)
    sessions = db.session_factory(settings.database_url)
    with db.transaction(sessions) as session:
        for username, full_name, role in DEMO_USERS:
            if find_user(session, username) is None:
                create_user(session, username, full_name, password_of(username), [role], unit="Sở Xây dựng")
    print("demo staff accounts (username / password):")
    for username, _, role in DEMO_USERS:
        print(f"  {username:<12} / {password_of(username):<18} {role.label_vi}")
    code, name, token = DEMO_AGENCY
    with db.transaction(sessions) as session:
        if session.scalars(sa.select(db.AgencyToken.id).where(
                db.AgencyToken.token_sha256 == db.AgencyToken.digest(token))).first() is None:
            session.add(issue_agency_token(code, name, token)[0])
    print(f"demo consulted agency {code} ({name}), token for /api/v1/interagency/replies: {token}")
    try:
        started = _demo_dossiers(settings, sessions)
    except Exception as error:  # the engine may not run (e.g. `motcua demo` alone): users are enough
        print(f"demo dossiers not started: {error}")
        return
    if started:
        print(f"demo dossiers started: {', '.join(started)}")


def _demo_dossiers(settings, sessions) -> list[str]:  # noqa: ANN001
    import grpc
    from pyzeebe.proto import gateway_pb2 as pb
    from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

    with sessions() as session:
        if session.scalars(sa.select(db.Dossier.id).where(db.Dossier.received_by == DEMO_ACTOR).limit(1)).first():
            return []
    catalog = load_catalog(settings.catalog_dir)
    procedures = [p for p in catalog][:len(DEMO_APPLICANTS)]
    started = []
    with grpc.insecure_channel(settings.zeebe_address) as channel:
        stub = GatewayStub(channel)
        for procedure, (name, id_number, phone, address) in zip(procedures, DEMO_APPLICANTS, strict=False):
            case_id = procedure.cases[0].id if procedure.cases else None
            papers = [{"component": c.id, "copy_type": c.copy_types[0].value, "quantity": c.quantity}
                      for c in procedure.components_for(case_id) if c.is_required]
            kind = ApplicantKind.ORGANISATION if name.startswith("Công ty") else ApplicantKind.PERSON
            with db.transaction(sessions) as session:
                try:
                    dossier = receive_dossier(
                        session, procedure=procedure, channel=Channel.DIRECT, received_at=datetime.now(UTC),
                        applicant=Applicant(kind=kind, name=name, id_number=id_number, phone=phone, address=address),
                        submitted=papers, calendar=db.load_working_calendar(session), actor=DEMO_ACTOR,
                        case_id=case_id, code_pattern=settings.dossier_code_pattern)
                except IncompleteDossier:
                    continue
                names = {c.id: c.name.vi for c in procedure.components}
                variables = {
                    "dossierCode": dossier.code, "procedureCode": procedure.code,
                    "procedureName": procedure.name.vi,
                    "applicant": {"fullName": name, "phone": phone, "idNumber": id_number, "address": address,
                                  "email": "", "kind": kind.value},
                    "components": [{"id": p["component"], "name": names[p["component"]],
                                    "copyType": p["copy_type"], "quantity": p["quantity"]} for p in papers],
                    "channel": "counter",
                }
                created = stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(
                    bpmnProcessId=procedure.process_id, version=-1, variables=json.dumps(variables)), timeout=10)
                dossier.process_instance_key = created.processInstanceKey
                started.append(dossier.code)
    return started
