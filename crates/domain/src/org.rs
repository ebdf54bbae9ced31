//! Organisations (tenants): the URL slug that names them and the Norwegian organisation
//! number that identifies them in the national register.

use crate::text::{Text, TextRule, text_rule};

text_rule!(
    /// An organisation's URL name: 2–63 characters of `a-z`, `0-9` and `-`, starting with a
    /// letter and not ending with `-` (for example `innovasjon-gardermoen`).
    OrgSlug (OrgSlugRule) {
        DESCRIPTION: "URL name: 2–63 characters of a-z, 0-9 and '-', starting with a letter.",
        MIN_CHARS: 2, MAX_CHARS: 63, PATTERN: "^[a-z][a-z0-9-]{0,61}[a-z0-9]$",
        MESSAGE: "must be 2-63 characters of a-z, 0-9 and '-', start with a letter and not end with '-'",
        TRIM: false,
    }
    shape: |s| {
        let bytes = s.as_bytes();
        bytes.first().is_some_and(u8::is_ascii_lowercase)
            && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes.last() != Some(&b'-')
    }
);

/// A Norwegian organisation number (organisasjonsnummer): nine digits whose last digit is
/// a MOD11 check digit over the first eight with the weights 3, 2, 7, 6, 5, 4, 3, 2.
pub type OrganisationNumber = Text<OrganisationNumberRule>;

/// The rule of [`OrganisationNumber`]: nine digits, optionally grouped with spaces
/// (`923 609 016`), kept without the spaces, with a matching check digit.
pub enum OrganisationNumberRule {}

impl TextRule for OrganisationNumberRule {
    const NAME: &'static str = "OrganisationNumber";
    const DESCRIPTION: &'static str =
        "A Norwegian organisation number: nine digits with a valid MOD11 check digit.";
    const MIN_CHARS: usize = 9;
    const MAX_CHARS: usize = 9;
    const PATTERN: &'static str = "^[0-9]{9}$";
    const MESSAGE: &'static str = "must be nine digits";
    const EXAMPLE: &'static str = "923609016";

    fn check(value: &str) -> Result<String, String> {
        let digits: String = value.chars().filter(|c| *c != ' ').collect();
        if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Self::MESSAGE.into());
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        match check_digit(&d[..8]) {
            Some(check) if check == d[8] => Ok(digits),
            _ => {
                Err("is not a valid organisation number (MOD11 check digit does not match)".into())
            }
        }
    }
}

const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];

/// The MOD11 check digit for eight digits, or `None` when no digit can make the number
/// valid (the remainder gives 10).
fn check_digit(first_eight: &[u32]) -> Option<u32> {
    let sum: u32 = first_eight.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => Some(check),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_documented_rule() {
        for ok in ["ig", "innovasjon-gardermoen", "a1", "x-2-y"] {
            assert!(OrgSlug::parse(ok).is_ok(), "{ok}");
        }
        let too_long = "a".repeat(64);
        for bad in [
            "",
            "a",
            "1abc",
            "-ab",
            "ab-",
            "Ab",
            "a b",
            "a_b",
            "æøå",
            too_long.as_str(),
        ] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn known_organisation_numbers_pass_the_mod11_check() {
        // Real, registered numbers.
        for ok in ["923609016", "974760673", "974 760 673"] {
            assert!(OrganisationNumber::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn wrong_check_digits_and_shapes_are_refused() {
        for bad in ["923609017", "12345678", "1234567890", "92360901a", ""] {
            assert!(OrganisationNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_number_whose_remainder_gives_ten_is_never_valid() {
        // 8 digits whose weighted sum leaves remainder 1: 11 - 1 = 10, no valid check digit.
        let first = [0, 0, 0, 0, 0, 0, 3, 2]; // 3*3 + 2*2 = 13, 13 % 11 = 2 -> 9
        assert_eq!(check_digit(&first), Some(9));
        let ten = [0, 0, 0, 0, 0, 0, 0, 6]; // 6*2 = 12, 12 % 11 = 1 -> 10
        assert_eq!(check_digit(&ten), None);
        for last in 0..=9 {
            assert!(OrganisationNumber::parse(&format!("00000006{last}")).is_err());
        }
    }

    #[test]
    fn every_eight_digit_prefix_has_at_most_one_valid_check_digit() {
        for prefix in [12_345_678u32, 98_765_432, 10_000_000, 55_555_555] {
            let valid = (0..=9)
                .filter(|d| OrganisationNumber::parse(&format!("{prefix}{d}")).is_ok())
                .count();
            assert!(valid <= 1, "{prefix}");
        }
    }
}
