"""Agent command lines at the top of a reply: workflow/command_grammar.py."""
from __future__ import annotations

import pytest

from workflow.command_grammar import (
    Command,
    CommandError,
    ParsedReply,
    Vocabulary,
    help_text,
    parse_commands,
)

VOCABULARY = Vocabulary(
    services={
        "ipos": "IPOS",
        "i-pos": "IPOS",
        "aplikasi ipos": "IPOS",
        "email": "MAIL",
        "surel": "MAIL",
    },
    categories={
        "hardware/server": "hardware/server",
        "hw/server": "hardware/server",
        "software/os": "software/os",
    },
    max_level=3,
)


def parse(body: str, vocabulary: Vocabulary = VOCABULARY) -> ParsedReply:
    return parse_commands(body, vocabulary)


def only_command(body: str) -> Command:
    reply = parse(body)
    assert reply.errors == (), reply.errors
    assert len(reply.commands) == 1, reply.commands
    return reply.commands[0]


def only_error(body: str) -> CommandError:
    reply = parse(body)
    assert reply.commands == (), reply.commands
    assert len(reply.errors) == 1, reply.errors
    return reply.errors[0]


def as_tuple(command: Command) -> tuple[str, str, str | None]:
    return command.name, command.value, command.target


# --------------------------------------------------------------------------- keywords


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Status: closed", ("status", "closed", None)),
        ("Urgency: high", ("urgency", "high", None)),
        ("Impact: low", ("impact", "low", None)),
        ("Service: Ipos", ("service", "IPOS", None)),
        ("Category: hardware/server", ("category", "hardware/server", None)),
        ("Escalate: 2", ("escalate", "2", None)),
        ("Escalation: 3", ("escalate", "3", None)),
        ("Assign: budi@pos.example", ("assign", "budi@pos.example", None)),
        ("Resolution: Replaced the PSU", ("resolution", "Replaced the PSU", None)),
        ("Solution: Restarted the service", ("resolution", "Restarted the service", None)),
    ],
)
def test_english_keywords_become_commands(line: str, expected: tuple[str, str, str | None]) -> None:
    assert as_tuple(only_command(line)) == expected


@pytest.mark.parametrize(
    "english, indonesian",
    [
        ("Status: in progress", "Status: proses"),
        ("Status: closed", "Status: tutup"),
        ("Urgency: high", "Urgensi: tinggi"),
        ("Urgency: medium", "Urgensi: sedang"),
        ("Urgency: low", "Urgensi: rendah"),
        ("Impact: high", "Dampak: tinggi"),
        ("Impact: medium", "Dampak: sedang"),
        ("Impact: low", "Dampak: rendah"),
        ("Service: email", "Layanan: surel"),
        ("Category: hardware/server", "Kategori: hardware/server"),
        ("Escalate: 2 budi@pos.example", "Eskalasi: 2 budi@pos.example"),
        ("Escalate: head", "Eskalasi: kepala soltek"),
        ("Assign: Budi", "Tugaskan: Budi"),
        ("Resolution: ganti RAM", "Solusi: ganti RAM"),
        ("Resolution: ganti RAM", "Penyelesaian: ganti RAM"),
    ],
)
def test_indonesian_keywords_map_to_same_commands(english: str, indonesian: str) -> None:
    assert as_tuple(only_command(indonesian)) == as_tuple(only_command(english))


@pytest.mark.parametrize(
    "spelling, expected",
    [
        ("in progress", "in_progress"),
        ("in-progress", "in_progress"),
        ("in_progress", "in_progress"),
        ("progress", "in_progress"),
        ("on progress", "in_progress"),
        ("proses", "in_progress"),
        ("dalam proses", "in_progress"),
        ("diproses", "in_progress"),
        ("closed", "closed"),
        ("close", "closed"),
        ("tutup", "closed"),
        ("ditutup", "closed"),
        ("selesai", "closed"),
    ],
)
def test_every_status_spelling_is_normalised(spelling: str, expected: str) -> None:
    assert only_command(f"Status: {spelling}").value == expected


@pytest.mark.parametrize("keyword", ["Urgency", "Urgensi", "Impact", "Dampak"])
@pytest.mark.parametrize(
    "spelling, expected",
    [("high", "high"), ("medium", "medium"), ("low", "low"),
     ("tinggi", "high"), ("sedang", "medium"), ("rendah", "low")],
)
def test_levels_in_either_language_mean_the_same(
    keyword: str, spelling: str, expected: str
) -> None:
    assert only_command(f"{keyword}: {spelling}").value == expected


@pytest.mark.parametrize(
    "line, expected",
    [
        ("STATUS: Tutup", ("status", "closed", None)),
        ("status: IN PROGRESS", ("status", "in_progress", None)),
        ("uRGENSI: TingGi", ("urgency", "high", None)),
        ("LAYANAN: IPOS", ("service", "IPOS", None)),
        ("kategori: HW/Server", ("category", "hardware/server", None)),
        ("ESKALASI: KEPALA SOLTEK", ("escalate", "hierarchical", None)),
    ],
)
def test_keywords_and_values_ignore_case(line: str, expected: tuple[str, str, str | None]) -> None:
    assert as_tuple(only_command(line)) == expected


# --------------------------------------------------------------------------- catalogue values


@pytest.mark.parametrize(
    "line, code",
    [
        ("Service: Ipos", "IPOS"),
        ("Service: I-POS", "IPOS"),
        ("Service: aplikasi   ipos", "IPOS"),
        ("Service: MAIL", "MAIL"),  # the code itself is accepted too
        ("Category: hw/server", "hardware/server"),
        ("Category: hardware / server", "hardware/server"),
        ("Category: Software/OS", "software/os"),
    ],
)
def test_service_and_category_match_configured_codes_and_aliases(line: str, code: str) -> None:
    assert only_command(line).value == code


@pytest.mark.parametrize(
    "line, message_en, message_id",
    [
        ("Service: SAP", "unknown service 'SAP'; known: IPOS, MAIL", "layanan 'SAP' tidak dikenal"),
        ("Layanan: SAP", "unknown service 'SAP'", "yang dikenal: IPOS, MAIL"),
        ("Category: printer", "unknown category 'printer'; known: hardware/server, software/os",
         "kategori 'printer' tidak dikenal"),
    ],
)
def test_unknown_service_or_category_lists_known_codes(
    line: str, message_en: str, message_id: str
) -> None:
    error = only_error(line)
    assert message_en in error.message_en
    assert message_id in error.message_id


def test_unknown_service_says_when_nothing_is_configured() -> None:
    error = parse("Service: Ipos", Vocabulary(services={}, categories={})).errors[0]
    assert "none configured" in error.message_en
    assert "belum dikonfigurasi" in error.message_id


# --------------------------------------------------------------------------- escalation


@pytest.mark.parametrize(
    "line, value, target",
    [
        ("Escalate: 2", "2", None),
        ("Escalate: 3", "3", None),
        ("Escalate: 2 budi@pos.example", "2", "budi@pos.example"),
        ("Escalate: 2 Pak Budi Santoso", "2", "Pak Budi Santoso"),
        ("Escalate: 2 to Budi", "2", "Budi"),
        ("Eskalasi: 2 ke Budi", "2", "Budi"),
        ("Escalate: 2, budi@pos.example", "2", "budi@pos.example"),
        ("Escalate: level 2", "2", None),
        ("Eskalasi: tingkat 3 Andi", "3", "Andi"),
        ("Escalate: L2", "2", None),
        ('Escalate: 2 "Budi Santoso"', "2", "Budi Santoso"),
    ],
)
def test_functional_escalation_takes_level_and_optional_target(
    line: str, value: str, target: str | None
) -> None:
    assert as_tuple(only_command(line)) == ("escalate", value, target)


@pytest.mark.parametrize(
    "line, target",
    [
        ("Escalate: head", None),
        ("Escalate: soltek", None),
        ("Escalate: hierarchical", None),
        ("Escalate: head of soltek", None),
        ("Eskalasi: kepala soltek", None),
        ("Eskalasi: kepala", None),
        ("Eskalasi: hierarki", None),
        ("Eskalasi: kepala soltek Pak Andi", "Pak Andi"),
    ],
)
def test_hierarchical_escalation_words(line: str, target: str | None) -> None:
    assert as_tuple(only_command(line)) == ("escalate", "hierarchical", target)


@pytest.mark.parametrize(
    "line, message_en, message_id",
    [
        ("Escalate: 1", "level 1 is the service desk itself; escalate to level 2..3",
         "tingkat 1 adalah service desk sendiri"),
        ("Escalate: 4", "level 4 does not exist; levels are 2..3", "tingkat 4 tidak ada"),
        ("Eskalasi: 0", "level 0 does not exist", "tingkat yang ada 2..3"),
        ("Escalate: soon", "Escalate needs a level (2..3) or 'head'",
         "Eskalasi perlu tingkat (2..3)"),
        ("Escalate: budi@pos.example", "got 'budi@pos.example'", "tertulis 'budi@pos.example'"),
        ("Escalate: 2budi", "Escalate needs a level", "Eskalasi perlu tingkat"),
    ],
)
def test_escalation_outside_the_levels_is_refused(
    line: str, message_en: str, message_id: str
) -> None:
    error = only_error(line)
    assert message_en in error.message_en
    assert message_id in error.message_id


def test_escalation_range_follows_the_configured_top_level() -> None:
    five = Vocabulary(services={}, categories={}, max_level=5)
    assert as_tuple(parse("Escalate: 5", five).commands[0]) == ("escalate", "5", None)
    assert "levels are 2\n" not in parse("Escalate: 6", five).errors[0].message_en
    assert "levels are 2..5" in parse("Escalate: 6", five).errors[0].message_en
    two = Vocabulary(services={}, categories={}, max_level=2)
    assert parse("Escalate: 3", two).errors[0].message_en.endswith("levels are 2")


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("line", ["Priority: P1", "Prioritas: tinggi", "PRIORITY: high"])
def test_priority_line_is_refused_with_reason(line: str) -> None:
    error = only_error(line)
    assert "urgency x impact" in error.message_en
    assert "urgensi x dampak" in error.message_id
    assert error.line == line


@pytest.mark.parametrize(
    "line", ["Status:", "Urgensi:   ", "Resolution: ", "Assign: to", 'Tugaskan: ""']
)
def test_empty_value_is_an_error(line: str) -> None:
    error = only_error(line)
    assert "needs a value" in error.message_en
    assert "perlu diisi" in error.message_id


@pytest.mark.parametrize(
    "line, allowed_en, allowed_id",
    [
        ("Urgency: urgent", "allowed: high, medium, low", "pilihan: tinggi, sedang, rendah"),
        ("Urgensi: mendesak", "allowed: high, medium, low", "pilihan: tinggi, sedang, rendah"),
        ("Impact: huge", "allowed: high, medium, low", "pilihan: tinggi, sedang, rendah"),
        ("Dampak: besar", "allowed: high, medium, low", "pilihan: tinggi, sedang, rendah"),
        ("Status: new", "allowed: in progress, closed", "pilihan: proses, tutup"),
        ("Status: buka", "allowed: in progress, closed", "pilihan: proses, tutup"),
    ],
)
def test_unknown_value_lists_allowed_values_in_each_language(
    line: str, allowed_en: str, allowed_id: str
) -> None:
    error = only_error(line)
    value = line.split(":", 1)[1].strip()
    assert f"unknown value '{value}'" in error.message_en
    assert allowed_en in error.message_en
    assert f"nilai '{value}'" in error.message_id
    assert allowed_id in error.message_id


# --------------------------------------------------------------------------- unknown keywords


@pytest.mark.parametrize(
    "line, guess",
    [
        ("Stauts: closed", "Status"),
        ("Urgnecy: high", "Urgency"),
        ("Eskalsi: 2", "Eskalasi"),
        ("Escalate to: 2", "Escalate"),
        ("Note: rebooted twice", None),
        ("Budi: tolong dicek", None),
    ],
)
def test_unknown_one_word_keyword_with_value_is_an_error_listing_known_keywords(
    line: str, guess: str | None
) -> None:
    error = only_error(line)
    keyword = line.split(":", 1)[0]
    assert error.message_en.startswith(f"unknown keyword '{keyword}'")
    known_en = "Status, Urgency, Impact, Service, Category, Escalate, Assign, Resolution"
    assert f"known: {known_en}" in error.message_en
    assert f"kata kunci '{keyword}' tidak dikenal" in error.message_id
    assert "Urgensi, Dampak, Layanan, Kategori, Eskalasi, Tugaskan, Solusi" in error.message_id
    if guess:
        assert f"did you mean '{guess}'?" in error.message_en
        assert f"maksudnya '{guess}'?" in error.message_id
    else:
        assert "did you mean" not in error.message_en


@pytest.mark.parametrize(
    "first_line",
    [
        "Hi team:",
        "Pak Budi:",
        "Dear Pak Budi: mohon dicek",
        "Catatan:",
        "Budi:",
        "C: penuh lagi",
        "PS: ok",
        "http://intranet/kb/123",
        "Terima kasih, sudah saya cek.",
    ],
)
def test_salutations_headings_and_text_are_not_commands(first_line: str) -> None:
    body = f"{first_line}\nserver sudah normal"
    reply = parse(body)
    assert reply == ParsedReply(commands=(), errors=(), comment=body, note=body)


def test_mistyped_keyword_among_commands_is_an_error_and_reading_goes_on() -> None:
    reply = parse("Status: closed\nStauts: closed\nUrgency: high\n\nDone.")
    assert [c.name for c in reply.commands] == ["status", "urgency"]
    assert [e.line for e in reply.errors] == ["Stauts: closed"]
    assert reply.comment == "Done."


# --------------------------------------------------------------------------- duplicates


def test_conflicting_duplicate_is_an_error_and_neither_is_applied() -> None:
    reply = parse("Status: closed\nUrgency: high\nStatus: in progress")
    assert [as_tuple(c) for c in reply.commands] == [("urgency", "high", None)]
    (error,) = reply.errors
    assert error.line == "Status: in progress"
    assert "Status is given more than once with different values" in error.message_en
    assert "Status diisi lebih dari sekali" in error.message_id


def test_conflict_between_languages_names_the_keyword_in_each_language() -> None:
    (error,) = parse("Urgency: high\nUrgensi: rendah").errors
    assert error.message_en.startswith("Urgency is given more than once")
    assert error.message_id.startswith("Urgensi diisi lebih dari sekali")


@pytest.mark.parametrize(
    "body",
    [
        "Status: closed\nStatus: closed",
        "Status: closed\nStatus: tutup",
        "Urgency: high\nUrgensi: TINGGI",
    ],
)
def test_repeated_command_with_same_meaning_counts_once(body: str) -> None:
    reply = parse(body)
    assert reply.errors == ()
    assert len(reply.commands) == 1
    assert reply.commands[0].line == body.splitlines()[0]


def test_conflicting_escalation_targets_are_a_conflict() -> None:
    reply = parse("Escalate: 2 budi\nEscalate: 2 andi")
    assert reply.commands == ()
    assert "Escalate is given more than once" in reply.errors[0].message_en


# --------------------------------------------------------------------------- comment


def test_comment_is_everything_after_command_lines() -> None:
    body = "Status: closed\nSolusi: ganti PSU\n\nSudah diganti PSU-nya.\n\nSalam,\nAndi\n"
    reply = parse(body)
    assert [c.name for c in reply.commands] == ["status", "resolution"]
    assert reply.comment == "Sudah diganti PSU-nya.\n\nSalam,\nAndi"


def test_text_right_after_commands_starts_the_comment() -> None:
    reply = parse("Urgensi: tinggi\nServer mati total sejak pagi.\nMohon segera.")
    assert [as_tuple(c) for c in reply.commands] == [("urgency", "high", None)]
    assert reply.comment == "Server mati total sejak pagi.\nMohon segera."
    assert reply.errors == ()


def test_body_without_commands_is_all_comment() -> None:
    body = "Terima kasih, printer sudah bisa dipakai lagi.\n\nSalam,\nRina"
    assert parse(body) == ParsedReply(commands=(), errors=(), comment=body, note=body)


@pytest.mark.parametrize("body", ["", "\n\n", "   \n\u00a0\n"])
def test_empty_body_gives_nothing(body: str) -> None:
    assert parse(body) == ParsedReply(commands=(), errors=(), comment="")


def test_leading_blank_lines_are_skipped() -> None:
    reply = parse("\n\n   \nStatus: tutup\n\nok")
    assert [as_tuple(c) for c in reply.commands] == [("status", "closed", None)]
    assert reply.comment == "ok"


def test_windows_line_endings_are_read_like_unix_ones() -> None:
    reply = parse("Status: closed\r\nUrgency: low\r\n\r\nDone\r\n")
    assert [c.value for c in reply.commands] == ["closed", "low"]
    assert reply.comment == "Done"


def test_command_after_a_blank_line_is_reported_not_applied() -> None:
    reply = parse("Status: closed\n\nUrgency: high\nserver ok\n\nImpact: low")
    assert [c.name for c in reply.commands] == ["status"]
    (error,) = reply.errors  # only the comment's first paragraph is checked
    assert error.line == "Urgency: high"
    assert "not applied: command lines must come first" in error.message_en
    assert "tidak diterapkan" in error.message_id
    assert reply.comment == "Urgency: high\nserver ok\n\nImpact: low"


def test_command_after_a_salutation_is_reported_not_applied() -> None:
    reply = parse("Pak Budi:\nStatus: closed\nPrioritas: tinggi\nterima kasih")
    assert reply.commands == ()
    assert [e.line for e in reply.errors] == ["Status: closed", "Prioritas: tinggi"]
    assert all("not applied" in e.message_en for e in reply.errors)
    assert reply.comment == "Pak Budi:\nStatus: closed\nPrioritas: tinggi\nterima kasih"


def test_errors_come_in_line_order() -> None:
    reply = parse("Urgency: urgent\nStatus: closed\nPriority: P1\nStatus: proses\nStauts: x")
    assert [e.line for e in reply.errors] == [
        "Urgency: urgent",
        "Priority: P1",
        "Status: proses",
        "Stauts: x",
    ]


# --------------------------------------------------------------------------- artefacts


@pytest.mark.parametrize(
    "line, expected",
    [
        ("*Status:* closed", ("status", "closed", None)),
        ("**Status:** closed", ("status", "closed", None)),
        ("**Status**: closed", ("status", "closed", None)),
        ("Status: **closed**", ("status", "closed", None)),
        ("* Urgency: high", ("urgency", "high", None)),
        ("- Urgensi: tinggi", ("urgency", "high", None)),
        ("\u2022 Dampak: rendah", ("impact", "low", None)),
        ("Status:\u00a0closed", ("status", "closed", None)),
        ("\u00a0\u00a0Status: closed\u00a0", ("status", "closed", None)),
        ("\ufeffStatus: closed", ("status", "closed", None)),
        ("Sta\u200btus: closed", ("status", "closed", None)),
        ("Status\uff1a tutup", ("status", "closed", None)),
        ("Status\uff1aclosed", ("status", "closed", None)),
        ("Status: closed   \t", ("status", "closed", None)),
        ("Status : closed", ("status", "closed", None)),
        ("Status:closed", ("status", "closed", None)),
        ("Status:\tclosed", ("status", "closed", None)),
        ('Status: "closed"', ("status", "closed", None)),
        ("Urgency: 'high'", ("urgency", "high", None)),
        ("Layanan: \u201cIpos\u201d", ("service", "IPOS", None)),
        ("Status: closed.", ("status", "closed", None)),
        ('Resolution: "Reinstalled the driver"', ("resolution", "Reinstalled the driver", None)),
    ],
)
def test_outlook_and_markdown_artefacts_are_tolerated(
    line: str, expected: tuple[str, str, str | None]
) -> None:
    assert as_tuple(only_command(line)) == expected


def test_original_line_is_kept_for_messages() -> None:
    reply = parse("**Status:** *Tutup*\n**Urgensi:** darurat")
    assert reply.commands[0].line == "**Status:** *Tutup*"
    assert reply.errors[0].line == "**Urgensi:** darurat"


def test_free_text_keeps_its_case_and_inner_punctuation() -> None:
    command = only_command("Resolution: Cleared C:\\Temp; restarted IIS (app pool 'Ipos').")
    assert command.value == "Cleared C:\\Temp; restarted IIS (app pool 'Ipos')."


def test_assign_drops_a_leading_to() -> None:
    assert only_command("Assign: to budi@pos.example").value == "budi@pos.example"
    assert only_command("Tugaskan: ke Pak Andi").value == "Pak Andi"
    assert only_command("Assign: Toni").value == "Toni"
    assert only_command("Tugaskan: Kepada Yth. Andi").value == "Yth. Andi"


@pytest.mark.parametrize("line", ["Escalate: 2.", "Escalate: 2 -", "Eskalasi: 2 ke"])
def test_escalation_without_a_real_target_has_none(line: str) -> None:
    assert as_tuple(only_command(line)) == ("escalate", "2", None)


# --------------------------------------------------------------------------- messages


@pytest.mark.parametrize(
    "line",
    [
        "Priority: P1",
        "Status:",
        "Urgency: urgent",
        "Service: SAP",
        "Category: printer",
        "Escalate: 1",
        "Escalate: 9",
        "Escalate: soon",
        "Stauts: closed",
    ],
)
def test_every_error_is_told_in_both_languages(line: str) -> None:
    error = only_error(line)
    assert error.line == line
    assert error.message_en and error.message_id
    assert error.message_en != error.message_id


# --------------------------------------------------------------------------- help

ALL_SPELLINGS = [
    "Status", "Urgency", "Urgensi", "Impact", "Dampak", "Service", "Layanan",
    "Category", "Kategori", "Escalate", "Eskalasi", "Assign", "Tugaskan",
    "Resolution", "Solusi", "Penyelesaian",
]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_help_text_mentions_every_keyword(lang: str) -> None:
    text = help_text(lang)
    for spelling in ALL_SPELLINGS:
        assert spelling in text, spelling


@pytest.mark.parametrize(
    "lang, phrases",
    [
        ("en", ["in progress | closed", "high | medium | low", "Escalate: head",
                "Priority cannot be typed", "urgency x impact"]),
        ("id", ["proses | tutup", "tinggi | sedang | rendah", "Eskalasi: kepala soltek",
                "Prioritas tidak bisa diisi", "urgensi x dampak"]),
    ],
)
def test_help_text_is_in_the_asked_language(lang: str, phrases: list[str]) -> None:
    text = help_text(lang)
    for phrase in phrases:
        assert phrase in text, phrase


def test_help_text_accepts_a_locale_but_refuses_other_languages() -> None:
    assert help_text("id_ID") == help_text("id")
    assert help_text("EN") == help_text("en")
    with pytest.raises(ValueError, match="'en' or 'id'"):
        help_text("fr")


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_example_in_the_help_parses(lang: str) -> None:
    """The examples agents copy from the help must be accepted as written."""
    examples = [
        line.split("  ")[-1].split(". ", 1)[-1].strip()
        for line in help_text(lang).splitlines()
        if ("e.g. " in line or "mis. " in line)
    ]
    assert len(examples) == 3
    for example in examples:
        assert only_command(example), example


# --------------------------------------------------------------------------- message to the reporter

@pytest.mark.parametrize("body, note, message", [
    ("Status: proses\nCatatan internal: rollback disetujui kepala\nBalas: Sedang kami kerjakan.\nTerima kasih.",
     "Catatan internal: rollback disetujui kepala", "Sedang kami kerjakan.\nTerima kasih."),
    ("Status: in progress\n\nRollback approved.\n\nReply:\nWe are on it.\n\nRegards", "Rollback approved.",
     "We are on it.\n\nRegards"),
    ("**Balas**: Mohon dicoba lagi", "", "Mohon dicoba lagi"),
    ("Status: proses\nbalas : ok", "", "ok"),
])
def test_a_balas_or_reply_line_starts_the_message_and_what_precedes_it_is_the_note(
        body: str, note: str, message: str) -> None:
    reply = parse(body)
    assert reply.errors == ()
    assert (reply.note, reply.reply) == (note, message)


def test_without_a_balas_line_the_whole_comment_is_the_note_and_there_is_no_message() -> None:
    reply = parse("Status: proses\n\nSari tolong bantu.")
    assert (reply.note, reply.reply) == ("Sari tolong bantu.", None)


def test_a_balas_line_among_the_commands_is_not_a_mistyped_keyword() -> None:
    reply = parse("Status: proses\nBalas: Sedang dicek\nUrgensi: tinggi")
    assert [c.name for c in reply.commands] == ["status"] and reply.errors == ()
    assert reply.reply == "Sedang dicek\nUrgensi: tinggi"     # the message is free text


def test_a_command_in_the_note_before_the_message_is_still_reported() -> None:
    reply = parse("Status: proses\nSudah dicek\nUrgensi: tinggi\nBalas: ok")
    assert [e.line for e in reply.errors] == ["Urgensi: tinggi"]
