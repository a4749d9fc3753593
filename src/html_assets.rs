//! The fixed parts of the HTML files k2check writes, kept as assets beside the code
//! (`assets/html/`) and built in: one palette for the report and `docs`, each page's own
//! style, and the report's script.

/// The colours, light and dark: both pages start their style with it.
pub const PALETTE: &str = include_str!("../assets/html/palette.css");

/// The run report's style (after the palette).
pub const REPORT_STYLE: &str = include_str!("../assets/html/report.css");

/// The run report's script: filters, expand and collapse.
pub const REPORT_SCRIPT: &str = include_str!("../assets/html/report.js");

/// The docs' style (after the palette).
pub const DOCS_STYLE: &str = include_str!("../assets/html/docs.css");
