//! Tests of lifting owners, due dates and status words out of items.
use super::super::{ItemStatus, parse};

/// (text, owner, due, status) of each item of `body`.
fn read(body: &str) -> Vec<(String, Option<String>, Option<String>, ItemStatus)> {
    parse(body).items.into_iter().map(|i| (i.text, i.owner, i.due, i.status)).collect()
}

fn one(body: &str) -> (String, Option<String>, Option<String>, ItemStatus) {
    read(body).remove(0)
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

#[test]
fn fields_after_dashes_labelled_or_not() {
    assert_eq!(
        one("- [ ] Page on amber — @marek — due 2025-03-21"),
        ("Page on amber".into(), some("@marek"), some("2025-03-21"), ItemStatus::Open)
    );
    assert_eq!(
        one("- Add a CI check — Owner: Tomasz Wróbel — Due: 2024-11-29 — Status: done"),
        ("Add a CI check".into(), some("Tomasz Wróbel"), some("2024-11-29"), ItemStatus::Done)
    );
    assert_eq!(one("- Runbook step — owner Valeria\n  Núñez — due 2025-01-31").1.as_deref(), Some("Valeria Núñez"));
    assert_eq!(
        one("- [ ] Ship bumps one per deploy — owner: Dana Okafor — next sprint"),
        ("Ship bumps one per deploy".into(), some("Dana Okafor"), some("next sprint"), ItemStatus::Open)
    );
    assert_eq!(
        one("1. Gestire gli orari — responsabile: Chiara Conti — scadenza: 11/04/2025 — stato: **Completato**"),
        ("Gestire gli orari".into(), some("Chiara Conti"), some("11/04/2025"), ItemStatus::Done)
    );
    assert_eq!(
        one("- [x] 修复过期时间字段 — @sunhao，截止：11月28日"),
        ("修复过期时间字段".into(), some("@sunhao"), some("11月28日"), ItemStatus::Done)
    );
}

#[test]
fn fields_in_brackets_and_sentences() {
    assert_eq!(
        one("- [ ] Smoke-Tests erweitern (Verantwortlich: Miriam Schäfer, fällig 27.09.2024)"),
        ("Smoke-Tests erweitern".into(), some("Miriam Schäfer"), some("27.09.2024"), ItemStatus::Open)
    );
    assert_eq!(
        one("- 【完了】再送処理に上限回数を設定する（担当：森／期限：10月24日）"),
        ("再送処理に上限回数を設定する".into(), some("森"), some("10月24日"), ItemStatus::Done)
    );
    assert_eq!(
        one("* Sync job selects keys by value. Owner: Adaeze Obi. Due 2025-06-20."),
        ("Sync job selects keys by value.".into(), some("Adaeze Obi"), some("2025-06-20"), ItemStatus::Open)
    );
    assert_eq!(
        one("1. Subscribe by order id (Priya) by 2025-03-14"),
        ("Subscribe by order id".into(), some("Priya"), some("2025-03-14"), ItemStatus::Open)
    );
    assert_eq!(
        one("1. **Tomás Reyes** — Reload credentials on a 403. Due 2025-07-11. *Done.*"),
        ("Reload credentials on a 403.".into(), some("Tomás Reyes"), some("2025-07-11"), ItemStatus::Done)
    );
    let item = &parse("- **Retries with backoff** (Bea Lindgren, W09) – done, shipped in 4.18.2").items[0];
    // The note keeps the status word: it reads as written, and the export repeats the word.
    assert_eq!((item.status, item.note.as_deref()), (ItemStatus::Done, Some("done, shipped in 4.18.2")));
    assert_eq!(item.owner.as_deref(), Some("Bea Lindgren"));
}

#[test]
fn sub_bullets_of_fields_only() {
    let body = "1. Recréer les enregistrements\n   - Responsable : Émilie Tremblay\n   - Échéance : 12 novembre 2024\n   - Statut : Fait\n2. 인증서 검증 추가\n   - 담당: 박준호 / 기한: 2025년 1월 31일 / 상태: 완료\n3. Document it\n   - (no owner yet)";
    let items = read(body);
    assert_eq!(
        items[0],
        ("Recréer les enregistrements".into(), some("Émilie Tremblay"), some("12 novembre 2024"), ItemStatus::Done)
    );
    assert_eq!(items[1], ("인증서 검증 추가".into(), some("박준호"), some("2025년 1월 31일"), ItemStatus::Done));
    // Not a field: it stays.
    assert_eq!(items[2].0, "Document it\n- (no owner yet)");
}

#[test]
fn a_name_alone_is_an_owner_only_where_the_list_writes_owners_so() {
    let list = "- Fix A (Anna Berg, due 2025-01-10)\n- Fix B (Bo Lind, due 2025-01-17)\n- Fix C (Cai Wu)";
    assert_eq!(read(list)[2].1.as_deref(), Some("Cai Wu"));
    // Alone, a word in brackets is the text's own.
    assert_eq!(
        one("- Move the window out of memory (Redis)"),
        ("Move the window out of memory (Redis)".into(), None, None, ItemStatus::Open)
    );
    assert_eq!(
        one("- Ship the fix — the old one"),
        ("Ship the fix — the old one".into(), None, None, ItemStatus::Open)
    );
    let prose = "- Per-HSM alert (catch one bad box, not only the total). Owner: @adaeze.";
    assert_eq!(one(prose).0, "Per-HSM alert (catch one bad box, not only the total).");
}

#[test]
fn status_words_inside_sentences_are_not_statuses() {
    assert_eq!(one("- Make sure the job is done before noon").3, ItemStatus::Open);
    assert_eq!(
        one("- Decide what done means — complete the migration first").0,
        "Decide what done means — complete the migration first"
    );
    assert_eq!(one("- Add alerts. Open questions remain").3, ItemStatus::Open);
    // `by` in a sentence is not a due date.
    assert_eq!(one("- Caused by the deploy pipeline").2, None);
    // Two names after a dash are the owners together.
    assert_eq!(one("- Fix it — Anna, Bob — 2025-01-01").0, "Fix it");
    // A name and a sentence are not.
    assert_eq!(
        one("- Fix it — Anna, then check the logs again — 2025-01-01").0,
        "Fix it — Anna, then check the logs again"
    );
}

#[test]
fn weeks_and_quarters_are_resolved_with_the_lists_year() {
    let list = "| Task | Owner | Due |\n|---|---|---|\n| A | X | 21.02.2025 |\n| B | Y | KW 7 |\n| C | Z | Q3 2025 |\n| D | W | KW 2 |";
    let dues: Vec<Option<String>> = parse(list).items.into_iter().map(|i| i.due).collect();
    assert_eq!(dues[1].as_deref(), Some("2025-02-14 (KW 7)"));
    assert_eq!(dues[2].as_deref(), Some("2025-09-30 (Q3 2025)"));
    assert_eq!(dues[3].as_deref(), Some("2025-01-10 (KW 2)"));
    let december = "- A — X — 2024-12-06\n- B — Y — KW 2";
    assert_eq!(read(december)[1].2.as_deref(), Some("2025-01-10 (KW 2)"));
    // No date to go by: kept as written.
    assert_eq!(one("- A — X — W05").2.as_deref(), Some("W05"));
}

#[test]
fn odd_text_does_not_panic() {
    for body in
        ["- (", "- )", "- — —", "- （）", "- a — (", "- @", "- [x] : :", "- 【", "- 【完了", "- x, ", "- ü — é. ü"]
    {
        let _ = parse(body);
    }
}

#[test]
fn bold_labels_after_the_text_and_between_middle_dots_are_fields() {
    let items = parse(
        "- [ ] Add jitter **Owner:** Priya\n- [ ] Fix it **Due:** 2025-01-15\n- [ ] Fix it — **Owner:** Sam · **Due:** 2025-04-01\n",
    )
    .items;
    let read: Vec<(&str, Option<&str>, Option<&str>)> =
        items.iter().map(|i| (i.text.as_str(), i.owner.as_deref(), i.due.as_deref())).collect();
    assert_eq!(
        read,
        [
            ("Add jitter", Some("Priya"), None),
            ("Fix it", None, Some("2025-01-15")),
            ("Fix it", Some("Sam"), Some("2025-04-01"))
        ]
    );
}

#[test]
fn fields_after_hyphens_in_a_plain_numbered_list() {
    let body = "1) Rotate the relay keys (Ines Duarte) - due 3 Nov 2025 - done\n\
                2) Alert on queue depth (Tom Ruiz) - due next sprint - open\n\
                3) Fix the roll-back script - its dry-run - before spring\n";
    let items = read(body);
    assert_eq!(items[0], ("Rotate the relay keys".into(), some("Ines Duarte"), some("3 Nov 2025"), ItemStatus::Done));
    assert_eq!(items[1], ("Alert on queue depth".into(), some("Tom Ruiz"), some("next sprint"), ItemStatus::Open));
    // Words after a hyphen that are not fields stay in the text.
    assert_eq!(items[2].0, "Fix the roll-back script - its dry-run - before spring");
}

#[test]
fn a_labelled_field_after_a_space_at_the_end() {
    assert_eq!(
        one("- [x] 夜間バッチの時間帯（01:00〜03:00）を避ける @mori 期限：11/5"),
        ("夜間バッチの時間帯（01:00〜03:00）を避ける".into(), some("@mori"), some("11/5"), ItemStatus::Done)
    );
    assert_eq!(
        one("- [ ] Add a canary stage Owner: Lena Fox Due: 2025-02-07"),
        ("Add a canary stage".into(), some("Lena Fox"), some("2025-02-07"), ItemStatus::Open)
    );
    // A label in lower case inside the sentence, or a status that is not one, is the text.
    assert_eq!(one("- Explain why the status: field is required").0, "Explain why the status: field is required");
    assert_eq!(one("- Rename the Status: column to State").0, "Rename the Status: column to State");
}
