//! The format of an API key, so that a key can be made and a presented one checked
//! without any I/O: `vk_`, 30 base62 characters of randomness, then 6 base62 characters
//! of the CRC32 of everything before them (GitHub's scheme for its tokens). The checksum
//! lets a typo or a truncated key be refused before the database is asked, and the fixed
//! shape lets secret scanners find leaked keys (`docs/api-keys.md` gives the pattern).

use std::fmt;

/// What every key starts with.
pub const KEY_PREFIX: &str = "vk_";
/// Characters of randomness in a key (30 × log2(62) ≈ 178 bits).
pub const RANDOM_LEN: usize = 30;
/// Characters of the checksum at the end of a key.
pub const CHECKSUM_LEN: usize = 6;
/// The length of a whole key.
pub const KEY_LEN: usize = KEY_PREFIX.len() + RANDOM_LEN + CHECKSUM_LEN;
/// How many characters of a key are shown in lists (`vk_` and four more).
pub const DISPLAY_LEN: usize = 7;
/// The longest a rolled key keeps working beside its successor: 7 days, in seconds.
pub const MAX_GRACE_SECONDS: u32 = 7 * 24 * 3600;
/// How long a rolled key keeps working when its roll names no grace period: 24 hours.
pub const DEFAULT_GRACE_SECONDS: u32 = 24 * 3600;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A key in its valid shape with a matching checksum. Its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// A new key from `fill`, a source of random bytes (the OS's, in the service). Bytes
    /// of 248 and above are dropped, so each of the 62 characters is equally likely.
    pub fn generate<E>(mut fill: impl FnMut(&mut [u8]) -> Result<(), E>) -> Result<Self, E> {
        let mut body = String::with_capacity(KEY_LEN);
        body.push_str(KEY_PREFIX);
        let mut buffer = [0u8; 48];
        while body.len() < KEY_PREFIX.len() + RANDOM_LEN {
            fill(&mut buffer)?;
            for byte in buffer.iter().filter(|b| **b < 248) {
                if body.len() < KEY_PREFIX.len() + RANDOM_LEN {
                    body.push(char::from(BASE62[usize::from(byte % 62)]));
                }
            }
        }
        let checksum = checksum_of(&body);
        body.push_str(&checksum);
        Ok(Self(body))
    }

    /// A presented key, if it has the shape of a key and its checksum matches.
    pub fn parse(presented: &str) -> Option<Self> {
        let bytes = presented.as_bytes();
        let shaped = bytes.len() == KEY_LEN
            && presented.starts_with(KEY_PREFIX)
            && bytes[KEY_PREFIX.len()..]
                .iter()
                .all(u8::is_ascii_alphanumeric);
        if !shaped {
            return None;
        }
        let (body, checksum) = presented.split_at(KEY_LEN - CHECKSUM_LEN);
        (checksum_of(body) == checksum).then(|| Self(presented.to_owned()))
    }

    /// Whether a bearer credential is meant as a key (rather than a JWT): it says so by
    /// its prefix, whatever the rest.
    pub fn looks_like_key(credential: &str) -> bool {
        credential.starts_with(KEY_PREFIX)
    }

    /// The whole key: shown to its creator once, and hashed for storage.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What lists show of the key: its first characters and an ellipsis (`vk_abc1…`).
    pub fn display_prefix(&self) -> String {
        format!("{}…", &self.0[..DISPLAY_LEN])
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKeySecret({})", self.display_prefix())
    }
}

/// The checksum characters of `body`: its CRC32 in base62, left-padded with `0` to six.
fn checksum_of(body: &str) -> String {
    let mut n = crc32(body.as_bytes());
    let mut digits = [b'0'; CHECKSUM_LEN];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    digits.iter().map(|d| char::from(*d)).collect()
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bit by bit: keys are short, so a
/// table buys nothing.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counting(seed: u8) -> impl FnMut(&mut [u8]) -> Result<(), ()> {
        let mut next = seed;
        move |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                *b = next;
                next = next.wrapping_add(37);
            }
            Ok(())
        }
    }

    #[test]
    fn crc32_gives_the_known_answers() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn a_generated_key_has_the_documented_shape_and_parses() {
        let key = ApiKeySecret::generate(counting(3)).unwrap();
        let text = key.expose();
        assert_eq!(text.len(), 39);
        assert!(text.starts_with("vk_"));
        assert!(text[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(ApiKeySecret::parse(text), Some(key.clone()));
        assert_eq!(key.display_prefix(), format!("{}…", &text[..7]));
        assert!(!format!("{key:?}").contains(&text[7..]));
    }

    #[test]
    fn bytes_that_would_bias_the_alphabet_are_skipped() {
        let key = ApiKeySecret::generate(|buf: &mut [u8]| {
            buf.fill(250);
            buf[0] = 61;
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(&key.expose()[3..33], "z".repeat(30));
    }

    #[test]
    fn a_changed_character_or_a_wrong_shape_is_refused() {
        let key = ApiKeySecret::generate(counting(11)).unwrap();
        let text = key.expose().to_owned();
        for i in 3..text.len() {
            let mut bytes = text.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let changed = String::from_utf8(bytes).unwrap();
            assert_eq!(ApiKeySecret::parse(&changed), None, "position {i}");
        }
        for bad in [
            "",
            "vk_",
            &text[..38],
            &format!("{text}0"),
            &text.replacen("vk_", "xk_", 1),
            &format!("{}-{}", &text[..10], &text[11..]),
        ] {
            assert_eq!(ApiKeySecret::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_documented_examples_are_keys() {
        for example in [
            "vk_6fQ2cW0rJk1Lm9TzXaB4dEh7Ns3Pu81ZUR1e",
            "vk_abc1DEF2ghi3JKL4mno5PQR6stu7VW4TF7Bc",
        ] {
            assert!(ApiKeySecret::parse(example).is_some(), "{example}");
        }
    }

    #[test]
    fn the_checksum_is_left_padded_base62() {
        assert_eq!(checksum_of(""), "000000");
        // 0xCBF43926 = 3421780262 in base 62.
        assert_eq!(checksum_of("123456789"), "3jZRME");
    }
}
