"""One instance of the payments service's consumer for the scale-out test: the service's own handler for
`CaseApproved` and its inbox, on a topic of the test's own (so the session's other tests never feed it)."""

from __future__ import annotations

import argparse
import asyncio

from sqlalchemy.ext.asyncio import create_async_engine

from services.payments.consumers import HANDLERS
from services.payments.main import DEFINITION as PAYMENTS
from shared.contracts.base import ContractRegistry
from shared.contracts.eligibility import CaseApproved
from shared.db import session_factory
from shared.messaging.inbox import InboxProcessor
from shared.messaging.kafka import KafkaDeadLetters, KafkaInboxConsumer, KafkaPublisher
from shared.settings import KafkaSettings


def approvals_on(topic: str) -> type[CaseApproved]:
    """`CaseApproved` as it is, published to `topic`: the payments handler accepts it as its own."""
    return type("CaseApproved", (CaseApproved,), {"topic": topic})


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--instance", required=True, help="the client id the group lists this instance by")
    args = parser.parse_args()
    settings = KafkaSettings(
        bootstrap_servers=args.bootstrap, client_id=args.instance, session_timeout_ms=6_000, batch_size=100
    )
    contracts = ContractRegistry()
    contracts.register(approvals_on(args.topic))
    engine = create_async_engine(args.database)
    processor = InboxProcessor(
        consumer=PAYMENTS.name,
        source=PAYMENTS.source,
        sessions=session_factory(engine),
        handlers={"CaseApproved": HANDLERS["CaseApproved"]},
        contracts=contracts,
        dead_letters=KafkaDeadLetters(KafkaPublisher(settings)),
    )
    await KafkaInboxConsumer(processor=processor, settings=settings, group_id=args.group).run()


if __name__ == "__main__":
    asyncio.run(main())
