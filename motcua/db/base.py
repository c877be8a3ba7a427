"""The declarative base, naming conventions and column types shared by every model.

Moments (`Moment`) are stored in UTC and read back as timezone-aware UTC datetimes; a naive
datetime given to the database is taken as Vietnam local time (Asia/Ho_Chi_Minh), the time the
desk works in.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Moment(sa.types.TypeDecorator[datetime]):
    """A point in time: stored as naive UTC, returned as aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_ZONE)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def now() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_class: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A VARCHAR holding the enum's values (not names), without a database enum type."""
    return sa.Enum(enum_class, native_enum=False, create_constraint=False, length=length,
                   values_callable=lambda members: [m.value for m in members],
                   validate_strings=True)


class IntEnumColumn(sa.types.TypeDecorator[Any]):
    """An INTEGER read back as a Python IntEnum (e.g. DossierStatus)."""

    impl = sa.Integer
    cache_ok = True

    def __init__(self, enum_class: type[enum.IntEnum]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> int | None:
        return None if value is None else int(self.enum_class(value))

    def process_result_value(self, value: int | None, dialect: sa.Dialect) -> Any:
        return None if value is None else self.enum_class(value)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: Moment(), dict[str, Any]: sa.JSON(), list[Any]: sa.JSON()}
