//! The job queue: scan jobs go READY -> RUNNING -> FINISHED/FAILED/CANCELLED, one at a time,
//! and only the last ten finished jobs stay visible (Stash's "graveyard").
//!
//! As in Stash (`pkg/job`, observed in the transcripts `m*`): a queued job has progress 0 and
//! no start or end time; a running scan's progress is `null` (indefinite) until it knows how
//! many files it has, and a scan that found none ends with `null`; `stopJob` cancels a READY
//! job at once (CANCELLED, never started, no end time), turns a RUNNING one STOPPING (it ends
//! CANCELLED), and does nothing to a finished or unknown job.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use super::Id;

/// How many finished jobs `findJob` still sees.
pub(crate) const GRAVEYARD_SIZE: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobStatus {
    Ready,
    Running,
    Stopping,
    Finished,
    Cancelled,
    Failed,
}

impl JobStatus {
    pub fn as_graphql(self) -> &'static str {
        match self {
            Self::Ready => "READY",
            Self::Running => "RUNNING",
            Self::Stopping => "STOPPING",
            Self::Finished => "FINISHED",
            Self::Cancelled => "CANCELLED",
            Self::Failed => "FAILED",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub id: Id,
    pub status: JobStatus,
    pub description: String,
    pub progress: Option<f64>,
    pub add_time: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub error: Option<String>,
    /// What a running job is at (`subTasks`), e.g. `Scanning /data/lib`.
    pub sub_task: Option<String>,
    /// Scan paths (empty: every library root).
    pub paths: Vec<PathBuf>,
}

/// What the next started job must do instead of running (armed by a fault).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JobOutcome {
    Fail(String),
    Cancel,
}

#[derive(Debug, Default)]
pub(crate) struct Jobs {
    pub next_id: Id,
    /// Queued and running jobs.
    pub active: BTreeMap<Id, Job>,
    /// The last finished jobs, oldest first.
    pub graveyard: VecDeque<Job>,
    /// Outcomes armed by faults, consumed by the next jobs that start.
    pub armed_outcomes: VecDeque<JobOutcome>,
}

impl Jobs {
    pub fn add(&mut self, description: &str, paths: Vec<PathBuf>) -> Id {
        self.next_id += 1;
        let job = Job {
            id: self.next_id,
            status: JobStatus::Ready,
            description: description.to_owned(),
            progress: Some(0.0),
            add_time: super::now(),
            start_time: None,
            end_time: None,
            error: None,
            sub_task: None,
            paths,
        };
        self.active.insert(job.id, job);
        self.next_id
    }

    pub fn find(&self, id: Id) -> Option<&Job> {
        self.active
            .get(&id)
            .or_else(|| self.graveyard.iter().find(|j| j.id == id))
    }

    /// Starts a READY job (a job cancelled while queued is gone from `active`).
    pub fn start(&mut self, id: Id) -> Option<Job> {
        let job = self.active.get_mut(&id)?;
        if job.status != JobStatus::Ready {
            return None;
        }
        job.status = JobStatus::Running;
        job.progress = None;
        job.start_time = Some(super::now());
        Some(job.clone())
    }

    /// What a running job reports while it is at `sub_task` with `progress`.
    pub fn report(&mut self, id: Id, progress: Option<f64>, sub_task: Option<String>) {
        if let Some(job) = self.active.get_mut(&id) {
            job.progress = progress;
            job.sub_task = sub_task;
        }
    }

    /// Whether `stopJob` was asked for a running job.
    pub fn stopping(&self, id: Id) -> bool {
        self.active
            .get(&id)
            .is_some_and(|j| j.status == JobStatus::Stopping)
    }

    /// `stopJob`: a READY job is cancelled at once, a RUNNING one asked to stop.
    pub fn stop(&mut self, id: Id) {
        let Some(job) = self.active.get_mut(&id) else {
            return;
        };
        match job.status {
            JobStatus::Ready => {
                job.status = JobStatus::Cancelled;
                if let Some(job) = self.active.remove(&id) {
                    self.bury(job);
                }
            }
            JobStatus::Running => job.status = JobStatus::Stopping,
            _ => {}
        }
    }

    /// Ends a started job: `status` unless it was asked to stop (then CANCELLED); a scan
    /// that got through files reports progress 1.
    pub fn finish(&mut self, id: Id, status: JobStatus, error: Option<String>) {
        let Some(mut job) = self.active.remove(&id) else {
            return;
        };
        job.status = if job.status == JobStatus::Stopping && status != JobStatus::Failed {
            JobStatus::Cancelled
        } else {
            status
        };
        job.error = error;
        job.sub_task = None;
        job.end_time = Some(super::now());
        self.bury(job);
    }

    fn bury(&mut self, job: Job) {
        self.graveyard.push_back(job);
        while self.graveyard.len() > GRAVEYARD_SIZE {
            self.graveyard.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_last_ten_finished_jobs_are_kept() {
        let mut jobs = Jobs::default();
        let ids: Vec<Id> = (0..12).map(|_| jobs.add("Scanning...", vec![])).collect();
        for id in &ids {
            jobs.start(*id);
            jobs.finish(*id, JobStatus::Finished, None);
        }
        assert!(jobs.find(ids[0]).is_none());
        assert!(jobs.find(ids[1]).is_none());
        assert_eq!(
            jobs.find(ids[2]).map(|j| j.status),
            Some(JobStatus::Finished)
        );
        assert_eq!(jobs.graveyard.len(), GRAVEYARD_SIZE);
    }

    #[test]
    fn stopping_cancels_queued_jobs_at_once_and_running_ones_when_they_end() {
        let mut jobs = Jobs::default();
        let queued = jobs.add("Scanning...", vec![]);
        assert_eq!(jobs.find(queued).and_then(|j| j.progress), Some(0.0));
        jobs.stop(queued);
        let j = jobs.find(queued).unwrap();
        assert_eq!(j.status, JobStatus::Cancelled);
        assert!(j.start_time.is_none() && j.end_time.is_none());
        assert!(jobs.start(queued).is_none(), "a cancelled job never starts");

        let running = jobs.add("Scanning...", vec![]);
        jobs.start(running);
        jobs.stop(running);
        assert!(jobs.stopping(running));
        jobs.finish(running, JobStatus::Finished, None);
        let j = jobs.find(running).unwrap();
        assert_eq!(j.status, JobStatus::Cancelled);
        assert!(j.end_time.is_some());

        let done = jobs.add("Scanning...", vec![]);
        jobs.start(done);
        jobs.finish(done, JobStatus::Finished, None);
        jobs.stop(done);
        jobs.stop(424_242);
        assert_eq!(jobs.find(done).unwrap().status, JobStatus::Finished);
    }
}
