"""The redaction function on every kind, in context and alone, and the near misses it must leave as they are."""
import pytest

from franko.redaction.rules import CARD, EMAIL, IBAN, KINDS, PHONE, describe, is_card_number, is_iban, mask, redact
from franko.redaction.settings import RedactionSettings, mask_messages, mask_webhook_data

# --- each kind is found, whatever its spelling, and replaced by its mask --------------------------

EMAILS = ["ada@example.com", "Ada.Lovelace+interviews@example.co.uk", "ADA@EXAMPLE.COM", "j_o-e@mail.example.org",
          "ada@bäckerei.de"]
PHONES = [  # GB by default; international numbers in any region
    "+44 20 7946 0958", "020 7946 0958", "(020) 7946 0958", "07911 123456", "+447911123456", "0161 496 0000",
    "+1 415 555 2671", "+49 30 901820", "0049 30 901820", "+33 1 42 68 53 00",
]
CARDS = [  # test numbers of each issuer, grouped as people type them
    "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5555 5555 5555 4444", "2223 0031 2200 3222",
    "3782 822463 10005", "6011 1111 1111 1117", "3530 1113 3330 0000", "4222222222222",
]
IBANS = ["GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432", "DE89 3704 0044 0532 0130 00", "de89370400440532013000",
         "FR14 2004 1010 0505 0001 3M02 606", "NL91 ABNA 0417 1643 00", "BE71 0961 2345 6769"]


@pytest.mark.parametrize("value", EMAILS)
def test_an_email_is_masked(value):
    result = redact(f"You can write to {value}, thanks.")
    assert result.text == "You can write to [email], thanks." and result.found == (EMAIL,)


@pytest.mark.parametrize("value", PHONES)
def test_a_phone_number_is_masked(value):
    result = redact(f"Call me on {value} after six.")
    assert result.text == "Call me on [phone] after six." and result.found == (PHONE,)


@pytest.mark.parametrize("value", CARDS)
def test_a_card_number_is_masked(value):
    result = redact(f"My card is {value} if you need it")
    assert result.text == "My card is [card number] if you need it" and result.found == (CARD,)


@pytest.mark.parametrize("value", IBANS)
def test_an_iban_is_masked(value):
    result = redact(f"Pay it into {value} please.")
    assert result.text == "Pay it into [IBAN] please." and result.found == (IBAN,)


def test_a_us_number_is_read_in_the_us_region_only():
    assert redact("Call (415) 555-2671.", region="US").text == "Call [phone]."
    assert redact("Call (415) 555-2671.", region="GB").found == ()


def test_several_values_of_several_kinds_in_one_message_are_each_masked_and_counted():
    text = ("Email ada@example.com or bob@example.org, phone 07911 123456, card 4111 1111 1111 1111, "
            "IBAN GB82 WEST 1234 5698 7654 32. Order 10023456 came on 2024-03-15.")
    result = redact(text)
    assert result.text == ("Email [email] or [email], phone [phone], card [card number], IBAN [IBAN]. "
                           "Order 10023456 came on 2024-03-15.")
    assert result.found == (EMAIL, EMAIL, PHONE, CARD, IBAN)
    assert result.counts == {EMAIL: 2, PHONE: 1, CARD: 1, IBAN: 1}
    assert describe(result.found) == "5 masked: email, phone, card number, IBAN"


def test_only_the_kinds_asked_for_are_masked():
    text = "ada@example.com, 07911 123456, 4111 1111 1111 1111, GB82 WEST 1234 5698 7654 32"
    assert redact(text, [EMAIL]).text == "[email], 07911 123456, 4111 1111 1111 1111, GB82 WEST 1234 5698 7654 32"
    assert redact(text, [PHONE]).text == "ada@example.com, [phone], 4111 1111 1111 1111, GB82 WEST 1234 5698 7654 32"
    assert redact(text, [CARD]).text == "ada@example.com, 07911 123456, [card number], GB82 WEST 1234 5698 7654 32"
    assert redact(text, [IBAN]).text == "ada@example.com, 07911 123456, 4111 1111 1111 1111, [IBAN]"
    assert redact(text, []).text == text and redact(text, []).found == ()


def test_an_iban_running_into_a_word_is_cut_at_the_valid_end():
    assert mask("IBAN GB82 WEST 1234 5698 7654 32 THANKS") == "IBAN [IBAN] THANKS"


def test_a_value_at_the_very_start_or_end_and_empty_text():
    assert mask("ada@example.com") == "[email]"
    assert mask("07911 123456") == "[phone]"
    assert redact("").text == "" and redact(None).text == ""


# --- near misses: left exactly as written ---------------------------------------------------------

NEAR_MISSES = [
    "Order number 10023456 arrived late.",  # an order number
    "My order #A-55120 and invoice INV-2024-000123.",
    "Ticket 4412345678 is still open.",  # ten digits, no number plan
    "We met on 2024-03-15, again on 15/03/2024 and on 03.15.2024.",  # dates
    "The meeting is at 14:30 on 12.05.",  # a time
    "We have 42 staff and 1234 customers.",  # short numbers
    "The card 4111 1111 1111 1112 was declined.",  # Luhn-invalid card number
    "4111111111111112",  # the same, unspaced
    "0000 0000 0000 0000",  # all zeros passes Luhn, but is no card
    "Account GB82 WEST 1234 5698 7654 33 is wrong.",  # an IBAN with a bad checksum
    "BE68 5390 0754 7034",  # mod 97 holds, the Belgian account's own check does not
    "XX82 WEST 1234 5698 7654 32",  # no such country
    "It costs £1,299.99 or 1.299,99 €.",  # prices
    "Version 1.2.3 of the app, build 20240315.",  # versions, a date-like build number
    "Our postcode is LS1 4AP and we are at 12 Park Row.",  # an address
    "Write to ada at example dot com.",  # an obfuscated email
    "user@localhost and @handle and a@b",  # no domain
    "Call 07700 900123 in the film.",  # a drama number: not allocated
    "Serial 9780306406157 (an ISBN).",  # thirteen digits, Luhn-invalid
    "Pin 1234, extension 5678.",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_left_as_they_are(text):
    result = redact(text)
    assert result.text == text and result.found == ()


def test_the_validators_alone():
    assert is_card_number("4111 1111 1111 1111") and not is_card_number("4111 1111 1111 1112")
    assert not is_card_number("1234 5678 9012 3452")  # Luhn-valid, but no issuer starts with 1
    assert not is_card_number("411111111111")  # twelve digits
    assert is_iban("GB82 WEST 1234 5698 7654 32") and not is_iban("GB82 WEST 1234 5698 7654 33")


def test_describe_names_each_kind_once_in_the_order_found():
    assert describe(["phone", "email", "phone"]) == "3 masked: phone, email"
    assert describe([]) == ""


# --- the settings and the helpers built on the function --------------------------------------------

def test_settings_read_and_write_their_column():
    settings = RedactionSettings.parse("email,phone,csv,store,junk")
    assert settings == RedactionSettings(("email", "phone"), ("csv",), True)
    assert RedactionSettings.parse(settings.dump()) == settings
    assert RedactionSettings.parse(None) == RedactionSettings() and not RedactionSettings().on
    assert RedactionSettings.parse("csv,store").dump() is None  # without a kind, nothing is masked anywhere
    assert settings.masks("csv") and not settings.masks("webhook")
    assert RedactionSettings.parse(",".join(KINDS)).kinds == KINDS


def test_only_the_interviewees_messages_are_masked_for_the_model():
    settings = RedactionSettings(KINDS)
    messages = [{"role": "assistant", "content": "Write to help@example.com?", "question": 0},
                {"role": "user", "content": "I am ada@example.com", "key": "k"}]
    assert mask_messages(messages, settings) == [messages[0], {"role": "user", "content": "I am [email]", "key": "k"}]
    assert mask_messages(messages, RedactionSettings()) == messages


def test_the_webhook_data_is_masked_only_when_chosen():
    data = {"interviewee": {"email": "ada@example.com"},
            "transcript": {"messages": [{"role": "interviewee", "content": "call 07911 123456"}],
                           "text": "Ada: call 07911 123456"},
            "summary": {"text": "Gave 07911 123456.", "quotes": ["call 07911 123456"]}}
    assert mask_webhook_data(data, "email,phone") == data
    masked = mask_webhook_data(data, "email,phone,webhook")
    assert masked["interviewee"] == {"email": "ada@example.com"}  # the intake's field: what the owner asked for
    assert masked["transcript"] == {"messages": [{"role": "interviewee", "content": "call [phone]"}],
                                    "text": "Ada: call [phone]"}
    assert masked["summary"] == {"text": "Gave [phone].", "quotes": ["call [phone]"]}
