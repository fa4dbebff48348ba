"""The search fields for names as people type them (generator/sales_handbook/site/searchindex.py)."""

from __future__ import annotations

from sales_handbook.site import searchindex


def test_names_fold_to_how_they_are_typed_without_the_keys() -> None:
    assert [searchindex.fold(w) for w in ("Bråten", "Ørjan", "Zoë", "Núñez", "Österreich", "Straße", "Łódź")] == \
        ["braten", "orjan", "zoe", "nunez", "osterreich", "strasse", "lodz"]
    assert searchindex.folded_words("<p>Zoë Müller &amp; 李伟, plain words</p>") == ["zoe", "muller", "mueller"]


def test_entries_get_the_fields_they_need_and_no_others() -> None:
    entries = [
        {"location": "teams/a/#orjan-braten", "title": "Ørjan Bråten", "text": "<p>Lead · Territory: Norge</p>"},
        {"location": "teams/a/#zoe-muller", "title": "Zoe Muller", "text": "<p>Territory: Österreich</p>"},
        {"location": "mission/", "title": "Mission", "text": "<p>Plain.</p>"},
    ]
    searchindex.add_fields(entries, {"orjan-braten", "zoe-muller"})
    once = [dict(e) for e in entries]
    searchindex.add_fields(entries, {"orjan-braten", "zoe-muller"})  # a serve rebuild sees them again
    assert entries == once
    assert entries[0]["folded_title"] == "orjan braten" and entries[0]["id"] == "orjan-braten"
    assert "folded" not in entries[0] and "folded_title" not in entries[1]
    assert entries[1]["folded"] == "osterreich oesterreich"
    assert entries[2] == {"location": "mission/", "title": "Mission", "text": "<p>Plain.</p>"}


def test_a_person_page_is_found_by_the_persons_id_and_their_team_section_is_not() -> None:
    entries = [
        {"location": "people/orjan-braten/", "title": "Ørjan Bråten", "text": "<p>Head of Key Accounts</p>"},
        {"location": "people/orjan-braten/#individual-goals", "title": "Individual goals", "text": ""},
        {"location": "teams/a/#orjan-braten", "title": "Ørjan Bråten", "text": "<p>Head of Key Accounts</p>"},
        {"location": "people/orjan-braten/#orjan-arr", "title": "Grow ARR", "text": ""},
    ]
    searchindex.add_fields(entries, {"orjan-arr"}, {"people/orjan-braten/": "orjan-braten"})
    assert [entry.get("id") for entry in entries] == ["orjan-braten", None, None, "orjan-arr"]
