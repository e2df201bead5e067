package web

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"chengxin/registry"
	"chengxin/views"
)

// complaintsPerPage is how many complaints a console vendor page lists at a time.
const complaintsPerPage = 20

// publicGradeBox is what the public sees of the vendor's grade, for the
// regulator's vendor page: the grade in force with its score and date, an
// override, a pending downgrade with its objection, and the public page.
func (s *Server) publicGradeBox(c echo.Context, ven registry.Vendor) (views.PublicGradeBox, error) {
	pub, err := s.db.FindPublished(c.Request().Context(), ven.ID)
	if err != nil {
		return views.PublicGradeBox{}, err
	}
	b := views.PublicGradeBox{Grade: pub.Grade, PublicURL: "/vendors/" + ven.USCC, Line: tr(c, "vgrade.not_published")}
	switch {
	case pub.Grade == "N":
		b.Line = tr(c, "vgrade.published_n", dateText(pub.PublishedAt))
	case pub.Grade != "":
		b.Line = tr(c, "vgrade.published", pub.Grade, fmt.Sprintf("%.1f", pub.Score), dateText(pub.PublishedAt))
	}
	if o := pub.Override; o != nil {
		b.Grade, b.Override = o.Grade, tr(c, "override.current", o.Grade, dateText(o.Until), o.Reason)
	}
	if p := pub.Pending; p != nil {
		b.Pending = tr(c, "vgrade.pending", p.Grade, minuteText(p.PublicAfter))
		if p.ObjectedAt != nil {
			b.Objected = tr(c, "vgrade.pending_objected", dateText(*p.ObjectedAt))
		}
	}
	return b, nil
}

// complaintList is one page of the vendor's complaints with their private
// text (the query parameter cpage picks the page).
func (s *Server) complaintList(c echo.Context, ven registry.Vendor) (views.ComplaintList, error) {
	page, _ := strconv.Atoi(c.QueryParam("cpage"))
	page = max(page, 1)
	cs, total, err := s.db.ComplaintsOfVendor(c.Request().Context(), ven.ID, page, complaintsPerPage)
	if err != nil {
		return views.ComplaintList{}, err
	}
	l := views.ComplaintList{Total: total, Pager: pagerParam(c, "/console/vendors/"+ven.USCC, "cpage", "complaints", total, page, complaintsPerPage)}
	for _, k := range cs {
		row := views.ComplaintRow{WorkOrderNo: k.WorkOrderNo, Received: minuteText(k.ReceivedAt), Channel: tr(c, "channel."+k.Channel),
			Category: categoryNames([]string{k.Category}, lang(c)), Severity: tr(c, "severity."+k.Severity),
			Deadline: minuteText(k.DeadlineAt), Summary: k.Summary, Open: k.Status != "closed"}
		if k.ServiceOrderNo != "" {
			row.ServiceOrder = tr(c, "vcomplaints.service_order", k.ServiceOrderNo)
		}
		if row.Open {
			row.Result = tr(c, "complaint_status.open")
		} else {
			row.Result = tr(c, "outcome."+k.Outcome)
			if k.ClosedAt != nil {
				row.Note = tr(c, "vcomplaints.closed_on", dateText(*k.ClosedAt))
				if k.ClosedAt.After(k.DeadlineAt) {
					late := tr(c, "vcomplaints.late")
					if k.LateExcused {
						late = tr(c, "vcomplaints.late_excused")
					}
					row.Note += tr(c, "pub.list_sep") + late
				}
			}
		}
		l.Rows = append(l.Rows, row)
	}
	return l, nil
}

// pagerParam builds previous/next links for a list on a page that has
// other lists: only its own page parameter changes, and the links jump to
// the list's anchor.
func pagerParam(c echo.Context, path, param, anchor string, total, page, perPage int) views.Pager {
	pages := max(1, (total+perPage-1)/perPage)
	p := views.Pager{Total: total, PageNo: page, Pages: pages}
	link := func(n int) string {
		q := url.Values{}
		if l := c.QueryParam("lang"); l != "" {
			q.Set("lang", l)
		}
		q.Set(param, strconv.Itoa(n))
		return path + "?" + q.Encode() + "#" + anchor
	}
	if page > 1 {
		p.PrevURL = link(min(page-1, pages))
	}
	if page < pages {
		p.NextURL = link(page + 1)
	}
	return p
}
