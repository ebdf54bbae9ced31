//! Keyset pagination: rows come in id order, a page asks for the rows after an id.

/// A request for one page: the rows whose id is greater than `after`, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<i64>,
    pub limit: i64,
}

impl PageRequest {
    /// The id to start after (ids start at 1).
    pub fn after_id(&self) -> i64 {
        self.after.unwrap_or(0)
    }

    /// How many rows to fetch: one more than the page holds, to learn whether more exist.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Cuts the rows fetched with [`PageRequest::fetch_limit`] to a page.
    pub fn finish<T>(&self, mut rows: Vec<T>, id_of: impl Fn(&T) -> i64) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(0);
        let next_after = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(&id_of)
        } else {
            None
        };
        Page {
            items: rows,
            next_after,
        }
    }
}

/// One page of rows, and the id to continue after when more exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_after: Option<i64>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_after: self.next_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_page_points_at_its_last_row() {
        let req = PageRequest {
            after: None,
            limit: 2,
        };
        let page = req.finish(vec![1, 2, 3], |x| *x);
        assert_eq!(page.items, [1, 2]);
        assert_eq!(page.next_after, Some(2));
    }

    #[test]
    fn the_last_page_has_no_continuation() {
        let req = PageRequest {
            after: Some(2),
            limit: 2,
        };
        let page = req.finish(vec![3, 4], |x| *x);
        assert_eq!(page.items, [3, 4]);
        assert_eq!(page.next_after, None);
    }
}
