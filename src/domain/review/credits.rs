//! A credits block as film blogs print one under a review ("Directed by …", "Screenplay by …",
//! "Music by …", one per line): the one rule for reading it into a film's credits, used by
//! the demo loader and the WordPress import.

use super::{Credit, FilmInput};

/// Line prefix → where the name goes: the film's directors, its writers, or a credit with
/// this role.
const CREDIT_LINES: &[(&str, Role)] = &[
    ("Directed by", Role::Directors),
    ("Screenplay by", Role::Writers),
    ("Written by", Role::Writers),
    ("Based on", Role::Credit("Based on")),
    ("Narrated by", Role::Credit("Narrated by")),
    ("Music by", Role::Credit("Music")),
    ("Cinematography", Role::Credit("Cinematography")),
    ("Editing by", Role::Credit("Editing")),
    ("Studio", Role::Credit("Studio")),
];

#[derive(Debug, Clone, Copy)]
enum Role {
    Directors,
    Writers,
    Credit(&'static str),
}

/// Where a credits block starts among `lines`: the first line starting "Directed by".
pub fn block_start<S: AsRef<str>>(lines: &[S]) -> Option<usize> {
    lines
        .iter()
        .position(|l| normalize(l.as_ref()).starts_with("Directed by"))
}

/// No-break spaces (as copied pages and WordPress's `&nbsp;` have them) read as spaces.
fn normalize(line: &str) -> String {
    line.replace('\u{a0}', " ").trim().to_string()
}

/// Adds the credits a block names to `film`; lines that name nobody ("Produced by") and
/// footnote marks ("Rachel Portman[1]") are left out. "Based on <title>" may continue on the
/// next line ("by Kazuo Ishiguro").
pub fn read_block<S: AsRef<str>>(block: &[S], film: &mut FilmInput) {
    let lines: Vec<String> = block.iter().map(|l| normalize(l.as_ref())).collect();
    for (i, line) in lines.iter().enumerate() {
        for (prefix, role) in CREDIT_LINES {
            let Some(rest) = line.strip_prefix(prefix) else {
                continue;
            };
            let mut name = strip_footnote(rest.trim());
            if let Some(next) = lines.get(i + 1).filter(|l| l.starts_with("by ")) {
                name = format!("{name} {next}");
            }
            if name.is_empty() {
                continue;
            }
            match role {
                Role::Directors => film.directors.push(name),
                Role::Writers => film.writers.push(name),
                Role::Credit(role) => film.credits.push(Credit {
                    role: role.to_string(),
                    name,
                }),
            }
        }
    }
}

/// "Rachel Portman[1]" → "Rachel Portman".
fn strip_footnote(text: &str) -> String {
    match text.find('[') {
        Some(i) if text.ends_with(']') => text.get(..i).unwrap_or(text).trim().to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credits_block_fills_the_film() {
        let block = [
            "Directed by Mark Romanek",
            "Produced by",
            "Screenplay by Alex Garland",
            "Based on Never Let Me Go",
            "by\u{a0}Kazuo Ishiguro",
            "Music by Rachel Portman[1]",
            "Studio DNA Films",
        ];
        assert_eq!(block_start(&["text", "", block[0]]), Some(2));
        let mut film = FilmInput::default();
        read_block(&block, &mut film);
        assert_eq!(film.directors, ["Mark Romanek"]);
        assert_eq!(film.writers, ["Alex Garland"]);
        let credits: Vec<(&str, &str)> = film
            .credits
            .iter()
            .map(|c| (c.role.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(
            credits,
            [
                ("Based on", "Never Let Me Go by Kazuo Ishiguro"),
                ("Music", "Rachel Portman"),
                ("Studio", "DNA Films"),
            ]
        );
    }
}
