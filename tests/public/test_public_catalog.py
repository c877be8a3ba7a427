"""The public procedure catalog: search with or without accents, details, downloads."""

from __future__ import annotations


def text(response) -> str:
    return response.get_data(as_text=True)


def test_catalog_lists_every_procedure_in_force(client):
    page = text(client.get("/thu-tuc"))
    assert "Số thủ tục đang áp dụng: 6" in page
    assert "Cấp giấy phép xây dựng mới" in page


def test_search_ignores_accents(client):
    page = text(client.get("/thu-tuc", query_string={"q": "giay phep xay dung"}))
    assert "Cấp giấy phép xây dựng mới" in page
    assert "chứng chỉ hành nghề" not in page
    assert "Số thủ tục tìm thấy: 1" in page
    by_paper = text(client.get("/thu-tuc", query_string={"q": "ảnh 4x6"}))
    assert "Cấp điều chỉnh, bổ sung nội dung chứng chỉ hành nghề" in by_paper
    nothing = client.get("/thu-tuc", query_string={"q": "thang may zxq"})
    assert "Không có thủ tục nào khớp" in text(nothing)


def test_procedure_page_has_papers_deadline_fees_and_legal_basis(client):
    page = text(client.get("/thu-tuc/1.009986"))
    assert "Đơn đề nghị điều chỉnh, bổ sung nội dung chứng chỉ hành nghề" in page
    assert "Mẫu số 01 Phụ lục IV Nghị định 15/2021/NĐ-CP" in page
    assert "10 ngày" in page and "5 ngày làm việc" in page
    assert "150.000 đ" in page
    assert "Nghị định 15/2021/NĐ-CP (Điều 76)" in page
    english = text(client.get("/thu-tuc/1.009986?lang=en"))
    assert "Amendment of a grade II or III construction practising certificate" in english
    assert "10 days" in english


def test_checklist_downloads_as_pdf(client):
    response = client.get("/thu-tuc/1.009994/danh-muc-ho-so.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_official_form_file_downloads_when_the_catalog_has_it(app_factory, tmp_path):
    import shutil

    from motcua.settings import PROJECT_ROOT

    catalog = tmp_path / "catalog"
    shutil.copytree(PROJECT_ROOT / "catalog", catalog)
    (catalog / "templates" / "1.009986").mkdir(parents=True)
    (catalog / "templates" / "1.009986" / "don-de-nghi.docx").write_bytes(b"PK fake docx")
    client = app_factory(CATALOG_DIR=str(catalog)).test_client()
    page = text(client.get("/thu-tuc/1.009986"))
    assert "/thu-tuc/1.009986/mau/don-de-nghi" in page
    download = client.get("/thu-tuc/1.009986/mau/don-de-nghi")
    assert download.status_code == 200 and download.data == b"PK fake docx"
    assert client.get("/thu-tuc/1.009986/mau/anh-4x6").status_code == 404


def test_unknown_procedure(client):
    assert client.get("/thu-tuc/9.999999").status_code == 404
