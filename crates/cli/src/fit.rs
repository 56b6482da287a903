//! Tables fitted to a terminal: the aligned table of `output.rs`, with columns narrowed so a
//! row fits the screen. Narrow columns keep their width; the wide ones share what is left
//! and their long values are cut with `…`. Multivalue fields, and values holding line
//! breaks, take one line per value.

use crate::output::cell;
use quarry_engine::event::Name;
use quarry_engine::value::Value;
use std::io::{self, Write};

/// Spaces between two columns.
const GAP: usize = 2;

/// A column is not narrowed below this many characters (or its own width, when less).
pub const MIN_COLUMN: usize = 6;

/// The width of each column so that the row, gaps included, fits in `width` characters.
///
/// Columns narrower than a fair share keep their natural width; the others get equal shares
/// of the rest (the leftmost get a character more when it does not divide evenly). When even
/// [`MIN_COLUMN`] characters a column do not fit, the row is wider than `width`.
pub fn fit_widths(natural: &[usize], width: usize) -> Vec<usize> {
    if natural.is_empty() {
        return Vec::new();
    }
    let avail = width.saturating_sub(GAP * (natural.len() - 1));
    let total: usize = natural.iter().sum();
    if total <= avail {
        return natural.to_vec();
    }
    let used = |cap: usize| natural.iter().map(|w| (*w).min(cap)).sum::<usize>();
    // The largest cap whose capped widths still fit.
    let (mut low, mut high) = (0usize, natural.iter().copied().max().unwrap_or(0));
    while low < high {
        let mid = (low + high).div_ceil(2);
        if used(mid) <= avail {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let cap = low;
    let mut widths: Vec<usize> = natural.iter().map(|w| (*w).min(cap)).collect();
    let mut left = avail.saturating_sub(used(cap));
    for (w, nat) in widths.iter_mut().zip(natural) {
        if left == 0 {
            break;
        }
        if *nat > *w {
            *w += 1;
            left -= 1;
        }
    }
    for (w, nat) in widths.iter_mut().zip(natural) {
        *w = (*w).max((*nat).min(MIN_COLUMN));
    }
    widths
}

/// `text` cut to `width` characters, ending in `…` when it was longer.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// The lines of a cell as shown: a value's own line breaks start new lines, and tabs and other
/// control characters become spaces.
fn display_lines(values: Vec<String>) -> Vec<String> {
    let mut lines = Vec::new();
    for value in values {
        for line in value.split('\n') {
            let clean: String = line
                .trim_end_matches('\r')
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            lines.push(clean);
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Writes an aligned table no wider than `width` characters (unless even the narrowest
/// columns do not fit).
pub fn write_fitted_table(
    out: &mut dyn Write,
    header: &[Name],
    rows: &[Vec<(Name, Value)>],
    width: usize,
) -> io::Result<()> {
    if rows.is_empty() || header.is_empty() {
        return Ok(());
    }
    let cells: Vec<Vec<Vec<String>>> = rows
        .iter()
        .map(|r| header.iter().map(|h| display_lines(cell(r, h))).collect())
        .collect();
    let chars = |text: &str| text.chars().count();
    let mut natural: Vec<usize> = header.iter().map(|h| chars(h)).collect();
    for row in &cells {
        for (i, lines) in row.iter().enumerate() {
            for line in lines {
                natural[i] = natural[i].max(chars(line));
            }
        }
    }
    let widths = fit_widths(&natural, width);
    let line = |out: &mut dyn Write, parts: &[&str]| -> io::Result<()> {
        let mut text = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                text.push_str(&" ".repeat(GAP));
            }
            let shown = truncate(part, widths[i]);
            let pad = widths[i].saturating_sub(chars(&shown));
            text.push_str(&shown);
            if i + 1 < parts.len() {
                text.push_str(&" ".repeat(pad));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    let names: Vec<&str> = header.iter().map(|h| h.as_ref()).collect();
    line(out, &names)?;
    let rules: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &rules.iter().map(String::as_str).collect::<Vec<_>>())?;
    for row in &cells {
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            let parts: Vec<&str> = row
                .iter()
                .map(|lines| lines.get(k).map(String::as_str).unwrap_or(""))
                .collect();
            line(out, &parts)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(rows: &[Vec<(&str, Value)>], width: usize) -> String {
        let rows: Vec<Vec<(Name, Value)>> = rows
            .iter()
            .map(|r| r.iter().map(|(n, v)| (Name::from(*n), v.clone())).collect())
            .collect();
        let header = crate::output::header(&rows);
        let mut out = Vec::new();
        write_fitted_table(&mut out, &header, &rows, width).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tables_that_fit_are_left_alone() {
        assert_eq!(fit_widths(&[3, 10, 4], 80), vec![3, 10, 4]);
        let text = render(&[vec![("user", Value::from("alice")), ("count", Value::Int(3))]], 80);
        assert_eq!(text, "user   count\n-----  -----\nalice  3\n");
    }

    #[test]
    fn wide_columns_share_what_narrow_ones_leave() {
        // 40 characters less two gaps: 36; the 4-wide column keeps its width, the others
        // get 16 each.
        assert_eq!(fit_widths(&[4, 100, 50], 40), vec![4, 16, 16]);
        // An odd character goes to the leftmost wide column.
        assert_eq!(fit_widths(&[4, 100, 50], 41), vec![4, 17, 16]);
        let widths = fit_widths(&[30, 30, 30, 30], 60);
        assert!(widths.iter().sum::<usize>() + 6 <= 60, "{widths:?}");
    }

    #[test]
    fn columns_keep_a_minimum_width() {
        assert_eq!(fit_widths(&[20, 20, 20], 10), vec![6, 6, 6]);
        assert_eq!(fit_widths(&[2, 20], 5), vec![2, 6]);
    }

    #[test]
    fn long_values_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abc", 0), "");
        let long = "x".repeat(100);
        let text = render(&[vec![("id", Value::Int(1)), ("_raw", Value::from(long.as_str()))]], 30);
        for line in text.lines() {
            assert!(line.chars().count() <= 30, "{line}");
        }
        assert!(text.contains("xxx…"), "{text}");
    }

    #[test]
    fn multivalues_and_line_breaks_take_a_line_each() {
        let text = render(
            &[vec![
                ("user", Value::from("bob")),
                ("ips", Value::multi([Value::from("1.1.1.1"), Value::from("2.2.2.2")])),
                ("note", Value::from("a\nb")),
            ]],
            80,
        );
        assert_eq!(
            text,
            "user  ips      note\n----  -------  ----\nbob   1.1.1.1  a\n      2.2.2.2  b\n"
        );
    }
}
