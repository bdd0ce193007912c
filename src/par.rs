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
pub(crate) const SMALL: usize = 32 << 10;

/// `items.map(f)`, in order; on every core unless the work (`bytes` of input) is small.
pub(crate) fn map<T: Sync, R: Send>(
    items: &[T],
    bytes: usize,
    f: impl Fn(&T) -> R + Sync + Send,
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
        while self.pending > 0 {
            out.extend(self.take());
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
