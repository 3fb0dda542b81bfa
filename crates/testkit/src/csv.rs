//! Reading the panel's CSV exports back, strictly: a download that stopped short or a
//! quoting mistake fails the test instead of passing with fewer rows.

/// RFC 4180, as the export writes it: quoted fields may hold commas, `""` and line breaks.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err("the CSV ends inside a quoted field".to_owned());
    }
    if !field.is_empty() || !row.is_empty() {
        return Err("the CSV's last line has no line end: the download stopped short".to_owned());
    }
    let width = rows.first().map_or(0, Vec::len);
    if let Some((i, r)) = rows.iter().enumerate().find(|(_, r)| r.len() != width) {
        return Err(format!("CSV line {} has {} fields, the header {width}", i + 1, r.len()));
    }
    Ok(rows)
}
