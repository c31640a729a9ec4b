//! Per-key single flight: two tasks resolving the same natural key (a tag name, a performer)
//! in one process take turns, so the second finds what the first created instead of creating
//! a duplicate.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::OwnedMutexGuard;

/// Async locks by key, created on demand and dropped when nobody holds them.
#[derive(Debug, Default)]
pub(crate) struct KeyLocks {
    locks: Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>,
}

impl KeyLocks {
    /// Locks every key (in sorted order, so two callers never deadlock); held until the guards drop.
    pub(crate) async fn lock_all(
        &self,
        keys: impl IntoIterator<Item = String>,
    ) -> Vec<OwnedMutexGuard<()>> {
        let keys: BTreeSet<String> = keys.into_iter().collect();
        let mutexes: Vec<Arc<tokio::sync::Mutex<()>>> = {
            let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, w| w.strong_count() > 0);
            keys.into_iter()
                .map(|k| {
                    if let Some(m) = map.get(&k).and_then(Weak::upgrade) {
                        m
                    } else {
                        let m = Arc::new(tokio::sync::Mutex::new(()));
                        map.insert(k, Arc::downgrade(&m));
                        m
                    }
                })
                .collect()
        };
        let mut guards = Vec::with_capacity(mutexes.len());
        for m in mutexes {
            guards.push(m.lock_owned().await);
        }
        guards
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn the_same_key_is_held_by_one_task_at_a_time() {
        let locks = Arc::new(KeyLocks::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let g = locks.lock_all(["tag:a".to_owned()]).await;
        let (l2, o2) = (locks.clone(), order.clone());
        let waiter = tokio::spawn(async move {
            let _g = l2.lock_all(["tag:b".to_owned(), "tag:a".to_owned()]).await;
            o2.lock().unwrap().push("second");
        });
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        order.lock().unwrap().push("first");
        drop(g);
        waiter.await.unwrap();
        assert_eq!(*order.lock().unwrap(), vec!["first", "second"]);
    }
}
