//! The browser shell: everything that touches JS lives here, and only here.

pub mod api;
