//! Writes the test and benchmark fixtures into `tests/fixtures/`, deterministically.
//!
//! `avatar.jpg` is a photo-like 256×256 portrait (Discord serves avatars at 256 px by default):
//! smooth light and shapes plus sensor-like grain, encoded as JPEG at quality 85, so its PNG
//! cost on a card is that of a real photo rather than of a flat test pattern.
//! `background.jpg` is a 960×540 landscape for the background option.
//!
//! Run with `cargo run -p hearth-render --example make_fixtures`.

// Pixel coordinates and channel values are small; the casts are exact or meant to saturate.
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_sign_loss
)]

use std::{f32::consts::TAU, path::Path};

use image::{RgbImage, codecs::jpeg::JpegEncoder};

/// A small deterministic generator (xorshift64*), so the fixtures are the same everywhere.
struct Grain(u64);

impl Grain {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as u32;
        // Sum of two uniforms: a triangular distribution in -1..1, close enough to sensor noise.
        let a = f32::from(u16::try_from(bits & 0xFFF).unwrap()) / 4096.0;
        let b = f32::from(u16::try_from((bits >> 12) & 0xFFF).unwrap()) / 4096.0;
        a + b - 1.0
    }
}

fn clamp(value: f32) -> u8 {
    value.round().clamp(0.0, 255.0) as u8
}

fn avatar() -> RgbImage {
    let mut grain = Grain(0x9E37_79B9_7F4A_7C15);
    RgbImage::from_fn(256, 256, |x, y| {
        let (u, v) = (x as f32 / 255.0, y as f32 / 255.0);
        // Background: a warm-to-teal wall with soft blotches.
        let blotch = (u * TAU * 1.3).sin() * (v * TAU * 0.9 + 1.0).cos() * 18.0;
        let mut rgb = [
            70.0 + 120.0 * (1.0 - v) + blotch,
            110.0 + 60.0 * u + blotch * 0.5,
            140.0 + 70.0 * v - blotch,
        ];
        // A face: a lit ellipse with a gradient, and shoulders below.
        let face = ((u - 0.5) / 0.22).powi(2) + ((v - 0.42) / 0.28).powi(2);
        let shoulders = ((u - 0.5) / 0.45).powi(2) + ((v - 1.05) / 0.32).powi(2);
        if face < 1.0 {
            let light = 1.0 - 0.35 * face - 0.3 * (u - 0.35).max(0.0);
            rgb = [225.0 * light, 180.0 * light, 150.0 * light];
        } else if shoulders < 1.0 {
            let fold = (u * TAU * 3.0).sin() * 12.0;
            rgb = [40.0 + fold, 60.0 + fold, 120.0 + fold];
        }
        let noise = grain.next() * 10.0;
        image::Rgb(rgb.map(|c| clamp(c + noise)))
    })
}

fn background() -> RgbImage {
    let mut grain = Grain(0xD1B5_4A32_D192_ED03);
    RgbImage::from_fn(960, 540, |x, y| {
        let (u, v) = (x as f32 / 959.0, y as f32 / 539.0);
        let hill = 0.55 + 0.12 * (u * TAU * 1.5).sin() + 0.05 * (u * TAU * 5.0).cos();
        let rgb = if v < hill {
            [250.0 - 120.0 * v, 150.0 + 40.0 * v, 120.0 + 130.0 * v]
        } else {
            let depth = (v - hill) * 2.0;
            [
                30.0 + 20.0 * depth,
                90.0 - 40.0 * depth,
                60.0 - 20.0 * depth,
            ]
        };
        let noise = grain.next() * 1.5;
        image::Rgb(rgb.map(|c| clamp(c + noise)))
    })
}

fn write_jpeg(image: &RgbImage, path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, 85).encode_image(image)?;
    std::fs::write(path, &bytes)?;
    println!("wrote {} ({} bytes)", path.display(), bytes.len());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    std::fs::create_dir_all(&dir)?;
    write_jpeg(&avatar(), &dir.join("avatar.jpg"))?;
    write_jpeg(&background(), &dir.join("background.jpg"))?;
    Ok(())
}
