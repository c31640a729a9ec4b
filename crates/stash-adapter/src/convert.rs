//! Conversions between the cynic wire types and the domain: server objects into domain read
//! types (fallibly: a value we cannot read is an error, never silently dropped), and domain
//! patches into update inputs (`Patch::Unchanged` absent, `Patch::Clear` null, partial dates
//! widened for servers before appSchema 75).

use domain::FuzzyDate;
use domain::ids::{FileId, GalleryId, ImageId, PerformerId, SceneId, StudioId, TagId};
use domain::ports::MediaServerError;
use domain::stash::{
    FileKind, FileOwner, Gallery, GalleryPatch, Image, Performer, Scene, StampFields, StampPatch,
    StashFile, Studio, Tag,
};

use crate::ops::fragments as wire;
use crate::ops::inputs::{GalleryUpdateInput, ImageUpdateInput, SceneUpdateInput};
use crate::schema::{Tri, TriList};

/// Reads a server date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or with a time part).
pub(crate) fn parse_date(
    raw: Option<&str>,
    what: &str,
) -> Result<Option<FuzzyDate>, MediaServerError> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let day_part = raw.get(..10).filter(|_| raw.len() > 10).unwrap_or(raw);
    day_part
        .parse::<FuzzyDate>()
        .map(Some)
        .map_err(|e| MediaServerError::Decode {
            operation: what.to_owned(),
            message: format!("unreadable date: {e}"),
        })
}

/// Writes a date for a server: partial dates need appSchema 75, older servers get the first day.
pub(crate) fn date_for_server(date: FuzzyDate, partial_dates: bool) -> String {
    match (date, partial_dates) {
        (FuzzyDate::Day(_), _) | (_, true) => date.to_string(),
        (partial, false) => partial
            .first_day()
            .map(|d| FuzzyDate::Day(d).to_string())
            .unwrap_or_else(|| partial.to_string()),
    }
}

fn id(v: &cynic::Id) -> String {
    v.inner().to_owned()
}

fn ids<T>(v: &[T], f: impl Fn(&T) -> &cynic::Id) -> Vec<String> {
    v.iter().map(|x| id(f(x))).collect()
}

/// `folder` of a file from its path and basename.
pub(crate) fn folder_of(path: &str, basename: &str) -> String {
    let folder = path
        .strip_suffix(basename)
        .map(|p| p.trim_end_matches(['/', '\\']))
        .unwrap_or_else(|| path.rsplit_once('/').map(|(f, _)| f).unwrap_or(""));
    if folder.is_empty() {
        "/".to_owned()
    } else {
        folder.to_owned()
    }
}

/// A text field of a scene, image or gallery: Stash keeps these as plain strings and reads
/// an unset one back as `""`, which is no value.
fn text(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
}

pub(crate) fn video_file(f: &wire::VideoFile, owners: Vec<FileOwner>) -> StashFile {
    StashFile {
        id: FileId::new(id(&f.id)),
        folder: folder_of(&f.path, &f.basename),
        basename: f.basename.clone(),
        kind: FileKind::Video,
        owners,
    }
}

pub(crate) fn visual_file(f: &wire::VisualFile, owners: Vec<FileOwner>) -> Option<StashFile> {
    match f {
        wire::VisualFile::VideoFile(v) => Some(video_file(v, owners)),
        wire::VisualFile::ImageFile(i) => Some(StashFile {
            id: FileId::new(id(&i.id)),
            folder: folder_of(&i.path, &i.basename),
            basename: i.basename.clone(),
            kind: FileKind::Image,
            owners,
        }),
        wire::VisualFile::Unknown => None,
    }
}

pub(crate) fn scene(s: &wire::Scene) -> Result<Scene, MediaServerError> {
    let scene_id = SceneId::new(id(&s.id));
    Ok(Scene {
        fields: StampFields {
            title: text(&s.title),
            code: text(&s.code),
            details: text(&s.details),
            date: parse_date(s.date.as_deref(), "scene date")?,
            urls: s.urls.clone(),
            organized: s.organized,
            studio_id: s.studio.as_ref().map(|x| StudioId::new(id(&x.id))),
            performer_ids: ids(&s.performers, |p| &p.id)
                .into_iter()
                .map(PerformerId::new)
                .collect(),
            tag_ids: ids(&s.tags, |t| &t.id)
                .into_iter()
                .map(TagId::new)
                .collect(),
            gallery_ids: ids(&s.galleries, |g| &g.id)
                .into_iter()
                .map(GalleryId::new)
                .collect(),
        },
        files: s
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                video_file(
                    f,
                    vec![FileOwner::Scene {
                        id: scene_id.clone(),
                        primary: i == 0,
                    }],
                )
            })
            .collect(),
        id: scene_id,
    })
}

/// An image as read. `basename_titles`: the server reads an untitled image's title back as
/// its file's basename (before v0.28): such a title is no title
/// ([`domain::stash::ServerInfo::untitled_image_reads_basename`]).
pub(crate) fn image(s: &wire::Image, basename_titles: bool) -> Result<Image, MediaServerError> {
    let image_id = ImageId::new(id(&s.id));
    let files: Vec<StashFile> = s
        .visual_files
        .iter()
        .filter_map(|f| visual_file(f, vec![FileOwner::Image(image_id.clone())]))
        .collect();
    let title =
        text(&s.title).filter(|t| !(basename_titles && files.iter().any(|f| f.basename == *t)));
    Ok(Image {
        fields: StampFields {
            title,
            code: text(&s.code),
            details: text(&s.details),
            date: parse_date(s.date.as_deref(), "image date")?,
            urls: s.urls.clone(),
            organized: s.organized,
            studio_id: s.studio.as_ref().map(|x| StudioId::new(id(&x.id))),
            performer_ids: ids(&s.performers, |p| &p.id)
                .into_iter()
                .map(PerformerId::new)
                .collect(),
            tag_ids: ids(&s.tags, |t| &t.id)
                .into_iter()
                .map(TagId::new)
                .collect(),
            gallery_ids: ids(&s.galleries, |g| &g.id)
                .into_iter()
                .map(GalleryId::new)
                .collect(),
        },
        files,
        id: image_id,
    })
}

pub(crate) fn gallery(g: &wire::Gallery) -> Result<Gallery, MediaServerError> {
    Ok(Gallery {
        id: GalleryId::new(id(&g.id)),
        title: text(&g.title),
        code: text(&g.code),
        details: text(&g.details),
        date: parse_date(g.date.as_deref(), "gallery date")?,
        urls: g.urls.clone(),
        organized: g.organized,
        studio_id: g.studio.as_ref().map(|x| StudioId::new(id(&x.id))),
        performer_ids: ids(&g.performers, |p| &p.id)
            .into_iter()
            .map(PerformerId::new)
            .collect(),
        tag_ids: ids(&g.tags, |t| &t.id)
            .into_iter()
            .map(TagId::new)
            .collect(),
        scene_ids: ids(&g.scenes, |s| &s.id)
            .into_iter()
            .map(SceneId::new)
            .collect(),
        image_count: u32::try_from(g.image_count).unwrap_or(0),
        user_created: g.files.is_empty() && g.folder.is_none(),
    })
}

pub(crate) fn performer(p: &wire::Performer) -> Performer {
    Performer {
        id: PerformerId::new(id(&p.id)),
        name: p.name.clone(),
        disambiguation: p.disambiguation.clone().filter(|d| !d.is_empty()),
        aliases: p.alias_list.clone(),
        urls: p.urls.clone().unwrap_or_default(),
        details: p.details.clone(),
    }
}

pub(crate) fn studio_with_url(s: &wire::StudioWithUrl) -> Studio {
    Studio {
        id: StudioId::new(id(&s.id)),
        name: s.name.clone(),
        aliases: s.aliases.clone(),
        urls: s.url.iter().filter(|u| !u.is_empty()).cloned().collect(),
        parent_id: s.parent_studio.as_ref().map(|p| StudioId::new(id(&p.id))),
        details: s.details.clone(),
    }
}

pub(crate) fn studio_with_urls(s: &wire::StudioWithUrls) -> Studio {
    Studio {
        id: StudioId::new(id(&s.id)),
        name: s.name.clone(),
        aliases: s.aliases.clone(),
        urls: s.urls.clone(),
        parent_id: s.parent_studio.as_ref().map(|p| StudioId::new(id(&p.id))),
        details: s.details.clone(),
    }
}

pub(crate) fn tag(t: &wire::Tag) -> Tag {
    Tag {
        id: TagId::new(id(&t.id)),
        name: t.name.clone(),
        aliases: t.aliases.clone(),
    }
}

fn tri_id<T>(p: &domain::Patch<T>, as_str: fn(&T) -> &str) -> Tri<cynic::Id> {
    Tri::from(p.as_ref().map(|v| cynic::Id::new(as_str(v))))
}

fn tri_ids<T>(p: &domain::Patch<Vec<T>>, as_str: fn(&T) -> &str) -> TriList<cynic::Id> {
    TriList::from(p.as_ref().map(|v| {
        v.iter()
            .map(|x| cynic::Id::new(as_str(x)))
            .collect::<Vec<_>>()
    }))
}

fn tri_date(p: &domain::Patch<FuzzyDate>, partial_dates: bool) -> Tri<String> {
    Tri::from(p.as_ref().map(|d| date_for_server(*d, partial_dates)))
}

/// The `scenesUpdate` element for a patch.
pub(crate) fn scene_update(p: &StampPatch<SceneId>, partial_dates: bool) -> SceneUpdateInput {
    SceneUpdateInput {
        id: cynic::Id::new(p.id.as_str()),
        title: p.title.clone().into(),
        code: p.code.clone().into(),
        details: p.details.clone().into(),
        urls: p.urls.clone().into(),
        date: tri_date(&p.date, partial_dates),
        organized: p.organized,
        studio_id: tri_id(&p.studio_id, StudioId::as_str),
        gallery_ids: tri_ids(&p.gallery_ids, GalleryId::as_str),
        performer_ids: tri_ids(&p.performer_ids, PerformerId::as_str),
        tag_ids: tri_ids(&p.tag_ids, TagId::as_str),
    }
}

/// The `imagesUpdate` element for a patch.
pub(crate) fn image_update(p: &StampPatch<ImageId>, partial_dates: bool) -> ImageUpdateInput {
    ImageUpdateInput {
        id: cynic::Id::new(p.id.as_str()),
        title: p.title.clone().into(),
        code: p.code.clone().into(),
        details: p.details.clone().into(),
        urls: p.urls.clone().into(),
        date: tri_date(&p.date, partial_dates),
        organized: p.organized,
        studio_id: tri_id(&p.studio_id, StudioId::as_str),
        gallery_ids: tri_ids(&p.gallery_ids, GalleryId::as_str),
        performer_ids: tri_ids(&p.performer_ids, PerformerId::as_str),
        tag_ids: tri_ids(&p.tag_ids, TagId::as_str),
    }
}

/// The `galleriesUpdate` element for a patch.
pub(crate) fn gallery_update(p: &GalleryPatch, partial_dates: bool) -> GalleryUpdateInput {
    GalleryUpdateInput {
        id: cynic::Id::new(p.id.as_str()),
        title: p.title.clone().filter(|t| !t.trim().is_empty()),
        code: p.code.clone().into(),
        details: p.details.clone().into(),
        urls: p.urls.clone().into(),
        date: tri_date(&p.date, partial_dates),
        organized: p.organized,
        studio_id: tri_id(&p.studio_id, StudioId::as_str),
        scene_ids: tri_ids(&p.scene_ids, SceneId::as_str),
        performer_ids: tri_ids(&p.performer_ids, PerformerId::as_str),
        tag_ids: tri_ids(&p.tag_ids, TagId::as_str),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::Patch;
    use serde_json::json;

    #[test]
    fn unchanged_fields_are_absent_and_cleared_fields_are_null() {
        let mut p = StampPatch::new(SceneId::new("5"));
        p.title = Patch::Set("T".into());
        p.details = Patch::Clear;
        p.tag_ids = Patch::Clear;
        p.performer_ids = Patch::Set(vec![PerformerId::new("3")]);
        p.studio_id = Patch::Clear;
        p.organized = Some(true);
        let v = serde_json::to_value(scene_update(&p, true)).unwrap();
        assert_eq!(
            v,
            json!({"id":"5","title":"T","details":null,"tag_ids":null,"performer_ids":["3"],
                   "studio_id":null,"organized":true})
        );
    }

    #[test]
    fn an_empty_patch_sends_only_the_id() {
        let v =
            serde_json::to_value(image_update(&StampPatch::new(ImageId::new("9")), true)).unwrap();
        assert_eq!(v, json!({"id":"9"}));
        let g = serde_json::to_value(gallery_update(
            &GalleryPatch::new(GalleryId::new("2")),
            true,
        ))
        .unwrap();
        assert_eq!(g, json!({"id":"2"}));
    }

    #[test]
    fn gallery_titles_are_never_null_or_empty() {
        let mut p = GalleryPatch::new(GalleryId::new("2"));
        p.title = Some("  ".into());
        p.code = Patch::Clear;
        p.urls = Patch::Set(vec![]);
        let v = serde_json::to_value(gallery_update(&p, true)).unwrap();
        assert_eq!(v, json!({"id":"2","code":null,"urls":[]}));
    }

    #[test]
    fn partial_dates_are_widened_for_old_servers() {
        let mut p = StampPatch::new(SceneId::new("1"));
        p.date = Patch::Set(FuzzyDate::Month(2024, 5));
        let new = serde_json::to_value(scene_update(&p, true)).unwrap();
        let old = serde_json::to_value(scene_update(&p, false)).unwrap();
        assert_eq!(new["date"], "2024-05");
        assert_eq!(old["date"], "2024-05-01");
        p.date = Patch::Clear;
        assert_eq!(
            serde_json::to_value(scene_update(&p, false)).unwrap()["date"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn server_dates_are_read_at_their_precision() {
        assert_eq!(
            parse_date(Some("2024"), "d").unwrap(),
            Some(FuzzyDate::Year(2024))
        );
        assert_eq!(
            parse_date(Some("2024-05-06 10:00:00"), "d").unwrap(),
            Some(FuzzyDate::Day(NaiveDate::from_ymd_opt(2024, 5, 6).unwrap()))
        );
        assert_eq!(parse_date(Some(""), "d").unwrap(), None);
        assert!(parse_date(Some("yesterday"), "d").is_err());
    }

    #[test]
    fn folders_come_from_path_and_basename() {
        assert_eq!(folder_of("/data/a/b.mp4", "b.mp4"), "/data/a");
        assert_eq!(folder_of("/b.mp4", "b.mp4"), "/");
    }
}
