//! Webhooks: the organisation's events sent to the endpoints it registered, signed per the
//! Standard Webhooks specification. [`delivery`] is the sending side: the worker every
//! instance runs, its HTTP client and the signatures.

pub mod delivery;
