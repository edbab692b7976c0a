"""The redaction settings form of one instance."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from franko.redaction.rules import CARD, EMAIL, IBAN, PHONE
from franko.redaction.settings import RedactionSettings


class RedactionForm(FlaskForm):
    email = BooleanField("Email addresses")
    phone = BooleanField("Phone numbers")
    card = BooleanField("Payment card numbers (checked with the Luhn digit)")
    iban = BooleanField("Bank account numbers (IBANs, checked with their checksum)")
    csv = BooleanField("In the CSV export")
    webhook = BooleanField("In the webhook's body")
    notification = BooleanField("In notification emails")
    store = BooleanField("Store the interviewee's messages masked (the original is then kept nowhere)")
    submit = SubmitField("Save redaction settings")

    KIND_FIELDS = (EMAIL, PHONE, CARD, IBAN)
    OUTPUT_FIELDS = ("csv", "webhook", "notification")

    @classmethod
    def of(cls, settings: RedactionSettings) -> "RedactionForm":
        data = {k: k in settings.kinds for k in cls.KIND_FIELDS}
        data.update({o: o in settings.outputs for o in cls.OUTPUT_FIELDS})
        data["store"] = settings.store
        return cls(data=data)

    def settings(self) -> RedactionSettings:
        kinds = tuple(k for k in self.KIND_FIELDS if self[k].data)
        if not kinds:
            return RedactionSettings()
        return RedactionSettings(kinds, tuple(o for o in self.OUTPUT_FIELDS if self[o].data), bool(self.store.data))
