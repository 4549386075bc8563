//! Integration tests over real HTTP on 127.0.0.1: each test starts its own sandbox on a free port.
//! One binary with modules keeps link time down on small machines.

mod common;

mod attacks;
mod bad_input;
mod binary;
mod browser;
mod card_fields;
mod demo_and_challenge;
mod details;
mod faults;
mod fuzz;
mod idempotency;
mod lifecycle;
mod merchant;
mod money;
mod openapi;
mod records;
mod retention;

mod schema;
mod sdk_contract;
mod setup_intents;
mod static_files;
mod stream;
mod webhooks;
