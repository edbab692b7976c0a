"""D1: each legacy user maps to an account (by id, by email, or a new one); merges are listed; old passwords work."""
import json
import uuid

import pytest

from franko.auth.passwords import is_legacy_hash
from franko.auth.services import authenticate
from franko.extensions import db
from tests.migrations import legacy


def profiles(database) -> dict:
    return {r["user_id"]: r for r in database.rows("SELECT * FROM profiles")}


def owners(database) -> dict:
    """Chat id → the user_id of the account that owns it now."""
    return {str(uuid.UUID(str(r["id"]))): r["user_id"] for r in database.rows("SELECT id, user_id FROM chat_instances")}


def test_rule_1_a_user_joins_the_profile_keyed_by_its_uuid(legacy_db):
    ids = legacy_db.info["ids"]
    legacy_db.upgrade()
    carol = profiles(legacy_db)[ids["carol"]]
    assert carol["email"] == "carol@example.com" and carol["membership"] == "starter"  # email was NULL
    assert carol["first_name"] == "Carol" and carol["password_hash"].startswith("$2b$")
    assert (carol["total_chat_instances_used"], carol["total_chat_instances_available"]) == (1, 5)
    assert owners(legacy_db)[legacy_db.info["chats"]["bob2"]] == ids["carol"]


def test_rule_2_a_user_merges_into_the_profile_with_its_email(legacy_db):
    ids, chats = legacy_db.info["ids"], legacy_db.info["chats"]
    legacy_db.upgrade()
    found = profiles(legacy_db)
    assert ids["frank"] not in found  # no second account for Frank
    frank = found[ids["frank_profile"]]
    assert frank["email"] == "Frank@Example.com"  # the profile's own email, as stored
    assert frank["password_hash"].startswith("$2b$")  # the user's hash, attached
    assert frank["organisation_name"] == "Frank & Co"
    assert owners(legacy_db)[chats["frank"]] == ids["frank_profile"]  # his chat re-pointed
    merge = json.loads(legacy_db.scalar("SELECT row_json FROM legacy_archive WHERE source_table = 'user:account' "
                                        "AND source_pk = :u", u=ids["frank"]))
    assert merge["account"] == ids["frank_profile"] and merge["email"] == "frank@example.com"


def test_users_sharing_an_email_in_any_case_become_one_account(legacy_db):
    ids, chats = legacy_db.info["ids"], legacy_db.info["chats"]
    legacy_db.upgrade()
    found = profiles(legacy_db)
    # Alice has two chats, her lowercase twin one: Alice is the kept member and keys the account.
    assert ids["alice2"] not in found
    alice = found[ids["alice"]]
    assert alice["email"] == "Alice.Mixed@Example.COM"  # the kept user's email, as stored
    assert alice["password_hash"].startswith("$2b$")
    assert alice["membership"] == "free"
    assert (alice["monthly_responses_quota"], alice["total_responses_available"],
            alice["total_chat_instances_available"], alice["total_chat_instances_used"]) == (10, 10, 1, 3)
    assert {owners(legacy_db)[chats[k]] for k in ("big", "empty", "alice2")} == {ids["alice"]}
    assert str(alice["created_at"]).startswith("2025-03-01 09:30:00")  # dated by the account's first chat
    archived_users = {r["source_pk"] for r in legacy_db.rows(
        "SELECT source_pk FROM legacy_archive WHERE source_table = :t",
        t=legacy.legacy_schema.names(legacy_db.spelling)["user"])}
    assert {ids["alice"], ids["alice2"]} <= archived_users  # every merged user's row, hash included


def test_rule_3_a_user_without_profile_becomes_a_new_free_account(legacy_db):
    ids = legacy_db.info["ids"]
    legacy_db.upgrade()
    found = profiles(legacy_db)
    assert len(found) == 5 + 5  # five legacy profiles; Alice, Bob, Dave, Erin, Gina made from users
    dave = found[ids["dave"]]
    assert dave["email"] == "dave.nochats@example.com" and dave["password_hash"] is None
    assert found[ids["bob"]]["password_hash"] == legacy.HASH_2A


def test_the_report_lists_every_merge(legacy_db):
    ids = legacy_db.info["ids"]
    result = legacy_db.flask("franko", "upgrade", "--report")
    assert result.exit_code == 0, result.output
    assert "Legacy users merged into another account (D1): 2" in result.output
    assert f"user {ids['frank']} <frank@example.com> → account {ids['frank_profile']}" in result.output
    assert f"user {ids['alice2']} <alice.mixed@example.com> → account {ids['alice']}" in result.output


@pytest.mark.parametrize("email,password", [
    ("alice.mixed@example.com", legacy.PASSWORD_2B),
    ("BOB@example.com", legacy.PASSWORD_2A),       # hashed by the chatbot's own bcrypt-ts
    ("gina@example.com", legacy.PASSPHRASE_100),   # 100 bytes: bcrypt-ts used the first 72
    ("frank@EXAMPLE.com", "frank-pw"),             # merged into his platform profile
])
def test_legacy_users_log_in_with_their_old_password(legacy_db, email, password):
    legacy_db.upgrade()
    with legacy_db.app.app_context():
        assert authenticate(email, "wrong password") is None
        profile = authenticate(email, password)
        assert profile is not None
        assert not is_legacy_hash(profile.password_hash)  # re-hashed with the app's scheme
        db.session.expire_all()
        assert authenticate(email, password).user_id == profile.user_id
        db.session.remove()


def test_the_long_passphrase_is_checked_on_its_first_72_bytes_only(legacy_db):
    legacy_db.upgrade()
    cut = legacy.PASSPHRASE_100.encode()[:72]
    with legacy_db.app.app_context():
        assert authenticate("gina@example.com", legacy.PASSPHRASE_100[:60]) is None
        # Anything sharing those 72 bytes matched in the old app, and still does once.
        assert authenticate("gina@example.com", cut.decode("utf-8", "ignore") + "✓ whatever follows") is not None
        db.session.remove()


def test_a_legacy_user_logs_in_and_sees_their_chats(legacy_db):
    legacy_db.upgrade()
    client = legacy_db.app.test_client()
    response = client.post("/auth/login", data={"email": "ALICE.mixed@example.com", "password": legacy.PASSWORD_2B})
    assert response.status_code == 302
    listing = client.get("/instances/")
    assert listing.status_code == 200
    page = listing.get_data(as_text=True)
    for chat in ("big", "empty", "alice2"):
        assert legacy_db.info["chats"][chat] in page


def test_an_owner_reads_imported_interviews_as_chats_or_as_text(legacy_db):
    interviews = legacy_db.info["interviews"]
    legacy_db.upgrade()
    client = legacy_db.app.test_client()
    assert client.post("/auth/login", data={"email": "frank@example.com", "password": "frank-pw"}).status_code == 302
    text_only = client.get(f"/responses/{interviews['no_turns']}")
    assert text_only.status_code == 200
    assert legacy.NO_TURNS_TRANSCRIPT in text_only.get_data(as_text=True)
    client.post("/auth/logout")
    # The old auth provider's owner has no password yet: give it one, as a claim link would.
    from franko.auth.passwords import hash_password

    legacy_db.execute(f"UPDATE profiles SET password_hash = '{hash_password('claimed-pw')}' "
                      "WHERE user_id = 'user_2abcLegacyProvider'")
    assert client.post("/auth/login", data={"email": "legacy.owner@example.com",
                                            "password": "claimed-pw"}).status_code == 302
    page = client.get(f"/responses/{interviews['plain']}").get_data(as_text=True)
    assert page.count('class="chat-bubble') == 4 and "It went up twice last year." in page


def test_a_legacy_user_reads_their_old_chat_on_its_instance_page(legacy_db):
    legacy_db.upgrade()
    client = legacy_db.app.test_client()
    assert client.post("/auth/login", data={"email": "bob@example.com", "password": legacy.PASSWORD_2A}).status_code == 302
    page = client.get(f"/instances/{legacy_db.info['chats']['awkward']}").get_data(as_text=True)
    assert "Chat history from the earlier chatbot" in page
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page  # the unwrapped message, escaped
    empty = client.get(f"/instances/{legacy_db.info['chats']['bob1']}").get_data(as_text=True)
    assert 'id="chat-history"' in empty and ">hi</" in empty.replace("\n", "")
