"""In-process bus for the embedded default: outbox rows go straight to the subscribed inbox processors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from shared.messaging.envelope import Envelope
from shared.messaging.inbox import InboxProcessor


class InProcessBus:
    """A Publisher with Kafka's guarantees, minus Kafka: the relay marks rows sent only after every
    subscriber committed them, so a crash re-sends and the inboxes absorb the repeat."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[InboxProcessor]] = defaultdict(list)

    def subscribe(self, processor: InboxProcessor) -> None:
        for topic in processor.topics:
            self._subscribers[topic].append(processor)

    async def publish(self, envelopes: Sequence[Envelope]) -> None:
        by_topic: dict[str, list[Envelope]] = defaultdict(list)
        for envelope in envelopes:
            by_topic[envelope.topic].append(envelope)
        for topic, batch in by_topic.items():
            for processor in self._subscribers.get(topic, ()):
                await processor.process(batch)
        # No consumer loop here: parked events that are due are tried whenever events flow.
        for processor in {id(p): p for ps in self._subscribers.values() for p in ps}.values():
            await processor.retry_deferred()
