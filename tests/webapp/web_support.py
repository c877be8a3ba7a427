"""Shared by the webapp tests (a uniquely named module, so imports never hit another conftest)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mat-khau-123"
STAFF = {  # username: (full name, roles)
    "tiepnhan": ("Nguyễn Thị Lan", ["reception"]),
    "chuyenvien": ("Trần Văn Minh", ["specialist"]),
    "truongphong": ("Lê Thị Hương", ["head"]),
    "lanhdao": ("Phạm Quốc Bảo", ["leader"]),
    "quantri": ("Đỗ Thu Trang", ["admin"]),
}


def sign_in(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    response = client.post("/sign-in", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client
