//! The job queue: scan jobs go READY -> RUNNING -> FINISHED/FAILED/CANCELLED, one at a time,
//! and only the last ten finished jobs stay visible (Stash's "graveyard").

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use super::Id;

/// How many finished jobs `findJob` still sees.
pub(crate) const GRAVEYARD_SIZE: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobStatus {
    Ready,
    Running,
    Finished,
    Cancelled,
    Failed,
}

impl JobStatus {
    pub fn as_graphql(self) -> &'static str {
        match self {
            Self::Ready => "READY",
            Self::Running => "RUNNING",
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
            progress: None,
            add_time: super::now(),
            start_time: None,
            end_time: None,
            error: None,
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

    pub fn start(&mut self, id: Id) -> Option<Job> {
        let job = self.active.get_mut(&id)?;
        job.status = JobStatus::Running;
        job.progress = Some(0.0);
        job.start_time = Some(super::now());
        Some(job.clone())
    }

    pub fn finish(&mut self, id: Id, status: JobStatus, error: Option<String>) {
        let Some(mut job) = self.active.remove(&id) else {
            return;
        };
        job.status = status;
        job.error = error;
        if status == JobStatus::Finished {
            job.progress = Some(1.0);
        }
        job.end_time = Some(super::now());
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
}
