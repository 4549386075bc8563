//! The browser shell: everything that touches JS lives here, and only here. It carries out the core flow's
//! effects (fetch, timers, the page's `refreshToken`, events) and feeds the results back as inputs.

pub mod api;
mod driver;
mod fetch;
