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

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(kind: &[u8; 4], content: &[u8]) -> Vec<u8> {
        let mut out = u32::try_from(content.len() + 8)
            .unwrap()
            .to_be_bytes()
            .to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(content);
        out
    }

    /// A minimal AVIF container (no image data is needed to bound it).
    pub fn container(width: u32, height: u32, exif: bool) -> Vec<u8> {
        let mut ispe = vec![0; 4];
        ispe.extend_from_slice(&width.to_be_bytes());
        ispe.extend_from_slice(&height.to_be_bytes());
        let ipco = boxed(b"ipco", &boxed(b"ispe", &ispe));
        let mut meta = vec![0; 4];
        meta.extend(boxed(b"hdlr", &[0; 24]));
        let mut infe = vec![2, 0, 0, 0, 0, 1, 0, 0];
        infe.extend_from_slice(if exif { b"Exif" } else { b"av01" });
        meta.extend(boxed(
            b"iinf",
            &[&[0u8; 6][..], &boxed(b"infe", &infe)].concat(),
        ));
        meta.extend(boxed(b"iprp", &ipco));
        let mut file = boxed(b"ftyp", b"avif\0\0\0\0avifmif1miaf");
        file.extend(boxed(b"meta", &meta));
        file.extend(boxed(b"mdat", &[0; 16]));
        file
    }

    #[test]
    fn the_size_and_metadata_are_read_from_the_container() {
        assert_eq!(
            parse(&container(4000, 3000, false)),
            Some(Avif {
                width: 4000,
                height: 3000,
                has_metadata: false
            })
        );
        assert!(parse(&container(10, 10, true)).unwrap().has_metadata);
        assert_eq!(parse(b"\0\0\0\x08ftyp"), None);
        assert_eq!(parse(&[0xff; 64]), None);
        let mut truncated = container(10, 10, false);
        truncated.truncate(40);
        assert_eq!(parse(&truncated), None);
        // A box claiming more than there is stops the walk.
        assert_eq!(parse(b"\xff\xff\xff\xffftypavif"), None);
    }
}
