package web

import (
	"time"

	"github.com/labstack/echo/v4"

	"chengxin/publicity"
	"chengxin/scoring"
	"chengxin/views"
)

// The wording of a vendor's publicity.Headline, shared by every page,
// list row, badge and sticker so that they say the same thing.

// headlineView is a profile's headline card.
func headlineView(c echo.Context, h publicity.Headline) views.PubHeadline {
	v := views.PubHeadline{Grade: h.Grade, Provisional: h.Provisional}
	if !h.HasGrade() {
		return v
	}
	v.GradeLabel, v.Meaning, v.Score = tr(c, "grade."+h.Grade), tr(c, "pub.meaning."+h.Grade), headlineScore(h)
	v.Note, v.NoteTestID = noteSentence(c, h), "grade-note"
	if h.Override != nil {
		v.NoteTestID = "override"
	}
	fact := func(key, value, id string) {
		v.Facts = append(v.Facts, views.PubFact{Label: tr(c, key), Value: value, TestID: id})
	}
	switch {
	case h.Provisional:
		fact("pub.profile.as_of", localDate(h.EvaluatedAt), "headline-evaluated-on")
		fact("pub.profile.rules", h.RulesVersion, "headline-rules")
	default:
		if h.PublishedAt != nil {
			fact("pubx.published_on", localDate(h.PublishedAt), "headline-published-on")
		}
		switch {
		case h.Override != nil:
			fact("pubx.override_set_on", localDate(&h.Override.SetAt), "override-set-on")
		case h.GradeSince != nil && localDate(h.GradeSince) != localDate(h.PublishedAt):
			fact("pubcore.grade_since", localDate(h.GradeSince), "headline-grade-since")
		}
		if h.RulesVersion != "" {
			fact("pub.profile.rules", h.RulesVersion, "headline-rules")
		}
	}
	if p := h.Pending; p != nil {
		v.Pending = tr(c, "pubx.pending", p.Grade, localDate(&p.PublicAfter))
		if p.UnderObjection {
			v.Pending = tr(c, "pubx.pending_objected", p.Grade)
		}
	}
	return v
}

// headlineScore is the headline's score as shown, "" without one.
func headlineScore(h publicity.Headline) string {
	if h.Score == nil {
		return ""
	}
	return publicity.FormatScore(*h.Score)
}

// noteSentence says in one sentence why the grade in force is not the one
// the score alone gives ("" when it is): an override says who set it,
// until when and why.
func noteSentence(c echo.Context, h publicity.Headline) string {
	switch h.Note {
	case "":
		return ""
	case scoring.NoteOverride:
		o := h.Override
		return tr(c, "pubx.override", o.Grade, localDate(&o.Until), o.Reason)
	}
	return tr(c, "pubcore.note."+h.Note)
}

// localDate is an instant's date in Tianjin, "" for nil.
func localDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return dateText(*t)
}

// setHitGrade puts a vendor's headline on a list row: grade, score and a
// marker when the grade is an override or only an evaluation.
func setHitGrade(c echo.Context, r *views.PubHit, h publicity.Headline) {
	r.Grade, r.GradeLabel, r.Score, r.Date = h.Grade, tr(c, "grade."+h.Grade), headlineScore(h), localDate(h.PublishedAt)
	switch {
	case h.Override != nil:
		r.Note = tr(c, "pub.hit.override")
	case h.Provisional:
		r.Note, r.Unpublished = tr(c, "pub.hit.unpublished"), true
	}
}

// badgeText is what the badge says: the grade with its score, and the
// publication (or override, or evaluation) it stands on.
func badgeText(c echo.Context, h publicity.Headline) (grade, gradeText, line2 string) {
	if !h.HasGrade() {
		return "", tr(c, "pub.grade.none"), tr(c, "pub.badge.site")
	}
	grade, gradeText = h.Grade, tr(c, "grade."+h.Grade)
	if s := headlineScore(h); s != "" {
		gradeText += " · " + tr(c, "pub.score_short", s)
	}
	switch {
	case h.Override != nil:
		line2 = tr(c, "pub.badge.line2_override", localDate(&h.Override.SetAt))
	case h.Provisional:
		line2 = tr(c, "pub.badge.line2", localDate(h.EvaluatedAt))
	default:
		line2 = tr(c, "pub.badge.line2_published", localDate(h.PublishedAt))
	}
	return grade, gradeText, line2
}

// stickerGrade fills a sticker from a headline.
func stickerGrade(c echo.Context, sv *views.PubStickerView, h publicity.Headline) {
	if !h.HasGrade() {
		return
	}
	sv.Evaluated, sv.Published, sv.Override = true, h.Published(), h.Override != nil
	sv.Grade, sv.GradeLabel, sv.Score = h.Grade, tr(c, "grade."+h.Grade), headlineScore(h)
	if h.Provisional {
		sv.AsOf = localDate(h.EvaluatedAt)
	} else {
		sv.AsOf = localDate(h.PublishedAt)
	}
	if h.Override != nil {
		sv.OverrideSetOn = localDate(&h.Override.SetAt)
	}
}
