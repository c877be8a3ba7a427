"""The reception desk: finding the procedure, exactly the catalog's papers, the applicant's data."""

from __future__ import annotations

import re

from web_support import ROOT

from motcua.catalog import load_catalog

PERMIT = "1.009994"
APPLICANT = {"kind": "person", "fullName": "Nguyễn Văn An", "idNumber": "079090001234",
             "phone": "0912345678", "address": "12 Lê Lợi"}


def papers(case_id="cong-trinh"):
    procedure = load_catalog(ROOT / "catalog").get(PERMIT)
    return procedure, {f"component.{c.id}": "1" for c in procedure.components_for(case_id) if c.is_required} | {
        f"copy_type.{c.id}": c.copy_types[0].value for c in procedure.components_for(case_id)}


def test_searching_the_catalog(as_staff):
    reception = as_staff("tiepnhan")
    page = reception.get("/reception?q=giấy phép xây dựng").get_data(as_text=True)
    assert "Cấp giấy phép xây dựng mới" in page
    assert "chứng chỉ hành nghề" not in page.lower()
    assert "Không tìm thấy thủ tục" in reception.get("/reception?q=xyzxyz").get_data(as_text=True)


def test_the_intake_page_lists_exactly_the_catalogs_papers_for_the_case(as_staff):
    reception = as_staff("tiepnhan")
    procedure, _ = papers()
    page = reception.get(f"/reception/{PERMIT}").get_data(as_text=True)
    assert "Cần chọn trường hợp" not in page and 'name="component.' not in page  # the case comes first
    page = reception.get(f"/reception/{PERMIT}?case=cong-trinh").get_data(as_text=True)
    ticks = re.findall(r'name="component\.([\w-]+)"', page)
    assert ticks == [c.id for c in procedure.components_for("cong-trinh")]
    house = reception.get(f"/reception/{PERMIT}?case=nha-o-rieng-le").get_data(as_text=True)
    assert "quyet-dinh-phe-duyet-du-an" not in house  # only for works in a project


def test_a_paper_the_catalog_does_not_list_is_refused_by_the_server(as_staff):
    _, form = papers()
    response = as_staff("tiepnhan").post(f"/reception/{PERMIT}", data={
        "case": "cong-trinh", "channel": "counter", **APPLICANT, **form,
        "component.so-ho-khau": "1", "copy_type.so-ho-khau": "original"})
    assert response.status_code == 400


def test_applicant_data_is_checked_and_kept_on_error(as_staff):
    _, form = papers()
    response = as_staff("tiepnhan").post(f"/reception/{PERMIT}", data={
        "case": "cong-trinh", "channel": "counter", **form, **APPLICANT,
        "fullName": "", "phone": "12345", "idNumber": "12", "email": "khong-phai-email"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Trường này là bắt buộc." in page
    assert "Số điện thoại không hợp lệ (ví dụ 0912345678)." in page
    assert "Số CCCD (12 số), CMND (9 số) hoặc mã số thuế (10 số) không hợp lệ." in page
    assert "Địa chỉ email không hợp lệ." in page
    assert 'value="12 Lê Lợi"' in page and 'value="khong-phai-email"' in page
    ticked = re.findall(r'name="component\.([\w-]+)" value="1" checked', page)
    assert sorted(ticked) == sorted(k.split(".", 1)[1] for k in form if k.startswith("component."))


def test_nothing_ticked_is_explained(as_staff):
    response = as_staff("tiepnhan").post(f"/reception/{PERMIT}", data={"case": "cong-trinh", **APPLICANT})
    assert response.status_code == 422
    assert "Chưa đánh dấu giấy tờ nào đã nộp." in response.get_data(as_text=True)


def test_with_the_engine_down_the_dossier_is_kept_and_can_be_started_later(as_staff):
    _, form = papers()
    reception = as_staff("tiepnhan")
    response = reception.post(f"/reception/{PERMIT}", data={"case": "cong-trinh", "channel": "counter",
                                                            **APPLICANT, **form}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "chưa khởi động được quy trình" in page and "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page
    code = re.search(r"Mã hồ sơ: <strong>([^<]+)</strong>", page).group(1)
    dossier = reception.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Khởi động quy trình" in dossier and "Nguyễn Văn An" in dossier
    assert code in reception.get("/dossiers?q=nguyễn văn").get_data(as_text=True)
