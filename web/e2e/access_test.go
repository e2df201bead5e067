package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRegulatorManagesInvitationsAndUsers: on a phone and a desktop, a
// regulator issues a vendor login invitation, finds it in the invitation
// list, revokes it, then disables a vendor's login and re-enables it.
func TestRegulatorManagesInvitationsAndUsers(t *testing.T) {
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			f := newFixture(t)
			ctx := f.browser(width)
			f.login(ctx, "reg")
			v := f.vendors[1]
			f.run(ctx, "vendor page", chromedp.Navigate(f.srv.URL+"/console/vendors/"+v.USCC),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=invite-create]`)))
			f.submit(ctx, "invite", chromedp.Click(chromedp.CSS(`[data-testid=invite-create]`)))
			f.run(ctx, "invite link", chromedp.WaitVisible(chromedp.CSS(`[data-testid=invite-link]`)))

			f.run(ctx, "invitations", chromedp.Navigate(f.srv.URL+"/console/invitations"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=invitation-table]`)))
			if got := f.text(ctx, `[data-testid=invitation-table] tbody`); !strings.Contains(got, v.Name) || !strings.Contains(got, "有效，未使用") {
				t.Fatalf("invitation list = %q", got)
			}
			f.noHorizontalScroll(ctx, "invitations")
			f.checkAxe(ctx, "invitations")
			f.screenshot(ctx, "invitations")
			f.submit(ctx, "revoke", chromedp.Click(chromedp.CSS(`[data-testid=invitation-table] button`)))
			f.run(ctx, "revoked", chromedp.WaitVisible(chromedp.CSS(`[data-testid=flash]`)))
			if got := f.text(ctx, `[data-testid=invitation-table] tbody`); !strings.Contains(got, "撤销（user:reg）") {
				t.Fatalf("after revoking: %q", got)
			}
			f.screenshot(ctx, "invitation-revoked")

			f.run(ctx, "users", chromedp.Navigate(f.srv.URL+"/console/users"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid=user-disable-ven]`)))
			f.submit(ctx, "disable", chromedp.Click(chromedp.CSS(`[data-testid=user-disable-ven]`)))
			f.run(ctx, "disabled", chromedp.WaitVisible(chromedp.CSS(`[data-testid=user-enable-ven]`)))
			if got := f.text(ctx, `[data-testid=user-status-ven]`); !strings.Contains(got, "已停用") {
				t.Fatalf("status after disabling = %q", got)
			}
			f.noHorizontalScroll(ctx, "users")
			f.checkAxe(ctx, "users")
			f.screenshot(ctx, "users-disabled")
			f.submit(ctx, "enable", chromedp.Click(chromedp.CSS(`[data-testid=user-enable-ven]`)))
			f.run(ctx, "enabled", chromedp.WaitVisible(chromedp.CSS(`[data-testid=user-disable-ven]`)))
		})
	}
}
