#![doc = include_str!("../README.md")]

mod card;
mod chart;
mod colour;
mod date;
mod deflate;
mod draw;
mod error;
mod filter;
mod picture;
mod text;

pub use self::{
    card::{
        BACKGROUND_PANEL_ALPHA, CARD_HEIGHT, CARD_WIDTH, CardOptions, DEFAULT_ACCENT,
        NAME_MAX_CHARS, NAME_MAX_PX, NAME_MIN_PX, NAME_STEP_PX, RANK_BRONZE, RANK_GOLD,
        RANK_SILVER, RankCard,
    },
    chart::{
        CHART_ENCODING, CHART_HEIGHT, CHART_MAX_POINTS, CHART_MAX_SERIES, CHART_MAX_SIDE,
        CHART_MIN_SIDE, CHART_PALETTE, CHART_VALUE_LIMIT, CHART_WIDTH, Chart, ChartKind,
        EMPTY_CHART_TEXT, Series, XAxis,
    },
    colour::Colour,
    date::Date,
    draw::IMAGE_MAX_SIDE,
    error::RenderError,
    picture::{PHOTO_TOLERANCE, Picture, PngEncoding},
};
