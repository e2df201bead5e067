package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestMembershipInvitationPrivateUntilAccepted: an association adds an
// already registered vendor on a phone and on a desktop; the public
// profile and the organisation page do not show the membership until the
// vendor accepts the invitation in its console, then both show it.
func TestMembershipInvitationPrivateUntilAccepted(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			v := f.vendors[0] // has the vendor login "ven"
			ctx := f.browser(width)
			profile, orgPage := "/vendors/"+v.USCC, "/orgs/"+f.org.USCC

			f.login(ctx, "assoc")
			f.run(ctx, "add form",
				chromedp.Navigate(f.srv.URL+"/console/members/new"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=vendor-form]`)),
				chromedp.SendKeys(chromedp.CSS(`[data-testid=field-uscc]`), v.USCC),
				chromedp.SendKeys(chromedp.CSS(`[data-testid=field-name]`), v.Name),
			)
			f.submit(ctx, "add", chromedp.Click(chromedp.CSS(`[data-testid=vendor-submit]`)))
			f.run(ctx, "invited", chromedp.WaitVisible(chromedp.CSS(`[data-testid=member-withdraw]`)))
			if got := f.text(ctx, `[data-testid=flash]`); !strings.Contains(got, "已向其发出入会邀请") {
				t.Errorf("flash = %q", got)
			}
			if got := f.text(ctx, `[data-testid=member-status]`); got != "已邀请，待商户同意" {
				t.Errorf("member status = %q", got)
			}
			f.noHorizontalScroll(ctx, "members invited")
			f.checkAxe(ctx, "members invited")
			f.screenshot(ctx, "members-invited")

			// The public sees nothing yet.
			if got := f.publicText(ctx, "profile before", profile, `[data-testid=profile-memberships]`); strings.Contains(got, f.org.Name) {
				t.Fatalf("the invitation is public before the vendor accepts: %q", got)
			}
			if got := f.publicText(ctx, "org before", orgPage, `main`); strings.Contains(got, v.Name) {
				t.Fatalf("the org page lists an invited vendor: %q", got)
			}

			// The vendor signs in, sees the invitation and accepts it.
			f.run(ctx, "console", chromedp.Navigate(f.srv.URL+"/console/members"), chromedp.WaitVisible(chromedp.CSS(`nav form button`)))
			f.submit(ctx, "logout", chromedp.Click(chromedp.CSS(`nav form button`)))
			f.login(ctx, "ven")
			f.run(ctx, "vendor home", chromedp.Navigate(f.srv.URL+"/console/me"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=invites-notice]`)))
			if got := f.text(ctx, `[data-testid=invites-notice]`); !strings.Contains(got, "1 个入会邀请") {
				t.Errorf("notice = %q", got)
			}
			f.submit(ctx, "open invitations", chromedp.Click(chromedp.CSS(`[data-testid=invites-notice] a`)))
			f.run(ctx, "invitation", chromedp.WaitVisible(chromedp.CSS(`[data-testid=invitation]`)))
			if got := f.text(ctx, `[data-testid=invitation]`); !strings.Contains(got, f.org.Name) {
				t.Errorf("invitation = %q", got)
			}
			f.noHorizontalScroll(ctx, "vendor invitations")
			f.checkAxe(ctx, "vendor invitations")
			f.screenshot(ctx, "vendor-invitation")
			f.submit(ctx, "accept", chromedp.Click(chromedp.CSS(`[data-testid=membership-accept]`)))
			f.run(ctx, "accepted", chromedp.WaitVisible(chromedp.CSS(`[data-testid=my-memberships]`)))
			if got := f.text(ctx, `[data-testid=flash]`); !strings.Contains(got, "已接受邀请") {
				t.Errorf("flash = %q", got)
			}
			f.checkAxe(ctx, "vendor memberships")
			f.screenshot(ctx, "vendor-accepted")

			// Public within seconds: the profile and the organisation page.
			deadline := time.Now().Add(5 * time.Second)
			for {
				got := f.publicText(ctx, "profile after", profile, `[data-testid=profile-memberships]`)
				if strings.Contains(got, f.org.Name) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the accepted membership is not on the profile after 5 s: %q", got)
				}
				time.Sleep(200 * time.Millisecond)
			}
			if got := f.publicText(ctx, "org after", orgPage, `main`); !strings.Contains(got, v.Name) {
				t.Errorf("the org page does not list the accepted member: %q", got)
			}
			f.screenshot(ctx, "profile-member")

			// Leaving takes it off again.
			f.run(ctx, "memberships", chromedp.Navigate(f.srv.URL+"/console/me/memberships"), chromedp.WaitVisible(chromedp.CSS(`[data-testid=membership-leave]`)))
			f.submit(ctx, "leave", chromedp.Click(chromedp.CSS(`[data-testid=membership-leave]`)))
			f.run(ctx, "left", chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)))
			ms, err := f.db.MembershipsOfVendor(context.Background(), v.ID)
			if err != nil || len(ms) != 1 || ms[0].Status != "left" {
				t.Fatalf("after leaving: %+v %v", ms, err)
			}
			time.Sleep(200 * time.Millisecond)
			if got := f.publicText(ctx, "profile left", profile, `[data-testid=profile-memberships]`); strings.Contains(got, f.org.Name) {
				t.Errorf("a membership the vendor left is still public: %q", got)
			}
		})
	}
}
