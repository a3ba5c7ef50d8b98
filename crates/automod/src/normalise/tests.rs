use proptest::prelude::*;

use super::*;
use crate::{WordEntry, words::WordMatcher};

fn n(text: &str) -> String {
    normalise(text).as_str().to_owned()
}

#[test]
fn known_evasions_read_as_the_plain_word() {
    for evasion in [
        "free",
        "FREE",
        "fr33",
        "ｆｒｅｅ",
        "𝐟𝐫𝐞𝐞",
        "𝓯𝓻𝓮𝓮",
        "ⓕⓡⓔⓔ",
        "f.r.e.e",
        "f r e e",
        "f - r - e - e",
        "f_r_e_e",
        "fr\u{200B}ee",
        "f\u{200D}r\u{200C}e\u{2060}e",
        "fr\u{00AD}ee",
        "frее", // Cyrillic е twice
        "frεe", // Greek epsilon
        "fréé",
        "FRÉÉ",
    ] {
        assert_eq!(n(evasion), "free", "{evasion:?}");
    }
    assert_eq!(n("fr33 n1tro"), "free nitro");
    assert_eq!(n("$c@m"), "scam");
    assert_eq!(n("5p4m"), "spam");
    assert_eq!(n("h3ll0 th3r3"), "hello there");
}

#[test]
fn numbers_and_punctuation_on_their_own_are_kept() {
    assert_eq!(
        n("meet at 10:30 on 2024-05-01"),
        "meet at 10:30 on 2024-05-01"
    );
    assert_eq!(n("free!!"), "free!!");
    assert_eq!(n("wow!!! 100%"), "wow!!! 100%");
    assert_eq!(n("@alice hi"), "@alice hi");
}

#[test]
fn white_space_collapses_and_ends_are_trimmed() {
    assert_eq!(n("  hello \n\n  world  "), "hello world");
    assert_eq!(n(""), "");
    assert_eq!(n("\u{200B}\u{200B}"), "");
}

#[test]
fn two_single_letters_are_not_joined() {
    assert_eq!(n("a b"), "a b");
    assert_eq!(n("I a m"), "iam");
    assert_eq!(n("plan a or b"), "plan a or b");
}

#[test]
fn ordinary_other_scripts_are_left_as_written() {
    assert_eq!(n("Привет, как дела?"), "привет, как дела?");
    assert_eq!(n("Καλημέρα κόσμε"), "καλημερα κοσμε");
    assert_eq!(n("日本語のテキスト"), "日本語のテキスト");
    // A Russian word with only look-alike letters, in a Russian sentence, stays Russian.
    assert_eq!(n("сор и мусор"), "сор и мусор");
    assert_eq!(n("рука"), "рука");
    assert_eq!(n("το κατα"), "το κατα");
}

#[test]
fn look_alikes_in_latin_words_or_latin_text_become_latin() {
    // `раураl`: Cyrillic р, а, у, р, а then Latin l.
    assert_eq!(n("раураl"), "paypal");
    // Alone in an otherwise Latin message, a word of look-alikes reads as Latin.
    assert_eq!(n("sсаm"), "scam");
    assert_eq!(n("ѕсаm"), "scam");
    assert_eq!(n("ѕсам"), "scam"); // `ѕ` is no Russian letter
    assert_eq!(n("hi сор"), "hi cop");
}

#[test]
fn spans_map_back_to_the_original_characters() {
    let text = "hey ｆ.ｒ.ｅ.ｅ nitro";
    let normalised = normalise(text);
    let at = normalised.as_str().find("free").unwrap();
    let range = normalised.original_range(at..at + 4);
    assert_eq!(&text[range], "ｆ.ｒ.ｅ.ｅ");
    let text = "𝐟𝐫\u{200B}𝐞𝐞!";
    let normalised = normalise(text);
    assert_eq!(normalised.as_str(), "free!");
    assert_eq!(&text[normalised.original_range(0..4)], "𝐟𝐫\u{200B}𝐞𝐞");
    assert_eq!(normalised.original_range(3..3), 0..0);
    assert_eq!(normalised.original_range(4..99), 19..20);
}

/// An English word list of the kind staff write.
fn english_list() -> WordMatcher {
    let words = [
        "free nitro",
        "scam",
        "sex",
        "porn",
        "idiot",
        "kill",
        "die",
        "hate",
        "spam",
        "nazi",
        "crypto",
        "gift",
        "cop",
        "hoe",
        "ass",
        "poop",
        "nude",
        "*nitro*",
        "st*pid",
        "bitch",
    ];
    let entries: Vec<WordEntry> = words.iter().map(|w| WordEntry::parse(w)).collect();
    WordMatcher::compile(&entries).unwrap()
}

const RUSSIAN: &[&str] = &[
    "привет",
    "как",
    "дела",
    "сегодня",
    "хорошая",
    "погода",
    "мы",
    "идём",
    "в",
    "парк",
    "спасибо",
    "большое",
    "книга",
    "лежит",
    "на",
    "столе",
    "мусор",
    "сор",
    "рука",
    "море",
    "сок",
    "кот",
    "собака",
    "работа",
    "москва",
    "учитель",
    "вопрос",
    "ответ",
    "слово",
    "мир",
];
const GREEK: &[&str] = &[
    "καλημέρα",
    "κόσμε",
    "ευχαριστώ",
    "πολύ",
    "σήμερα",
    "ο",
    "καιρός",
    "είναι",
    "ωραίος",
    "το",
    "βιβλίο",
    "πάνω",
    "στο",
    "τραπέζι",
    "θάλασσα",
    "ήλιος",
    "φίλος",
    "γάτα",
    "σκύλος",
    "δουλειά",
    "αθήνα",
    "ερώτηση",
    "απάντηση",
    "λέξη",
    "νερό",
    "κατά",
    "τι",
    "όχι",
    "ναι",
];
const CJK: &[&str] = &[
    "今日は",
    "いい",
    "天気",
    "ですね",
    "我们",
    "去",
    "公园",
    "谢谢",
    "非常",
    "感谢",
    "书",
    "在",
    "桌子上",
    "안녕하세요",
    "감사합니다",
    "사랑",
    "바다",
    "学生",
    "先生",
    "東京",
    "世界",
];

fn sentence(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(words), 1..12).prop_map(|w| w.join(" "))
}

proptest! {
    #[test]
    fn never_panics_and_maps_every_byte_back(text in any::<String>()) {
        let normalised = normalise(&text);
        prop_assert_eq!(normalised.origin.len(), normalised.text.len());
        for (start, end) in &normalised.origin {
            prop_assert!(start < end);
            prop_assert!(text.is_char_boundary(*start as usize));
            prop_assert!(text.is_char_boundary(*end as usize));
        }
        let len = normalised.as_str().len();
        let range = normalised.original_range(0..len);
        prop_assert!(range.end <= text.len());
    }

    #[test]
    fn never_panics_on_unicode_soup(text in "[\\PC\\p{M}\u{200B}-\u{200F}\u{FE0F} .!@$|1-9]{0,64}") {
        let normalised = normalise(&text);
        let found = english_list().find(normalised.as_str());
        if let Some(found) = found {
            let range = normalised.original_range(found.span);
            prop_assert!(text.get(range).is_some());
        }
    }

    #[test]
    fn russian_greek_and_cjk_sentences_are_not_false_positives(
        text in prop_oneof![sentence(RUSSIAN), sentence(GREEK), sentence(CJK)]
    ) {
        let normalised = normalise(&text);
        prop_assert_eq!(english_list().find(normalised.as_str()), None, "{} -> {}", text, normalised.as_str());
    }

    #[test]
    fn styled_and_spaced_forms_of_a_word_read_as_the_word(
        word in "[a-z]{3,10}",
        style in 0..6usize,
    ) {
        let styled: String = match style {
            // Full-width forms.
            0 => word.chars().map(|c| char::from_u32(c as u32 - 'a' as u32 + 0xFF41).unwrap()).collect(),
            // Mathematical bold.
            1 => word.chars().map(|c| char::from_u32(c as u32 - 'a' as u32 + 0x1D41A).unwrap()).collect(),
            // Dotted and spaced out.
            2 => word.chars().map(String::from).collect::<Vec<_>>().join("."),
            3 => word.chars().map(String::from).collect::<Vec<_>>().join(" "),
            // Zero-width joiners between letters.
            4 => word.chars().map(String::from).collect::<Vec<_>>().join("\u{200D}"),
            // Upper case with acute accents where there is one.
            _ => word.to_uppercase().chars().flat_map(|c| [c, '\u{0301}']).collect(),
        };
        prop_assert_eq!(n(&styled), word);
    }

    #[test]
    fn cyrillic_look_alikes_inside_latin_words_read_as_latin(word in "[aceopxy]{2,8}k") {
        let disguised: String = word.chars().map(|c| match c {
            'a' => 'а', 'c' => 'с', 'e' => 'е', 'o' => 'о', 'p' => 'р', 'x' => 'х', 'y' => 'у',
            other => other,
        }).collect();
        prop_assert_eq!(n(&disguised), word);
    }
}
