//! Whole-system tests for Lightdeck: the panel (`lightdeck::app::build`) served on a loopback
//! port, over a fresh test database, talking to cloudsim on a manual clock.
//!
//! [`TestApp::builder`] sets the world up: two teams, a user per role in the first (alice
//! owner, bob operator, carol viewer, dave admin) and an owner of the second (oscar), one
//! cloudsim account per team, and an initial inventory sync. [`TestApp::client`] gives the test
//! kit's cookie-keeping HTTP client (`lightdeck_testkit`), on a real socket, signed in as one
//! of them; [`browser`] drives headless
//! Chromium through chromedriver.
//!
//! Time only moves when a test says so ([`TestApp::advance`]): cloudsim's jobs, the panel's
//! clock and the Huawei client's request signing all read the same manual clock.

pub mod app;
pub mod browser;

pub use app::{Persona, TeamFixture, TestApp, TestAppBuilder};
pub use lightdeck_testkit::{Client, Page};
