//! Renders a rank card to a PNG file: `cargo run -p hearth-render --example rank_card -- card.png`.
//!
//! An optional second argument is an avatar image (PNG, JPEG or WebP).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "rank-card.png".to_owned());
    let avatar = args.next().map(std::fs::read).transpose()?;
    let card = hearth_render::RankCard {
        name: "Ada Lovelace",
        level: 12,
        rank: 4,
        xp: 1_234,
        xp_required: 2_000,
        avatar: avatar.as_deref(),
        options: hearth_render::CardOptions::default(),
    };
    let png = card.render()?;
    std::fs::write(&out, &png)?;
    println!("wrote {out} ({} bytes)", png.len());
    Ok(())
}
