//! Data parallelism that starts no thread for small work, and one long-lived pool for the rest.
//!
//! A run over one Deployment must not pay for a thread pool it has no use for: starting rayon's
//! workers costs more than the whole engine does on a few kilobytes. Larger work runs on rayon's
//! pool, started once; the overlap of reading, rendering and writing ([`Overlap`]) keeps one
//! worker thread per pass.

use std::panic::resume_unwind;
use std::sync::mpsc;

use rayon::prelude::*;

/// Below this many bytes of input, work is done on the calling thread.
const SMALL: usize = 32 << 10;

/// `items.map(f)`, in order; on every core unless the work (`bytes` of input) is small. The
/// results may borrow from the items.
pub(crate) fn map<'a, T: Sync, R: Send>(
    items: &'a [T],
    bytes: usize,
    f: impl Fn(&'a T) -> R + Sync + Send,
) -> Vec<R> {
    if bytes < SMALL || items.len() < 2 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// [`map`] over owned items.
pub(crate) fn map_owned<T: Send, R: Send>(
    items: Vec<T>,
    bytes: usize,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    if bytes < SMALL || items.len() < 2 {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().map(f).collect()
    }
}

/// One batch of work at a time on a worker thread, while the caller prepares the next: the
/// result of the previous batch comes back when the next one is handed over. The worker is
/// started with the first batch that has one to overlap with, and serves every later batch of
/// the pass (a run of 10,000 resources started 17 threads, one per batch, each with its own
/// allocator heap to fill).
pub(crate) struct Overlap<'scope, B, T> {
    worker: Option<Worker<'scope, B, T>>,
    /// Batches handed over whose results were not taken yet (0 or 1 between calls).
    pending: usize,
}

struct Worker<'scope, B, T> {
    jobs: mpsc::Sender<Vec<B>>,
    results: mpsc::Receiver<T>,
    handle: std::thread::ScopedJoinHandle<'scope, ()>,
}

impl<B, T> Default for Overlap<'_, B, T> {
    fn default() -> Self {
        Overlap {
            worker: None,
            pending: 0,
        }
    }
}

impl<'scope, B: Send + 'scope, T: Send + 'scope> Overlap<'scope, B, T> {
    /// Starts `work` on a batch (unless it is empty) and returns what the batch before it gave.
    pub(crate) fn push<'env, F: Fn(Vec<B>) -> T + Sync + 'scope>(
        &mut self,
        scope: &'scope std::thread::Scope<'scope, 'env>,
        batch: Vec<B>,
        work: &'scope F,
    ) -> Option<T> {
        if batch.is_empty() {
            return self.take();
        }
        let worker = self.worker.get_or_insert_with(|| {
            let (jobs, inbox) = mpsc::channel::<Vec<B>>();
            let (outbox, results) = mpsc::channel();
            let handle = scope.spawn(move || {
                for batch in inbox {
                    if outbox.send(work(batch)).is_err() {
                        return;
                    }
                }
            });
            Worker {
                jobs,
                results,
                handle,
            }
        });
        if worker.jobs.send(batch).is_err() {
            // The worker is gone: only after a panic, which `take` passes on.
            return self.take();
        }
        self.pending += 1;
        if self.pending > 1 { self.take() } else { None }
    }

    /// The last batch, and what every batch before it gave, in order. With nothing to overlap it
    /// with, it is worked on the caller's thread: an input that fits in one batch starts no
    /// thread.
    pub(crate) fn push_last<'env, F: Fn(Vec<B>) -> T + Sync + 'scope>(
        &mut self,
        scope: &'scope std::thread::Scope<'scope, 'env>,
        batch: Vec<B>,
        work: &'scope F,
    ) -> Vec<T> {
        if self.worker.is_none() {
            return match batch.is_empty() {
                true => Vec::new(),
                false => vec![work(batch)],
            };
        }
        let mut out: Vec<T> = self.push(scope, batch, work).into_iter().collect();
        while let Some(t) = self.take() {
            out.push(t);
        }
        out
    }

    /// The result of the oldest batch handed over.
    fn take(&mut self) -> Option<T> {
        if self.pending == 0 {
            return None;
        }
        let worker = self.worker.as_ref()?;
        match worker.results.recv() {
            Ok(t) => {
                self.pending -= 1;
                Some(t)
            }
            // The worker stopped without an answer: it panicked; the panic goes on here.
            Err(_) => {
                let Worker { jobs, handle, .. } = self.worker.take()?;
                drop(jobs);
                match handle.join() {
                    Err(panic) => resume_unwind(panic),
                    Ok(()) => resume_unwind(Box::new("a worker thread stopped")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every batch is worked once and the results come back in the order of the batches, however
    /// many there are; one batch alone is worked on the caller's thread.
    #[test]
    fn overlap_keeps_the_order_and_works_one_batch_in_place() {
        let caller = std::thread::current().id();
        for n in 0..6 {
            let work = |b: Vec<usize>| (b[0], std::thread::current().id());
            let got: Vec<(usize, std::thread::ThreadId)> = std::thread::scope(|scope| {
                let mut o = Overlap::default();
                let mut got = Vec::new();
                for i in 0..n {
                    got.extend(o.push(scope, vec![i], &work));
                }
                got.extend(o.push_last(scope, vec![n], &work));
                got
            });
            let order: Vec<usize> = got.iter().map(|(i, _)| *i).collect();
            assert_eq!(
                order,
                (0..=n).collect::<Vec<_>>(),
                "{n} batches before the last"
            );
            if n == 0 {
                assert_eq!(
                    got[0].1, caller,
                    "one batch is worked where it is handed over"
                );
            } else {
                assert!(got.iter().all(|(_, t)| *t != caller), "{n}: on the worker");
            }
        }
    }

    /// A panic in a batch's work goes on in the caller's thread.
    #[test]
    fn overlap_passes_a_panic_on() {
        let r = std::panic::catch_unwind(|| {
            let work = |b: Vec<usize>| {
                assert!(b[0] != 1, "batch one fails");
                b[0]
            };
            std::thread::scope(|scope| {
                let mut o = Overlap::default();
                let mut got = Vec::new();
                for i in 0..3 {
                    got.extend(o.push(scope, vec![i], &work));
                }
                got.extend(o.push_last(scope, vec![3], &work));
                got
            })
        });
        let panic = r.expect_err("the panic reaches the caller");
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(message.contains("batch one fails"), "{message:?}");
    }
}
