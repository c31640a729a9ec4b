//! Fuzzes the media-id parser of downloaded file names (`..._id_<N>.ext`,
//! `..._preview_id_<N>.ext`): any text, valid UTF-8 or not, must parse or be refused without a
//! panic, and a parsed id must really appear in the name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sync_core::filename::parse_filename_id;

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data);
    if let Some(found) = parse_filename_id(&name) {
        let marker = if found.preview {
            format!("_preview_id_{}", found.id)
        } else {
            format!("_id_{}", found.id)
        };
        assert!(
            name.contains(&marker) || name.contains(&format!("_id_{}", found.id)),
            "parsed {found:?} from {name:?}"
        );
        assert!(found.id >= 0);
    }
});
