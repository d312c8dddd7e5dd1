"""End to end: the real Application against the fake Bot API, used as a person would."""

from __future__ import annotations

from telegram import Update

from bot.telegram.service import BotApplication
from state.models import Channel, Frequency, SubscriptionKind
from state.repository import Repository
from tests.telegram import data
from tests.telegram.conftest import ADMIN_ID, PUBLIC_URL
from tests.telegram.fake_bot_api import FakeBotAPI
from tests.telegram.helpers import buttons, follows, load_topic, say, subscriptions_of, tap

USER = 1001


async def test_start_welcomes_in_dutch_and_registers_both_menus(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    [reply] = await say(fake, USER, "/start")
    assert "Welkom bij kamerwacht" in reply["html"]
    assert "Nagorno-Karabach" in reply["html"]
    assert "/volg alles" in reply["html"]
    nl = [c["command"] for c in fake.commands[None]]
    en = [c["command"] for c in fake.commands["en"]]
    assert {"status", "volg", "ontvolg", "lijst", "nieuw", "digest", "taal", "stop"} <= set(nl)
    assert {"status", "subscribe", "unsubscribe", "list", "latest", "language"} <= set(en)
    assert "stats" not in nl  # admin commands are not advertised
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(USER))
    assert subscriber is not None
    assert subscriber.active


async def test_status_of_a_replaced_motion_by_canonical_id(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/status 21501-02-2228")
    text = reply["html"]
    assert f'<a href="{PUBLIC_URL}/motie/21501-02-2228">21501-02-2228</a>' in text
    assert "Motie van het lid Omtzigt een onderzoek naar het schenden van oorlogsrecht" in text
    assert "P.H. Omtzigt (CDA)" in text
    assert "Oordeel Kamer" in text
    assert "Status: <b>vervangen</b>" in text
    assert "Vervangen door <code>21501-02-2234</code>" in text
    assert "11 november 2020 · ingediend" in text
    assert buttons(reply) == [("🔔 Volgen", "F:m:21501-02-2228")]


async def test_status_by_citation_spelling_shows_the_execution_report_and_letter(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/status 21501-02 nr. 2234")
    text = reply["html"]
    assert "21501-02-2234" in text
    assert "Uitvoering: <b>in uitvoering</b> · brief van 4 november 2021" in text
    evidence = data.sentence("Hoewel de kans klein is")
    assert f"<blockquote>{evidence}</blockquote>" in text
    assert f'<a href="{data.LETTER_URL}">Uitvoering van alle moties' in text
    assert "4 november 2021 · uitvoering: in uitvoering" in text  # timeline
    assert "M.R.H. van Helvert (CDA)" in text


async def test_status_shows_the_vote_per_party(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/status kst-21501-02-2949")
    text = reply["html"]
    yes, no = data.motion_2949().final_decision.tally  # type: ignore[union-attr]
    assert f"Status: <b>aangenomen</b> ({yes}-{no})" in text
    for_line = next(line for line in text.splitlines() if line.startswith("Voor: "))
    against_line = next(line for line in text.splitlines() if line.startswith("Tegen: "))
    assert "PvdD 3" in for_line
    assert "SP 5" in for_line
    assert "DENK 3" in against_line
    assert "PvdD" not in against_line


async def test_status_by_zaak_number(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/status 2020Z21194")
    assert "21501-02-2228" in reply["html"]
    assert "Omtzigt" in reply["html"]


async def test_status_with_words_offers_matches_to_pick(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/status Omtzigt oorlogsrecht")
    assert "2 moties" in reply["html"]
    picks = buttons(reply)
    assert sorted(d for _, d in picks) == ["s:21501-02-2228", "s:21501-02-2234"]
    before = len(fake.sent)
    await tap(fake, USER, reply, "s:21501-02-2234")
    [shown] = await fake.wait_sent(1, chat_id=USER, after=before)
    assert "Uitvoering: <b>in uitvoering</b>" in shown["html"]


async def test_status_alone_summarises_the_topic(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/status")
    text = reply["html"]
    # 2228, 2234, 2949 and the two motions known only from the letter
    assert "5 moties gevolgd" in text
    assert "aangenomen: 2" in text
    assert "vervangen: 1" in text
    assert "in uitvoering: 1" in text  # 2234, adopted, reported in progress
    assert "geen uitvoeringsbericht: 1" in text  # 2949, adopted, no report
    assert "Uitvoering gemeld" in text  # a latest change


async def test_unknown_motion_explains_and_offers_to_follow(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    [reply] = await say(fake, USER, "/status 36600-V-99")
    assert "ken ik (nog) niet" in reply["html"]
    assert buttons(reply) == [("🔔 Volgen", "f:m:36600-V-99")]


async def test_follow_unfollow_with_commands_and_buttons(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/volg 21501-02 nr. 2228")
    assert "volgt nu motie 21501-02-2228" in reply["html"]
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2228")

    [status] = await say(fake, USER, "/status 21501-02-2228")
    assert "✓ Deze chat volgt deze motie." in status["html"]
    assert buttons(status) == [("🔕 Ontvolgen", "U:m:21501-02-2228")]

    await tap(fake, USER, status, "U:m:21501-02-2228")
    assert not follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2228")
    assert "volgt motie 21501-02-2228 niet meer" in fake.answers[-1]["text"]
    await fake.wait_calls("editMessageText")
    [redrawn] = [m for m in fake.messages_to(USER) if m["message_id"] == status["message_id"]]
    assert "✓ Deze chat volgt" not in redrawn["html"]
    assert buttons(redrawn) == [("🔔 Volgen", "F:m:21501-02-2228")]

    await tap(fake, USER, redrawn, "F:m:21501-02-2228")
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2228")


async def test_list_shows_each_subscription_with_an_unfollow_button(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    await say(fake, USER, "/volg 21501-02")
    await say(fake, USER, "/volg Oorlogsrecht")
    await say(fake, USER, "/volg alles")
    assert {(s.kind, s.value) for s in subscriptions_of(repo, USER)} == {
        (SubscriptionKind.DOSSIER, "21501-02"),
        (SubscriptionKind.KEYWORD, "oorlogsrecht"),
        (SubscriptionKind.ALL, ""),
    }
    [listing] = await say(fake, USER, "/lijst")
    assert "• dossier 21501-02" in listing["html"]
    assert "• trefwoord “oorlogsrecht”" in listing["html"]
    assert "• alles over het onderwerp" in listing["html"]
    keyword_button = next(d for label, d in buttons(listing) if "oorlogsrecht" in label)
    await tap(fake, USER, listing, keyword_button)
    assert not follows(repo, USER, SubscriptionKind.KEYWORD, "oorlogsrecht")
    await fake.wait_calls("editMessageText")
    [edited] = [m for m in fake.messages_to(USER) if m["message_id"] == listing["message_id"]]
    assert "oorlogsrecht" not in edited["html"]
    assert len(buttons(edited)) == 2


async def test_deep_link_follows_at_once(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    [reply] = await say(fake, USER, "/start volg_21501-02-2228")
    assert "Je volgt nu motie 21501-02-2228" in reply["html"]
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2228")
    [again] = await say(fake, USER, "/start volg_21501-02-2228")
    assert "Je volgde motie 21501-02-2228 al" in again["html"]


async def test_in_a_group_only_admins_change_subscriptions(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    group, member, admin = -100777, 2001, 2002
    fake.set_admins(group, {admin})
    [refused] = await say(fake, member, "/volg alles", chat_id=group, chat_type="supergroup")
    assert "alleen beheerders" in refused["html"]
    assert subscriptions_of(repo, group) == []
    [accepted] = await say(fake, admin, "/volg alles", chat_id=group, chat_type="supergroup")
    assert "volgt nu alles" in accepted["html"]
    assert follows(repo, group, SubscriptionKind.ALL)
    # anyone may look things up
    [status] = await say(fake, member, "/status", chat_id=group, chat_type="supergroup")
    assert "moties gevolgd" in status["html"]
    # a member pressing Unfollow is refused with an alert
    await tap(fake, member, accepted, buttons(accepted)[0][1])
    assert fake.answers[-1].get("show_alert") is True
    assert follows(repo, group, SubscriptionKind.ALL)


async def test_unknown_commands_and_bad_arguments_get_an_example(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    [unknown] = await say(fake, USER, "/foo")
    assert "Die opdracht ken ik niet (/foo)" in unknown["html"]
    assert "<code>/status 21501-02-2228</code>" in unknown["html"]
    [usage] = await say(fake, USER, "/volg")
    assert "<code>/volg 21501-02-2228</code>" in usage["html"]
    [bad] = await say(fake, USER, "/volg ab")
    assert "kan ik niet volgen" in bad["html"]
    [digest] = await say(fake, USER, "/digest soms")
    assert "<code>/digest dagelijks</code>" in digest["html"]
    [lang] = await say(fake, USER, "/taal fr")
    assert "<code>/taal en</code>" in lang["html"]
    [stats] = await say(fake, USER, "/stats")
    assert stats["html"] == unknown["html"].replace(" (/foo)", " (/stats)")
    # in a group, a bare unknown command may be another bot's: no answer
    before = len(fake.sent)
    fake.push_text(USER, "/foo", chat_id=-100555, chat_type="supergroup")
    await say(fake, USER, "/help", chat_id=-100555, chat_type="supergroup")
    assert [m for m in fake.sent[before:] if "ken ik niet" in m["html"]] == []


async def test_admin_stats(bot: BotApplication, fake: FakeBotAPI, repo: Repository) -> None:
    repo.record_source_failure("tweedekamer", "HTTP 503 from gegevensmagazijn")
    await say(fake, USER, "/volg alles")
    [stats] = await say(fake, ADMIN_ID, "/stats")
    text = stats["html"]
    assert "Telegram: 1" in text
    assert "pending: 0" in text
    assert "failed: 0" in text
    assert "<b>tweedekamer</b>" in text
    assert "HTTP 503 from gegevensmagazijn" in text


async def test_english_on_request(bot: BotApplication, fake: FakeBotAPI, repo: Repository) -> None:
    load_topic(repo)
    [switched] = await say(fake, USER, "/taal en")
    assert "I now speak English" in switched["html"]
    [status] = await say(fake, USER, "/status 21501-02-2234")
    assert "<b>Motion" in status["html"]
    assert "Execution: <b>in progress</b> · letter of 4 November 2021" in status["html"]
    assert buttons(status) == [("🔔 Follow", "F:m:21501-02-2234")]
    [help_] = await say(fake, USER, "/help")
    assert "/subscribe" in help_["html"]
    [digest] = await say(fake, USER, "/digest weekly")
    assert "weekly" in digest["html"]
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(USER))
    assert subscriber is not None
    assert subscriber.language == "en"
    assert subscriber.frequency is Frequency.WEEKLY


async def test_latest_changes(bot: BotApplication, fake: FakeBotAPI, repo: Repository) -> None:
    load_topic(repo)
    [latest] = await say(fake, USER, "/nieuw")
    text = latest["html"]
    assert "Laatste wijzigingen" in text
    assert f'<a href="{PUBLIC_URL}/motie/21501-02-2234">21501-02-2234</a>: in uitvoering' in text
    lines = [line for line in text.splitlines() if "·" in line]
    assert len(lines) == 7  # every change so far (at most ten), newest first
    assert "Uitvoering gemeld" in lines[0]
    assert lines[0].startswith("4 november 2021 · ")  # the letter's date, not the poll's
    assert "Nieuwe motie" in lines[-1]


async def test_stop_forgets_the_chat(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    await say(fake, USER, "/volg alles")
    [bye] = await say(fake, USER, "/stop")
    assert "vergeten" in bye["html"]
    assert repo.get_subscriber(Channel.TELEGRAM, str(USER)) is None
    [welcome] = await say(fake, USER, "/start")
    assert "Welkom" in welcome["html"]
    assert subscriptions_of(repo, USER) == []


async def test_plain_text_in_a_private_chat_is_looked_up(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "21 501-02, nr. 2228")
    assert "Omtzigt" in reply["html"]


async def test_blocking_the_bot_deactivates_the_chat_until_start(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    await say(fake, USER, "/volg alles")
    blocked = fake.my_chat_member_update(USER, "kicked")
    # processed directly so that the test knows when the handler is done
    await bot.process_update(Update.de_json(blocked, bot.bot))
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(USER))
    assert subscriber is not None
    assert not subscriber.active
    await say(fake, USER, "/start")
    subscriber = repo.get_subscriber(Channel.TELEGRAM, str(USER))
    assert subscriber is not None
    assert subscriber.active
    assert follows(repo, USER, SubscriptionKind.ALL)


async def test_follow_by_zaak_number_and_unfollow_without_argument_shows_the_list(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    load_topic(repo)
    [reply] = await say(fake, USER, "/volg 2020Z21428")
    assert "volgt nu motie 21501-02-2234" in reply["html"]
    assert follows(repo, USER, SubscriptionKind.MOTION, "21501-02-2234")
    [listing] = await say(fake, USER, "/ontvolg")
    assert "• motie 21501-02-2234" in listing["html"]
    assert len(buttons(listing)) == 1
    [gone] = await say(fake, USER, "/unsubscribe 21501-02-2234")
    assert "volgt motie 21501-02-2234 niet meer" in gone["html"]
    [again] = await say(fake, USER, "/unsubscribe 21501-02-2234")
    assert "volgde motie 21501-02-2234 niet" in again["html"]


async def test_status_says_a_letter_cited_the_motion_under_a_probable_typo(
    bot: BotApplication, fake: FakeBotAPI, repo: Repository
) -> None:
    """Issue 16, 6: a letter citing "33570-V-42" for 35570-V-42 (same submitter, Ploumen)."""
    from state.models import Observation, Submitter
    from tests.state.factories import cited, letter, motion

    ploumen = motion("35570-V-42", submitters=(Submitter("L.K. Ploumen", "PvdA", "Indiener"),))
    repo.apply_poll(Observation(motions=(ploumen,)), notify=False)
    typo = cited("33570-V-42", status=None, submitters=("Ploumen",))
    repo.apply_poll(Observation(letters=(letter("2021D23613", typo),)), notify=False)
    [reply] = await say(fake, USER, "/status 35570-V-42")
    assert (
        "geciteerd als <code>33570-V-42</code>: waarschijnlijk een tikfout voor "
        "<code>35570-V-42</code>"
    ) in reply["html"]
    await say(fake, USER, "/taal en")
    [english] = await say(fake, USER, "/status 35570-V-42")
    assert (
        "cited as <code>33570-V-42</code>: probable typo for <code>35570-V-42</code>"
        in (english["html"])
    )
