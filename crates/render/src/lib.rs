#![doc = include_str!("../README.md")]

mod card;
mod colour;
mod draw;
mod error;
mod picture;
mod text;

pub use self::{
    card::{
        BACKGROUND_PANEL_ALPHA, CARD_HEIGHT, CARD_WIDTH, CardOptions, DEFAULT_ACCENT,
        NAME_MAX_CHARS, NAME_MAX_PX, NAME_MIN_PX, NAME_STEP_PX, RANK_BRONZE, RANK_GOLD,
        RANK_SILVER, RankCard,
    },
    colour::Colour,
    draw::IMAGE_MAX_SIDE,
    error::RenderError,
    picture::{Picture, PngEncoding},
};
