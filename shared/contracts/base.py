"""What every event contract has in common, and the registry consumers decode with."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class Event(BaseModel):
    """A business fact that happened. Subclasses fix `type` with a Literal and set `topic`.

    Events carry ids and business facts, never personal data (no names, ID numbers, accounts).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: ClassVar[str]
    event_id: UUID = Field(default_factory=uuid4, description="CloudEvents `id`; unique per event")
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC), description="CloudEvents `time`")

    def key(self) -> str:
        """The aggregate id: the Kafka key that keeps one aggregate's events in order."""
        raise NotImplementedError

    def subject(self) -> str | None:
        """CloudEvents `subject`: the aggregate the event is about."""
        return self.key()

    @classmethod
    def event_type(cls) -> str:
        type_field = cls.model_fields["type"]
        assert type_field.default is not None, f"{cls.__name__}.type needs a Literal default"
        return str(type_field.default)

    def body(self) -> dict[str, Any]:
        """The JSON body on the wire: business facts only, the envelope carries id and time."""
        return self.model_dump(mode="json", exclude={"event_id", "occurred_at"})


class ContractRegistry:
    """Maps CloudEvents `type` to its contract so a consumer can decode and validate a message."""

    def __init__(self) -> None:
        self._by_type: dict[str, type[Event]] = {}
        self._adapters: dict[str, TypeAdapter[Any]] = {}

    def register(self, *contracts: type[Event]) -> None:
        for contract in contracts:
            event_type = contract.event_type()
            if event_type in self._by_type:
                raise ValueError(f"event type {event_type!r} registered twice")
            self._by_type[event_type] = contract

    def contract(self, event_type: str) -> type[Event] | None:
        return self._by_type.get(event_type)

    def by_topic(self) -> dict[str, list[type[Event]]]:
        topics: dict[str, list[type[Event]]] = {}
        for contract in self._by_type.values():
            topics.setdefault(contract.topic, []).append(contract)
        return topics

    def decode(self, event_type: str, event_id: UUID, occurred_at: datetime, body: dict[str, Any]) -> Event:
        """Validate a body against its contract; raises pydantic.ValidationError or KeyError."""
        contract = self._by_type[event_type]
        return contract.model_validate({**body, "event_id": event_id, "occurred_at": occurred_at})


registry = ContractRegistry()
