"""Payloads modelled on the national portal's dossier sync (DongBoHoSoMC) and progress update
(CapNhatTienDoHoSoMC); dates as `yyyyMMddHHmmss` in Vietnam time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from motcua.db import Dossier
from motcua.db.base import LOCAL_ZONE
from motcua.timeline_steps import step_label

DOSSIER_SYNC = "DongBoHoSoMC"
PROGRESS_UPDATE = "CapNhatTienDoHoSoMC"

def portal_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    local = moment.astimezone(LOCAL_ZONE) if moment.tzinfo else moment
    return local.strftime("%Y%m%d%H%M%S")


def dossier_sync(dossier: Dossier, procedure_name: str, at: datetime) -> dict[str, Any]:
    """The whole dossier as the portal keeps it (sent when it is received or refused)."""
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": procedure_name,
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": dossier.applicant_kind.portal_code,
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "DiaChi": dossier.applicant_address,
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_at),
        "TrangThaiHoSo": int(dossier.status),
        "HinhThuc": dossier.channel.portal_code,
        "DonViXuLy": dossier.agency_code,
        "TaiLieuNop": [{"MaThanhPhan": c.get("component"), "SoLuong": c.get("quantity", 1)}
                       for c in dossier.submitted_components],
        "ThoiDiemDongBo": portal_time(at),
    }


def progress_update(dossier: Dossier, step: str, at: datetime) -> dict[str, Any]:
    """One step of processing (the status and the current appointment date)."""
    return {
        "MaHoSo": dossier.code,
        "TrangThai": int(dossier.status),
        "NoiDungXuLy": step_label(step),
        "ThoiDiemXuLy": portal_time(at),
        "PhongBanXuLy": dossier.agency_code,
        "NgayBatDau": portal_time(dossier.received_at),
        "NgayKetThucTheoQuyDinh": portal_time(dossier.due_at),
        "NgayTra": portal_time(dossier.returned_at),
        "NgayKetThucXuLy": portal_time(dossier.processing_finished_at),
    }
