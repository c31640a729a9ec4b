//! Before anything else: does the creator have a download folder on this machine? The
//! metadata database lists every account with posts or downloads (a mentioned account, a
//! quoted creator), most of which fansly-scraper never downloaded; asking Stash for the files
//! under a folder that does not exist costs requests on every run for nothing. An absent
//! folder ends the creator's run here (no scan, no file listing, no metadata pass); the report
//! names such creators once, with what to check. The engine does no I/O itself: it asks the
//! [`Downloads`](domain::ports::Downloads) port.

use super::run::CreatorRun;

impl CreatorRun<'_> {
    /// Whether the creator's local folder is certainly absent (then remembered for the
    /// report: the run of this creator stops here).
    pub(crate) async fn folder_absent(&mut self) -> bool {
        let opts = &self.engine.opts;
        let local = opts.local_creator_root(self.creator());
        if !self.engine.downloads.folder_absent(&local).await {
            return false;
        }
        tracing::info!(
            folder = %local,
            "no download folder for this creator here: not listing its files in Stash"
        );
        self.absent_folder = Some(local);
        true
    }
}
