//! What an upload becomes: its bytes sniffed (never the declared type), bounded in size and
//! pixels before decoding, turned upright (EXIF orientation), and re-encoded as JPEGs of the
//! sizes the pages and the fediverse need, never larger than the original. Re-encoding keeps
//! pixels only: EXIF (GPS included), XMP and comments are gone.
//!
//! AVIF is sniffed and bounded but not decoded (that needs a C library): it is kept as sent,
//! in one size, and refused when it carries metadata (see [`super::avif`]).

use std::io::Cursor;

use bytes::Bytes;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The widths made: a thumbnail for lists, a middle size, and the page's and the fediverse's
/// (Mastodon takes up to 1280 pixels wide without scaling again).
pub const WIDTHS: [u32; 3] = [320, 640, LARGEST];
/// The widest size made.
const LARGEST: u32 = 1200;
/// JPEG quality of the sizes made.
const QUALITY: u8 = 82;
/// No side longer than this, whatever the pixel count.
const MAX_SIDE: u32 = 20_000;

/// How much an upload may be.
#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub max_bytes: usize,
    pub max_pixels: u64,
}

/// One size of an image, encoded.
#[derive(Debug, Clone)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub extension: &'static str,
    pub bytes: Bytes,
}

/// An upload made ready: its upright size and its sizes, narrowest first.
#[derive(Debug)]
pub struct Processed {
    pub width: u32,
    pub height: u32,
    pub variants: Vec<Variant>,
}

/// Why an upload is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refusal {
    #[error("this is not a JPEG, PNG, WebP or AVIF image")]
    NotAnImage,
    #[error("the image is larger than {} MiB", .0 / 1024 / 1024)]
    TooLarge(usize),
    #[error("the image has more than {0} pixels")]
    TooManyPixels(u64),
    #[error("the image could not be read: {0}")]
    Undecodable(String),
    #[error("this AVIF image carries metadata (EXIF or XMP), which cannot be removed here: save it without, or as JPEG")]
    AvifMetadata,
}

/// Checks and sizes an upload (CPU-bound: run it off the async threads).
pub fn process(bytes: &[u8], caps: Caps) -> Result<Processed, Refusal> {
    if bytes.len() > caps.max_bytes {
        return Err(Refusal::TooLarge(caps.max_bytes));
    }
    let format = image::guess_format(bytes).map_err(|_| Refusal::NotAnImage)?;
    match format {
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP => {}
        ImageFormat::Avif => return avif(bytes, caps),
        _ => return Err(Refusal::NotAnImage),
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(caps.max_pixels.saturating_mul(8).max(64 * 1024 * 1024));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refusal(caps))?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, caps)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(refusal(caps))?;
    image.apply_orientation(orientation);
    let image = flatten(image);
    let (width, height) = (image.width(), image.height());
    let mut variants = Vec::new();
    for target in targets(width) {
        let sized = if target == width {
            image.clone()
        } else {
            let h = scaled_height(width, height, target);
            image.resize_exact(target, h, FilterType::CatmullRom)
        };
        variants.push(jpeg(&sized)?);
    }
    Ok(Processed {
        width,
        height,
        variants,
    })
}

/// The widths to make of an image `width` wide: each of [`WIDTHS`] it is wider than, and its
/// own width when under the largest (never upscaled).
pub fn targets(width: u32) -> Vec<u32> {
    let mut targets: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < width).collect();
    if width <= LARGEST {
        targets.push(width);
    }
    targets
}

/// The height at `target` width keeping the aspect ratio (at least 1).
fn scaled_height(width: u32, height: u32, target: u32) -> u32 {
    let h = (u64::from(height) * u64::from(target) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(h.max(1)).unwrap_or(u32::MAX)
}

fn check_pixels(width: u32, height: u32, caps: Caps) -> Result<(), Refusal> {
    if width == 0 || height == 0 {
        return Err(Refusal::Undecodable("it has no pixels".into()));
    }
    if width > MAX_SIDE
        || height > MAX_SIDE
        || u64::from(width) * u64::from(height) > caps.max_pixels
    {
        return Err(Refusal::TooManyPixels(caps.max_pixels));
    }
    Ok(())
}

fn refusal(caps: Caps) -> impl Fn(image::ImageError) -> Refusal {
    move |e| match e {
        image::ImageError::Limits(_) => Refusal::TooManyPixels(caps.max_pixels),
        image::ImageError::Unsupported(_) => Refusal::NotAnImage,
        other => Refusal::Undecodable(other.to_string()),
    }
}

/// Transparent pixels over white (JPEG has no alpha).
fn flatten(image: DynamicImage) -> DynamicImage {
    if !image.color().has_alpha() {
        return DynamicImage::ImageRgb8(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let rgb = image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| {
            let c = u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a));
            u8::try_from(c / 255).unwrap_or(u8::MAX)
        };
        image::Rgb([over(r), over(g), over(b)])
    });
    DynamicImage::ImageRgb8(rgb)
}

fn jpeg(image: &DynamicImage) -> Result<Variant, Refusal> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, QUALITY)
        .encode_image(image)
        .map_err(|e| Refusal::Undecodable(e.to_string()))?;
    Ok(Variant {
        width: image.width(),
        height: image.height(),
        extension: "jpg",
        bytes: Bytes::from(out),
    })
}

/// An AVIF kept as sent: bounded by its declared size, refused with metadata.
fn avif(bytes: &[u8], caps: Caps) -> Result<Processed, Refusal> {
    let image = super::avif::parse(bytes)
        .ok_or_else(|| Refusal::Undecodable("not a well-formed AVIF image".into()))?;
    check_pixels(image.width, image.height, caps)?;
    if image.has_metadata {
        return Err(Refusal::AvifMetadata);
    }
    Ok(Processed {
        width: image.width,
        height: image.height,
        variants: vec![Variant {
            width: image.width,
            height: image.height,
            extension: "avif",
            bytes: Bytes::copy_from_slice(bytes),
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_never_larger_than_the_original() {
        assert_eq!(targets(4000), vec![320, 640, 1200]);
        assert_eq!(targets(1200), vec![320, 640, 1200]);
        assert_eq!(targets(800), vec![320, 640, 800]);
        assert_eq!(targets(320), vec![320]);
        assert_eq!(targets(100), vec![100]);
        assert_eq!(scaled_height(4000, 6000, 320), 480);
        assert_eq!(scaled_height(5000, 1, 320), 1);
    }

    #[test]
    fn bytes_and_pixels_are_bounded_before_decoding() {
        let caps = Caps {
            max_bytes: 100,
            max_pixels: 10,
        };
        assert_eq!(
            process(&[0u8; 101], caps).unwrap_err(),
            Refusal::TooLarge(100)
        );
        assert_eq!(
            process(b"GIF89a....", caps).unwrap_err(),
            Refusal::NotAnImage
        );
        assert_eq!(
            process(b"<svg></svg>", caps).unwrap_err(),
            Refusal::NotAnImage
        );
    }
}
