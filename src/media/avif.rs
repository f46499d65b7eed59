//! Just enough of AVIF's container (ISOBMFF boxes) to bound an image without decoding it: its
//! size from the `ispe` properties, and whether it carries metadata items (EXIF, XMP). The
//! walk goes three boxes deep at most and never past the bytes given.

/// What the container says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Avif {
    pub width: u32,
    pub height: u32,
    /// An `Exif` or `mime` (XMP) item is present.
    pub has_metadata: bool,
}

/// The container's facts, or `None` when it is not a well-formed AVIF.
pub fn parse(bytes: &[u8]) -> Option<Avif> {
    let ftyp = find(bytes, b"ftyp")?;
    if !ftyp
        .chunks(4)
        .any(|brand| brand == b"avif" || brand == b"avis")
    {
        return None;
    }
    // `meta` is a full box: version and flags first.
    let meta = find(bytes, b"meta")?.get(4..)?;
    let has_metadata =
        find(meta, b"iinf").is_some_and(|iinf| contains(iinf, b"Exif") || contains(iinf, b"mime"));
    let ipco = find(find(meta, b"iprp")?, b"ipco")?;
    let (mut width, mut height) = (0u32, 0u32);
    for ispe in boxes(ipco).filter(|(kind, _)| kind == b"ispe") {
        let w = u32::from_be_bytes(ispe.1.get(4..8)?.try_into().ok()?);
        let h = u32::from_be_bytes(ispe.1.get(8..12)?.try_into().ok()?);
        width = width.max(w);
        height = height.max(h);
    }
    (width > 0 && height > 0).then_some(Avif {
        width,
        height,
        has_metadata,
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The content of the first box of this type among `data`'s boxes.
fn find<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data)
        .find(|(k, _)| k == kind)
        .map(|(_, content)| content)
}

/// The boxes one after the other (type, content); stops at the first malformed one.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(data.get(0..4)?.try_into().ok()?);
        let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
        let (header, total) = match size {
            0 => (8, data.len()),
            1 => {
                let large = u64::from_be_bytes(data.get(8..16)?.try_into().ok()?);
                (16, usize::try_from(large).ok()?)
            }
            n => (8, usize::try_from(n).ok()?),
        };
        if total < header {
            return None;
        }
        let content = data.get(header..total)?;
        data = data.get(total..)?;
        Some((kind, content))
    })
}
