//! Reading many intents (Dojo's search, with cursor paging), refunds by id, and the receipt outbox:
//! receipts the merchant asked to send are recorded for tests to read, never emailed.

use std::collections::HashSet;

use super::{Store, StoreError, StoreResult};
use crate::clock::Millis;
use crate::intent::Intent;

/// Receipts kept in the outbox (the oldest are dropped beyond it).
const OUTBOX_CAP: usize = 1_000;

/// What the merchant wrote on a refund.
#[derive(Debug, Clone, Default)]
pub struct RefundDetails {
    pub reason: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RefundRecord {
    pub payment_intent_id: String,
    pub amount: i64,
    pub currency: &'static str,
    pub reason: Option<String>,
    pub notes: Option<String>,
    pub at: Millis,
}

#[derive(Debug, Clone)]
pub struct Receipt {
    pub payment_intent_id: String,
    pub emails: Vec<String>,
    pub status: &'static str,
    pub at: Millis,
}

/// Dojo's search: statuses (wire names), a creation window, and a page (newest first).
#[derive(Debug, Clone)]
pub struct Search {
    pub statuses: Option<HashSet<String>>,
    pub start: Option<Millis>,
    pub end: Option<Millis>,
    pub limit: usize,
    pub page: Page,
}

/// Where the page starts. Cursors are `Intent::seq` values (opaque to clients).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    First,
    /// Older than this cursor (the next page).
    After(u64),
    /// Newer than this cursor (the previous page).
    Before(u64),
}

/// A page of results and the cursors around it.
pub struct Found<'a> {
    pub data: Vec<&'a Intent>,
    /// Set when newer matches exist before the first item.
    pub before: Option<u64>,
    /// Set when older matches exist after the last item.
    pub after: Option<u64>,
}

impl Search {
    fn matches(&self, i: &Intent) -> bool {
        self.statuses
            .as_ref()
            .map_or(true, |s| s.contains(i.wire_status()))
            && self.start.map_or(true, |t| i.created_at >= t)
            && self.end.map_or(true, |t| i.created_at <= t)
    }
}

impl Store {
    pub fn search(&self, q: &Search) -> Found<'_> {
        let hit = |(seq, id): (&u64, &String)| {
            self.intents
                .get(id)
                .filter(|i| q.matches(i))
                .map(|i| (*seq, i))
        };
        // Newest first: walk down from the cursor (or up, for the previous page, then flip).
        let (mut page, more_on_far_side): (Vec<(u64, &Intent)>, bool) = match q.page {
            Page::First | Page::After(_) => {
                let upper = match q.page {
                    Page::After(c) => c,
                    _ => u64::MAX,
                };
                let mut it = self.order.range(..upper).rev().filter_map(hit);
                let page: Vec<_> = it.by_ref().take(q.limit).collect();
                (page, it.next().is_some())
            }
            Page::Before(c) => {
                let mut it = self.order.range(c.saturating_add(1)..).filter_map(hit);
                let mut page: Vec<_> = it.by_ref().take(q.limit).collect();
                let more = it.next().is_some();
                page.reverse();
                (page, more)
            }
        };
        page.truncate(q.limit);
        let first = page.first().map(|(s, _)| *s);
        let last = page.last().map(|(s, _)| *s);
        let newer_exists = |s: u64| self.order.range(s + 1..).filter_map(hit).next().is_some();
        let older_exists = |s: u64| self.order.range(..s).rev().filter_map(hit).next().is_some();
        let (before, after) = match q.page {
            Page::Before(_) => (
                first.filter(|_| more_on_far_side),
                last.filter(|s| older_exists(*s)),
            ),
            _ => (
                first.filter(|s| newer_exists(*s)),
                last.filter(|_| more_on_far_side),
            ),
        };
        Found {
            data: page.into_iter().map(|(_, i)| i).collect(),
            before,
            after,
        }
    }

    pub fn refund_record(&self, refund_id: &str) -> StoreResult<&RefundRecord> {
        self.refunds
            .get(refund_id)
            .ok_or(StoreError::NotFound("the refund"))
    }

    /// Records a receipt request for the intent (never sent).
    pub fn record_receipt(
        &mut self,
        id: &str,
        emails: Vec<String>,
        now: Millis,
    ) -> StoreResult<()> {
        let status = self.get(id)?.wire_status();
        self.outbox.push_back(Receipt {
            payment_intent_id: id.to_string(),
            emails,
            status,
            at: now,
        });
        while self.outbox.len() > OUTBOX_CAP {
            self.outbox.pop_front();
        }
        Ok(())
    }

    pub fn outbox(&self) -> impl Iterator<Item = &Receipt> {
        self.outbox.iter()
    }
}
