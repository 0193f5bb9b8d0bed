//! The chart of a run: cold load time against keys and against folders, one line per way of
//! loading, as an SVG file (`benches/startup.svg`, linked from BENCHMARKS.md).

use std::path::Path;

use plotters::prelude::*;

/// One way of loading: its label and its (x, milliseconds) points.
pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) points: Vec<(f64, f64)>,
}

/// One panel: its title, the x axis, and the series.
pub(crate) struct Panel {
    pub(crate) title: String,
    pub(crate) x_label: &'static str,
    pub(crate) series: Vec<Series>,
}

// Colour-blind-safe (Okabe–Ito), ours first.
const COLOURS: [RGBColor; 5] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
];

/// Writes the panels side by side, both axes logarithmic.
///
/// # Errors
/// The drawing's, as text.
pub(crate) fn write(path: &Path, caption: &str, panels: &[Panel]) -> Result<(), String> {
    let width = 560 * u32::try_from(panels.len()).unwrap_or(1);
    let root = SVGBackend::new(path, (width, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let root = root
        .titled(caption, ("sans-serif", 16))
        .map_err(|e| e.to_string())?;
    let areas = root.split_evenly((1, panels.len()));
    for (area, panel) in areas.iter().zip(panels) {
        draw(area, panel).map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let points = || panel.series.iter().flat_map(|s| s.points.iter());
    let (x_min, x_max) = bounds(points().map(|p| p.0));
    let (y_min, y_max) = bounds(points().map(|p| p.1));
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 15))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (x_min * 0.8..x_max * 1.25).log_scale(),
            (y_min * 0.7..y_max * 1.5).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc(panel.x_label)
        .y_desc("cold load, ms (median)")
        .draw()?;
    for (series, colour) in panel.series.iter().zip(COLOURS.iter().cycle()) {
        let style = colour.stroke_width(2);
        chart
            .draw_series(LineSeries::new(series.points.iter().copied(), style))?
            .label(series.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        chart.draw_series(
            series
                .points
                .iter()
                .map(|&p| Circle::new(p, 3, colour.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 11))
        .draw()
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
}
