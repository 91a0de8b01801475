"""Events the payments service publishes about monthly runs, bank credits and overpayments.

Keys: a run-level event is keyed by its run id, a payment event by its own payment id (a reissue
by the new payment's id, so it stays in order with that payment's credit or failure), and an
overpayment by its overpayment id.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from shared.contracts.base import Event, registry
from shared.contracts.types import Benefit, DistrictCode, Fen, Month, StaffId

PAYMENT_TOPIC = "payments.payment.v1"

BankReasonCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]


class PaymentRunReleased(Event):
    """A district's monthly payment run was released to the bank after a second person checked it."""

    topic: ClassVar[str] = PAYMENT_TOPIC
    type: Literal["PaymentRunReleased"] = "PaymentRunReleased"
    run_id: UUID = Field(description="The payment run; the Kafka key")
    district_code: DistrictCode = Field(description="District the run pays")
    month: Month = Field(description="Month the run pays for")
    payment_count: int = Field(ge=0, description="Number of payments in the run")
    total_fen: Fen = Field(description="Sum of the run's payments")
    prepared_by: StaffId = Field(description="Staff account that prepared the run")
    released_by: StaffId = Field(description="Staff account that released the run; never the preparer")

    @model_validator(mode="after")
    def _four_eyes(self) -> Self:
        if self.released_by == self.prepared_by:
            raise ValueError("a run is released by someone other than the person who prepared it")
        return self

    def key(self) -> str:
        return str(self.run_id)


class PaymentEvent(Event):
    """Base of the events keyed by payment: one payment's events stay in order on one partition."""

    topic: ClassVar[str] = PAYMENT_TOPIC
    payment_id: UUID = Field(description="The payment; the Kafka key")
    case_id: UUID = Field(description="The case (or, for a temporary grant, the application) paid for")
    household_id: UUID = Field(description="The beneficiary's household")
    person_id: UUID | None = Field(
        description="The beneficiary paid; null for a temporary grant, which is paid to the household"
    )
    benefit: Benefit = Field(description="What the payment is for")
    month: Month = Field(description="Month the payment is for")
    amount_fen: Fen = Field(description="Amount of the payment")

    def key(self) -> str:
        return str(self.payment_id)


class PaymentDisbursed(PaymentEvent):
    """The bank credited a payment to the beneficiary's account."""

    type: Literal["PaymentDisbursed"] = "PaymentDisbursed"
    run_id: UUID = Field(description="The run the payment was part of")
    paid_on: date = Field(description="Date the bank credited the account")


class PaymentFailed(PaymentEvent):
    """The bank could not credit a payment; it will be retried or reissued, never paid twice."""

    type: Literal["PaymentFailed"] = "PaymentFailed"
    run_id: UUID = Field(description="The run the payment was part of")
    reason_code: BankReasonCode = Field(description="The bank's return code")
    failed_on: date = Field(description="Date the bank reported the failure")


class PaymentReissued(PaymentEvent):
    """A failed payment was replaced by a new one for the same beneficiary, benefit and month."""

    type: Literal["PaymentReissued"] = "PaymentReissued"
    original_payment_id: UUID = Field(description="The failed payment this one replaces")
    reissued_on: date = Field(description="Date the new payment was issued")

    @model_validator(mode="after")
    def _replaces_another(self) -> Self:
        if self.original_payment_id == self.payment_id:
            raise ValueError("original_payment_id must differ from payment_id")
        return self


class OverpaymentRaised(Event):
    """A payment turned out to be owed back, e.g. paid for a month after death or termination."""

    topic: ClassVar[str] = PAYMENT_TOPIC
    type: Literal["OverpaymentRaised"] = "OverpaymentRaised"
    overpayment_id: UUID = Field(description="The overpayment to recover; the Kafka key")
    payment_id: UUID = Field(description="The payment that was not due")
    case_id: UUID = Field(description="The case the payment belongs to")
    person_id: UUID = Field(description="The beneficiary overpaid")
    month: Month = Field(description="Month the payment was for")
    amount_fen: Fen = Field(description="Amount to recover")
    reason: Literal["death", "termination", "fraud", "wrong_amount", "duplicate"] = Field(
        description="Why the payment was not due"
    )
    raised_on: date = Field(description="Date the overpayment was recorded")

    def key(self) -> str:
        return str(self.overpayment_id)


registry.register(PaymentRunReleased, PaymentDisbursed, PaymentFailed, PaymentReissued, OverpaymentRaised)
