//! File listing under a folder. Stash v0.30.1 files have no reverse owner fields, so the
//! listing pages through scenes, then images, whose files lie under the folder (anchored,
//! escaped path regex; `sort: "id"` with keyset bounds for stable paging), selecting only ids
//! and files, and returns each file with its owners. Paths are re-checked client-side.

use std::collections::HashMap;

use cynic::QueryBuilder;
use domain::ids::{ImageId, SceneId};
use domain::ports::MediaServerError;
use domain::stash::{FileCursor, FileOwner, FilePage, StashFile};

use crate::client::StashClient;
use crate::convert;
use crate::keys::{is_under, under_folder_regex};
use crate::ops::fragments::VisualFile;
use crate::ops::inputs::{
    CriterionModifier, FindFilterType, ImageFilterType, IntCriterionInput, SceneFilterType,
    StringCriterionInput,
};
use crate::ops::queries::{
    ImageFilesVariables, ListImageFiles, ListSceneFiles, SceneFilesVariables,
};
use crate::transport::Safety;

/// Which objects a listing is walking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Scenes,
    Images,
}

/// Where a listing continues: a phase and either the last id seen (keyset) or a page number
/// (for servers whose ids are not numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Position {
    phase: Phase,
    after: Bound,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Bound {
    Start,
    AfterId(i32),
    Page(i32),
}

impl Position {
    fn start(phase: Phase) -> Self {
        Self {
            phase,
            after: Bound::Start,
        }
    }

    fn encode(&self) -> FileCursor {
        let p = match self.phase {
            Phase::Scenes => "scenes",
            Phase::Images => "images",
        };
        FileCursor(match self.after {
            Bound::Start => format!("{p}:start"),
            Bound::AfterId(id) => format!("{p}:after:{id}"),
            Bound::Page(n) => format!("{p}:page:{n}"),
        })
    }

    fn decode(cursor: &FileCursor) -> Result<Self, MediaServerError> {
        let bad = || MediaServerError::Decode {
            operation: "list_files".into(),
            message: format!(
                "'{}' is not a file cursor this adapter made: start the listing again without a cursor",
                cursor.0
            ),
        };
        let mut parts = cursor.0.split(':');
        let phase = match parts.next() {
            Some("scenes") => Phase::Scenes,
            Some("images") => Phase::Images,
            _ => return Err(bad()),
        };
        let after = match (parts.next(), parts.next()) {
            (Some("start"), None) => Bound::Start,
            (Some("after"), Some(n)) => Bound::AfterId(n.parse().map_err(|_| bad())?),
            (Some("page"), Some(n)) => Bound::Page(n.parse().map_err(|_| bad())?),
            _ => return Err(bad()),
        };
        Ok(Self { phase, after })
    }

    /// The id criterion and paging for this position.
    fn query(&self, page_size: i32) -> (Option<IntCriterionInput>, FindFilterType) {
        match self.after {
            Bound::Start => (None, FindFilterType::first_by_id(page_size)),
            Bound::AfterId(id) => (
                Some(IntCriterionInput {
                    value: id,
                    modifier: CriterionModifier::GreaterThan,
                }),
                FindFilterType::first_by_id(page_size),
            ),
            Bound::Page(n) => (
                None,
                FindFilterType {
                    page: Some(n),
                    ..FindFilterType::first_by_id(page_size)
                },
            ),
        }
    }

    /// The position after a full page whose last object had `last_id`.
    fn next(&self, last_id: &str) -> Self {
        let after = match (&self.after, last_id.parse::<i32>()) {
            (Bound::Page(n), _) => Bound::Page(n + 1),
            (_, Ok(id)) => Bound::AfterId(id),
            (Bound::Start, Err(_)) => Bound::Page(2),
            (Bound::AfterId(_), Err(_)) => Bound::Page(2),
        };
        Self {
            phase: self.phase,
            after,
        }
    }
}

/// Files of one page, merged by file id (a file may have several owners).
#[derive(Default)]
struct Collected {
    files: Vec<StashFile>,
    index: HashMap<String, usize>,
}

impl Collected {
    fn add(&mut self, file: StashFile) {
        if let Some(&i) = self.index.get(file.id.as_str()) {
            for owner in file.owners {
                if !self.files[i].owners.contains(&owner) {
                    self.files[i].owners.push(owner);
                }
            }
        } else {
            self.index
                .insert(file.id.as_str().to_owned(), self.files.len());
            self.files.push(file);
        }
    }
}

impl StashClient {
    /// One `findScenes` page of files under `prefix/`: how many scenes it held and the last id.
    async fn scene_files(
        &self,
        id_bound: Option<IntCriterionInput>,
        filter: FindFilterType,
        regex: &str,
        prefix: &str,
        out: &mut Collected,
    ) -> Result<(usize, Option<String>), MediaServerError> {
        let vars = SceneFilesVariables {
            scene_filter: SceneFilterType {
                id: id_bound,
                path: Some(StringCriterionInput::regex(regex.to_owned())),
            },
            filter,
        };
        let page = self
            .transport
            .run(ListSceneFiles::build(vars), Safety::Idempotent)
            .await?;
        let scenes = page.find_scenes.scenes;
        let last = scenes.last().map(|s| s.id.inner().to_owned());
        for s in &scenes {
            let scene_id = SceneId::new(s.id.inner());
            for (i, f) in s.files.iter().enumerate() {
                if is_under(&f.path, prefix) {
                    out.add(convert::video_file(
                        f,
                        vec![FileOwner::Scene {
                            id: scene_id.clone(),
                            primary: i == 0,
                        }],
                    ));
                }
            }
        }
        Ok((scenes.len(), last))
    }

    /// One `findImages` page of files under `prefix/`: how many images it held and the last id.
    async fn image_files(
        &self,
        id_bound: Option<IntCriterionInput>,
        filter: FindFilterType,
        regex: &str,
        prefix: &str,
        out: &mut Collected,
    ) -> Result<(usize, Option<String>), MediaServerError> {
        let vars = ImageFilesVariables {
            image_filter: ImageFilterType {
                id: id_bound,
                path: Some(StringCriterionInput::regex(regex.to_owned())),
                galleries: None,
            },
            filter,
        };
        let page = self
            .transport
            .run(ListImageFiles::build(vars), Safety::Idempotent)
            .await?;
        let images = page.find_images.images;
        let last = images.last().map(|s| s.id.inner().to_owned());
        for img in &images {
            let image_id = ImageId::new(img.id.inner());
            for f in &img.visual_files {
                let path = match f {
                    VisualFile::VideoFile(v) => &v.path,
                    VisualFile::ImageFile(i) => &i.path,
                    VisualFile::Unknown => continue,
                };
                if is_under(path, prefix)
                    && let Some(file) =
                        convert::visual_file(f, vec![FileOwner::Image(image_id.clone())])
                {
                    out.add(file);
                }
            }
        }
        Ok((images.len(), last))
    }

    /// One page of files under `prefix/`.
    pub(crate) async fn list_files_impl(
        &self,
        prefix: &str,
        cursor: Option<FileCursor>,
    ) -> Result<FilePage, MediaServerError> {
        let mut position = match &cursor {
            Some(c) => Position::decode(c)?,
            None => Position::start(Phase::Scenes),
        };
        let page_size = i32::try_from(self.limits.page_size).unwrap_or(i32::MAX);
        let regex = under_folder_regex(prefix);
        let mut collected = Collected::default();
        loop {
            let (id_bound, filter) = position.query(page_size);
            let (count, last_id) = match position.phase {
                Phase::Scenes => {
                    self.scene_files(id_bound, filter, &regex, prefix, &mut collected)
                        .await?
                }
                Phase::Images => {
                    self.image_files(id_bound, filter, &regex, prefix, &mut collected)
                        .await?
                }
            };
            let full = i32::try_from(count).unwrap_or(i32::MAX) >= page_size;
            match (full, last_id, position.phase) {
                (true, Some(last), _) => {
                    return Ok(FilePage {
                        files: collected.files,
                        next: Some(position.next(&last).encode()),
                    });
                }
                (_, _, Phase::Scenes) => {
                    // Scenes are done; images continue in this call unless the page is
                    // already full enough to hand back.
                    position = Position::start(Phase::Images);
                    if collected.files.len() >= self.limits.page_size {
                        return Ok(FilePage {
                            files: collected.files,
                            next: Some(position.encode()),
                        });
                    }
                }
                (_, _, Phase::Images) => {
                    return Ok(FilePage {
                        files: collected.files,
                        next: None,
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for p in [
            Position::start(Phase::Scenes),
            Position {
                phase: Phase::Images,
                after: Bound::AfterId(42),
            },
            Position {
                phase: Phase::Scenes,
                after: Bound::Page(3),
            },
        ] {
            assert_eq!(Position::decode(&p.encode()).unwrap(), p);
        }
        assert!(Position::decode(&FileCursor("films:start".into())).is_err());
        assert!(Position::decode(&FileCursor("scenes:after:x".into())).is_err());
    }

    #[test]
    fn numeric_ids_page_by_keyset_others_by_page() {
        let p = Position::start(Phase::Scenes);
        assert_eq!(p.next("17").after, Bound::AfterId(17));
        assert_eq!(p.next("abc").after, Bound::Page(2));
        let paged = Position {
            phase: Phase::Scenes,
            after: Bound::Page(2),
        };
        assert_eq!(paged.next("99").after, Bound::Page(3));
    }
}
