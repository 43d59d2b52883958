from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from videoforge.domain.money import Cost

# Amounts keep six decimal places (domain.money); a micro-dollar is the smallest unit.
_MICRO = Decimal("1000000")


class Money(TypeDecorator[Cost]):
    """A Cost, exact on every database: NUMERIC(18, 6) where the database has exact decimals
    (PostgreSQL), whole micro-dollars in an INTEGER on SQLite, whose NUMERIC is a float.
    Sums and increments in SQL stay exact either way."""

    impl = Numeric(18, 6)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, 6, asdecimal=True))

    def process_bind_param(self, value: Cost | Decimal | int | None, dialect: Dialect):
        if value is None:
            return None
        usd = value.usd if isinstance(value, Cost) else Cost(value).usd
        return int(usd * _MICRO) if dialect.name == "sqlite" else usd

    def process_result_value(self, value, dialect: Dialect) -> Cost | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Cost(Decimal(int(value)) / _MICRO)
        return Cost(Decimal(value))

    def coerce_compared_value(self, op, value):
        return self


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC and read back aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; times are stored timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
